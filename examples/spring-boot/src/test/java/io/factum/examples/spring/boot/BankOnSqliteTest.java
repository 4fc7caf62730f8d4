package io.factum.examples.spring.boot;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The bank as it ships: SQLite, here in a file of a temporary directory. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BankOnSqliteTest extends BankContract {

    @TempDir
    static Path dir;

    @DynamicPropertySource
    static void storeFile(DynamicPropertyRegistry properties) {
        properties.add("factum.store.sqlite.file", () -> dir.resolve("bank.db").toString());
    }
}
