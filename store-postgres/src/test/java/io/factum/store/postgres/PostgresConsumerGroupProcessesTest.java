package io.factum.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventData;
import io.factum.core.ExpectedVersion;
import io.factum.core.StoreOptions;
import io.factum.core.subscription.SqlCheckpointStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three consumer-group members in three JVMs on one PostgreSQL database keep a SQL projection; one is
 * killed with SIGKILL in the middle of the log; the others take its buckets over when its leases expire,
 * and the read model ends equal to what a single consumer replaying the log computes.
 */
class PostgresConsumerGroupProcessesTest {

    static final int STREAMS = 60;

    private final List<Process> children = new ArrayList<>();
    private final String schema = EmbeddedServer.newSchema();
    private final PgEventStore store =
            PostgresStoreFixture.open(EmbeddedServer.jdbcUrl(), schema, StoreOptions.defaults());

    @AfterEach
    void stop() throws Exception {
        for (Process child : children) {
            child.getOutputStream().close();
            if (!child.waitFor(15, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
        store.close();
    }

    @Test
    void a_member_killed_mid_stream_loses_nothing_and_counts_nothing_twice() throws Exception {
        Map<String, Long> expected = new TreeMap<>();
        appendRounds(0, 30, expected);
        for (String member : List.of("m1", "m2", "m3")) {
            children.add(startMember(member));
        }
        SqlCheckpointStore checkpoints = store.checkpoints();
        long total = expected.values().stream().mapToLong(Long::longValue).sum();

        // when about a third is counted, more events arrive and one member dies without a word
        awaitCounted(checkpoints, total / 3);
        appendRounds(30, 40, expected);
        Process killed = children.get(1);
        killed.destroyForcibly(); // SIGKILL
        assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
        appendRounds(40, 50, expected);

        // then the survivors take its buckets over and the read model equals a single consumer's replay
        long all = expected.values().stream().mapToLong(Long::longValue).sum();
        awaitCounted(checkpoints, all);
        assertThat(counts(checkpoints)).isEqualTo(expected);
        assertThat(parked(checkpoints))
                .as("events parked (out of order or failed)")
                .isZero();
    }

    private void appendRounds(int from, int to, Map<String, Long> expected) {
        for (int round = from; round < to; round++) {
            for (int s = 0; s < STREAMS; s++) {
                String stream = "counted-" + s;
                store.append(stream, ExpectedVersion.any(), EventData.of("Counted", "{\"round\":" + round + "}"));
                expected.merge(stream, 1L, Long::sum);
            }
        }
    }

    private Process startMember(String member) throws Exception {
        Path log = Files.createTempFile("factum-group-" + member, ".log");
        Process child = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx128m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        PostgresGroupMemberChildMain.class.getName(),
                        EmbeddedServer.jdbcUrl(),
                        schema,
                        member))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return child;
    }

    private static void awaitCounted(SqlCheckpointStore checkpoints, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long counted = 0;
        while (System.nanoTime() < deadline) {
            counted = counts(checkpoints).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
            if (counted >= atLeast) {
                return;
            }
            Thread.sleep(50);
        }
        assertThat(counted).as("events counted by the group within 120 s").isGreaterThanOrEqualTo(atLeast);
    }

    private static Map<String, Long> counts(SqlCheckpointStore checkpoints) {
        return checkpoints.query(connection -> {
            Map<String, Long> rows = new TreeMap<>();
            try (Statement statement = connection.createStatement()) {
                if (!exists(statement, "counts_v1")) {
                    return rows;
                }
                try (ResultSet result = statement.executeQuery("SELECT stream_id, n FROM counts_v1")) {
                    while (result.next()) {
                        rows.put(result.getString(1), result.getLong(2));
                    }
                }
            }
            return rows;
        });
    }

    private static boolean exists(Statement statement, String table) throws java.sql.SQLException {
        try (ResultSet result = statement.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
            result.next();
            return result.getBoolean(1);
        }
    }

    private static int parked(SqlCheckpointStore checkpoints) {
        return checkpoints.parked("counters").size()
                + checkpoints.parked("group_counts@v1").size();
    }
}
