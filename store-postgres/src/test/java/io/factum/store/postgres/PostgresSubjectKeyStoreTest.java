package io.factum.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.ExpectedVersion;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreOptions;
import io.factum.core.gdpr.CryptoShredder;
import io.factum.core.gdpr.DataSubject;
import io.factum.core.gdpr.PersonalData;
import io.factum.core.gdpr.SubjectKeyStore;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The subject keys kept in a PostgreSQL store's database, crypto-shredding end to end (the TCK runs in the store's TCK test). */
class PostgresSubjectKeyStoreTest {

    record Registered(
            @DataSubject String customerId, @PersonalData String email, String plan) {}

    @Nested
    class End_to_end {

        @Test
        void a_forgotten_subject_reads_as_erased_and_its_key_bytes_are_gone_from_the_database() throws Exception {
            String schema = EmbeddedServer.newSchema();
            try (PgEventStore store =
                    PostgresStoreFixture.open(EmbeddedServer.jdbcUrl(), schema, StoreOptions.defaults())) {
                SubjectKeyStore keys = store.subjectKeys();
                EventSerializer serializer = EventSerializer.of(EventTypes.builder()
                                .register(Registered.class, "Registered")
                                .build())
                        .withPersonalData(keys);
                store.append(
                        "customer-1",
                        ExpectedVersion.noStream(),
                        List.of(serializer.serialize(
                                new Registered("customer-1", "ada@example.org", "gold"),
                                UUID.randomUUID(),
                                EventMetadata.startingWith(UUID.randomUUID(), Instant.now()))));
                RecordedEvent stored = store.streamEvents("customer-1").toList().get(0);
                assertThat(stored.data()).doesNotContain("ada@example.org");
                assertThat(serializer.deserializeEvents(stored, Registered.class))
                        .containsExactly(new Registered("customer-1", "ada@example.org", "gold"));

                assertThat(keys.forget("customer-1")).isTrue();

                assertThat(serializer.deserializeEvents(stored, Registered.class))
                        .containsExactly(new Registered("customer-1", "[erased]", "gold"));
                assertThat(CryptoShredder.reveal(stored.data(), keys))
                        .contains("\"email\":\"[erased]\"", "\"plan\":\"gold\"");
            }
            try (Connection connection = DriverManager.getConnection(EmbeddedServer.jdbcUrl());
                    Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT key IS NULL, forgotten_at IS NOT NULL FROM "
                            + schema + ".factum_subject_keys WHERE subject_id = 'customer-1'")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getBoolean(1)).as("key deleted").isTrue();
                assertThat(rows.getBoolean(2)).as("forgotten_at set").isTrue();
            }
        }
    }
}
