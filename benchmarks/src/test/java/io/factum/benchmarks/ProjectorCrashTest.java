package io.factum.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.Subscription;
import io.factum.store.sqlite.SqliteEventStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SQL projection killed with SIGKILL in the middle of the log (most likely inside a batch's open
 * transaction) and restarted leaves a read model equal to a replay from scratch: nothing applied twice,
 * nothing lost.
 */
class ProjectorCrashTest {

    private static final int STREAMS = 100;
    private static final int EVENTS = 20_000;
    private static final int PER_APPEND = 100;
    private static final String CHECKPOINT = ProjectorCrashProjection.NAME + "@v1";

    @TempDir
    Path directory;

    record Summary(long count, long total, long versions) {}

    @Test
    void a_projection_killed_in_the_middle_of_the_log_resumes_exactly_once() throws Exception {
        // given: 20,000 events over 100 streams
        Path file = directory.resolve("store.db");
        Position head;
        try (EventStore store = SqliteEventStore.open(file)) {
            for (int a = 0; a < EVENTS / PER_APPEND; a++) {
                List<EventData> batch = new ArrayList<>(PER_APPEND);
                for (int e = 0; e < PER_APPEND; e++) {
                    batch.add(new EventData(
                            UUID.randomUUID(), "ItemAdded", 1, "{\"amount\":" + (1 + (a * 7 + e) % 97) + "}", "{}"));
                }
                store.append("order-" + (a % STREAMS), ExpectedVersion.any(), batch);
            }
            head = store.headPosition();
        }

        // when: a child JVM runs the slow projection and is killed once its checkpoint passed 30% of the log
        Path stderr = directory.resolve("child.log");
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx128m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        ProjectorCrashChildMain.class.getName(),
                        file.toString())
                .redirectErrorStream(true)
                .redirectOutput(stderr.toFile())
                .start();
        long killAfter = head.position() * 3 / 10;
        long seenBeforeKill = 0;
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (child.isAlive() && System.nanoTime() < deadline) {
                seenBeforeKill = checkpoint(connection).position();
                if (seenBeforeKill >= killAfter) {
                    break;
                }
                Thread.sleep(10);
            }
        } finally {
            boolean diedByItself = !child.isAlive();
            child.destroyForcibly(); // SIGKILL on Linux and macOS
            child.waitFor(30, TimeUnit.SECONDS);
            assertThat(diedByItself)
                    .as("the child died by itself; its output:%n%s", output(stderr))
                    .isFalse();
        }
        assertThat(seenBeforeKill)
                .as("the child's checkpoint within 60 s; its output:%n%s", output(stderr))
                .isGreaterThanOrEqualTo(killAfter);

        // then: what the child committed is consistent with its checkpoint, and it stopped in the middle
        Position atKill;
        Map<String, Summary> readModelAtKill;
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            atKill = checkpoint(connection);
            readModelAtKill = readModel(connection);
        }
        assertThat(atKill.position()).as("the checkpoint at the kill").isLessThan(head.position());

        try (EventStore store = SqliteEventStore.open(file)) {
            List<RecordedEvent> log;
            try (Stream<RecordedEvent> all = store.streamAll(Position.START, EventFilter.all())) {
                log = all.toList();
            }
            assertThat(log).hasSize(EVENTS);
            assertThat(readModelAtKill)
                    .as("the read model left by the kill, against the log folded up to its checkpoint %s", atKill)
                    .isEqualTo(fold(log, atKill));

            // when: the projection restarts in this process and runs to the end of the log
            SqlCheckpointStore checkpoints = SqliteEventStore.checkpoints(store);
            Map<String, Summary> readModel;
            try (ProjectionSubscription projection = Subscription.sqlProjection(
                            store, checkpoints, new ProjectorCrashProjection(0))
                    .batchSize(200)
                    .start()) {
                assertThat(projection.awaitPosition(head, Duration.ofSeconds(30)))
                        .as("the restarted projection reached the head; status %s", projection.status())
                        .isTrue();
                readModel = checkpoints.query(ProjectorCrashTest::readModel);
                assertThat(projection.parked()).isEmpty();
            }

            // then: the read model is a full replay from scratch, each event applied exactly once
            assertThat(readModel).isEqualTo(fold(log, Position.END));
            assertThat(readModel).hasSize(STREAMS);
            for (int s = 0; s < STREAMS; s++) {
                String stream = "order-" + s;
                long events = store.streamInfo(stream).orElseThrow().lastVersion() + 1;
                assertThat(readModel.get(stream).count())
                        .as("events of %s in the read model", stream)
                        .isEqualTo(events)
                        .isEqualTo(EVENTS / STREAMS);
            }
        }
    }

    /** The read model computed independently of the projection runtime: the log folded in Java. */
    private static Map<String, Summary> fold(List<RecordedEvent> log, Position through) {
        Map<String, Summary> summaries = new TreeMap<>();
        for (RecordedEvent event : log) {
            if (event.position().isAfter(through)) {
                break;
            }
            summaries.merge(
                    event.streamId(),
                    new Summary(1, ProjectorCrashProjection.amount(event), event.streamVersion()),
                    (a, b) -> new Summary(a.count() + b.count(), a.total() + b.total(), a.versions() + b.versions()));
        }
        return summaries;
    }

    private static Position checkpoint(Connection connection) throws SQLException {
        try (PreparedStatement select =
                connection.prepareStatement("SELECT tx_id, position FROM factum_checkpoints WHERE name = ?")) {
            select.setString(1, CHECKPOINT);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? new Position(row.getLong(1), row.getLong(2)) : Position.START;
            }
        } catch (SQLException e) {
            if (e.getMessage().contains("no such table")) {
                return Position.START;
            }
            throw e;
        }
    }

    private static Map<String, Summary> readModel(Connection connection) throws SQLException {
        Map<String, Summary> summaries = new TreeMap<>();
        try (Statement statement = connection.createStatement()) {
            try (ResultSet exists = statement.executeQuery(
                    "SELECT 1 FROM sqlite_master WHERE name = '" + ProjectorCrashProjection.TABLE + "'")) {
                if (!exists.next()) {
                    return summaries;
                }
            }
            try (ResultSet rows = statement.executeQuery(
                    "SELECT id, count, total, versions FROM " + ProjectorCrashProjection.TABLE)) {
                while (rows.next()) {
                    summaries.put(rows.getString(1), new Summary(rows.getLong(2), rows.getLong(3), rows.getLong(4)));
                }
            }
        }
        return summaries;
    }

    private static String output(Path log) throws java.io.IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(none)";
    }
}
