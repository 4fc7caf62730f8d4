package io.factum.spring.boot.starter;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/** The ledger as a Spring Boot application: every auto-configuration on the class path, the ledger's beans. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(LedgerConfiguration.class)
class LedgerApplication {}
