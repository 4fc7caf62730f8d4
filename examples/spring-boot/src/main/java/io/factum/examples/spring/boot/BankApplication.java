package io.factum.examples.spring.boot;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;

/**
 * A bank account in a Spring Boot application: Factum's starter opens the store (SQLite in {@code
 * ./data/bank.db}), builds the command bus from {@link BankConfiguration}'s beans and runs the read model;
 * the application keeps its own routes ({@link AccountsController}) and security ({@link
 * SecurityConfiguration}).
 */
@SpringBootApplication
public class BankApplication {

    private static final Logger LOG = LoggerFactory.getLogger(BankApplication.class);

    public static void main(String[] args) {
        SpringApplication.run(BankApplication.class, args);
    }

    @EventListener
    void ready(ApplicationReadyEvent ready) {
        if (ready.getApplicationContext() instanceof WebServerApplicationContext web) {
            String base = "http://localhost:" + web.getWebServer().getPort();
            LOG.info("The bank is open on {} (teller: user 'teller', password bank.teller-password). Try:", base);
            LOG.info("  curl -u teller:teller -H 'Content-Type: application/json' -d '{\"owner\":\"ada\"}' " + base
                    + "/accounts/42");
            LOG.info("  curl -u teller:teller -H 'Content-Type: application/json' -d '{\"cents\":1000}' " + base
                    + "/accounts/42/deposits");
            LOG.info(
                    "  curl -u teller:teller {}/accounts/42    and    curl -u teller:teller {}/actuator/health",
                    base,
                    base);
        }
    }
}
