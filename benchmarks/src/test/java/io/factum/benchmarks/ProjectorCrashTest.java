package io.factum.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.benchmarks.CrashTarget.Summary;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.SqlEventStore;
import io.factum.core.subscription.ProjectionGroup;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.Subscription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A projection group of two SQL projections (committing without waiting for the disk) killed with SIGKILL
 * in the middle of the log (most likely inside a batch's open transaction) and restarted leaves read models
 * equal to a replay from scratch: nothing applied twice, nothing lost. On SQLite and on PostgreSQL.
 */
class ProjectorCrashTest {

    private static final int STREAMS = 100;
    private static final int EVENTS = 20_000;
    private static final int PER_APPEND = 100;
    private static final String FIRST = ProjectorCrashProjection.NAMES.get(0) + "@v1";

    @TempDir
    Path directory;

    private CrashTarget target(String store) {
        return switch (store) {
            case "sqlite" -> new CrashTarget.Sqlite(directory.resolve("store.db"));
            case "postgres" -> new CrashTarget.Postgres(TestPostgres.shared().jdbcUrl(), TestPostgres.newSchema());
            default -> throw new IllegalArgumentException(store);
        };
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"sqlite", "postgres"})
    void a_projection_group_killed_in_the_middle_of_the_log_resumes_exactly_once(String store) throws Exception {
        // given: 20,000 events over 100 streams
        CrashTarget target = target(store);
        Position head;
        try (SqlEventStore events = target.open()) {
            load(events);
            head = events.headPosition();
        }

        // when: a child JVM runs the slow projections and is killed once the first one's checkpoint passed
        // 30% of the log
        Path output = directory.resolve("child.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                ProjectorCrashChildMain.class.getName()));
        command.addAll(target.arguments());
        Process child = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        long killAfter = head.position() * 3 / 10;
        long seenBeforeKill = 0;
        try (Connection connection = target.connect()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (child.isAlive() && System.nanoTime() < deadline) {
                seenBeforeKill = target.checkpoint(connection, FIRST).position();
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
                    .as("the child died by itself; its output:%n%s", output(output))
                    .isFalse();
        }
        assertThat(seenBeforeKill)
                .as("the child's checkpoint within 60 s; its output:%n%s", output(output))
                .isGreaterThanOrEqualTo(killAfter);

        try (SqlEventStore events = target.open()) {
            List<RecordedEvent> log;
            try (Stream<RecordedEvent> all = events.streamAll(Position.START, EventFilter.all())) {
                log = all.toList();
            }
            assertThat(log).hasSize(EVENTS);

            // then: what the child committed is consistent with each member's checkpoint, and it stopped in
            // the middle
            try (Connection connection = target.connect()) {
                for (String name : ProjectorCrashProjection.NAMES) {
                    Position atKill = target.checkpoint(connection, name + "@v1");
                    assertThat(atKill.position())
                            .as("the checkpoint of %s at the kill", name)
                            .isLessThan(head.position());
                    assertThat(target.readModel(connection, name))
                            .as(
                                    "the read model of %s left by the kill, against the log folded up to its"
                                            + " checkpoint %s",
                                    name, atKill)
                            .isEqualTo(fold(log, atKill));
                }
            }

            // when: the group restarts in this process and runs to the end of the log
            SqlCheckpointStore checkpoints = events.checkpoints();
            try (ProjectionGroup group = Subscription.sqlProjections(
                            events, checkpoints, ProjectorCrashProjection.group(0))
                    .batchSize(200)
                    .start()) {
                for (ProjectionSubscription member : group.members()) {
                    assertThat(member.awaitPosition(head, Duration.ofSeconds(30)))
                            .as("%s reached the head; status %s", member.name(), member.status())
                            .isTrue();
                    assertThat(member.parked()).isEmpty();
                }
            }

            // then: each read model is a full replay from scratch, each event applied exactly once
            try (Connection connection = target.connect()) {
                for (String name : ProjectorCrashProjection.NAMES) {
                    Map<String, Summary> readModel = target.readModel(connection, name);
                    assertThat(readModel).as(name).isEqualTo(fold(log, Position.END));
                    assertThat(readModel).hasSize(STREAMS);
                    for (int s = 0; s < STREAMS; s++) {
                        String stream = "order-" + s;
                        long count = events.streamInfo(stream).orElseThrow().lastVersion() + 1;
                        assertThat(readModel.get(stream).count())
                                .as("events of %s in %s", stream, name)
                                .isEqualTo(count)
                                .isEqualTo(EVENTS / STREAMS);
                    }
                }
            }
        }
    }

    /** Appends {@link #EVENTS} events, {@link #PER_APPEND} at a time, over {@link #STREAMS} streams. */
    static void load(EventStore store) {
        for (int a = 0; a < EVENTS / PER_APPEND; a++) {
            List<EventData> batch = new ArrayList<>(PER_APPEND);
            for (int e = 0; e < PER_APPEND; e++) {
                batch.add(new EventData(
                        UUID.randomUUID(), "ItemAdded", 1, "{\"amount\":" + (1 + (a * 7 + e) % 97) + "}", "{}"));
            }
            store.append("order-" + (a % STREAMS), ExpectedVersion.any(), batch);
        }
    }

    /** The read model computed independently of the projection runtime: the log folded in Java. */
    static Map<String, Summary> fold(List<RecordedEvent> log, Position through) {
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

    private static String output(Path log) throws java.io.IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(none)";
    }
}
