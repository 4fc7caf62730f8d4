package io.factum.spring.boot.starter;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.SqlEventStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The ledger application on the default store: SQLite, in a file of a temporary directory. */
@SpringBootTest(classes = LedgerApplication.class, properties = LedgerConfiguration.EVENT_TYPES)
class SqliteApplicationTest extends LedgerApplicationContract {

    @TempDir
    static Path dir;

    @DynamicPropertySource
    static void storeFile(DynamicPropertyRegistry properties) {
        properties.add(
                "factum.store.sqlite.file", () -> dir.resolve("ledger.db").toString());
    }

    @Autowired
    SqlEventStore sqlStore;

    @Test
    void keeps_the_events_in_the_configured_file() {
        assertThat(dir.resolve("ledger.db")).exists();
        assertThat(sqlStore).isSameAs(store);
    }
}
