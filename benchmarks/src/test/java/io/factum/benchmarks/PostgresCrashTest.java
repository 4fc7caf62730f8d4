package io.factum.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.benchmarks.CrashTarget.Summary;
import io.factum.core.EventFilter;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.SqlEventStore;
import io.factum.core.subscription.ProjectionGroup;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.Subscription;
import io.factum.core.subscription.SubscriptionState;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database crashes under a running projection group whose commits do not wait for the WAL flush: the
 * embedded PostgreSQL server is stopped with {@code pg_ctl stop -m immediate} (its processes quit without
 * writing what is still in the WAL buffers, as after a power cut of the server, short of the operating
 * system), started again on the same data, and the projections resume from the checkpoints that survived.
 * Their read models must equal the log folded in Java, every event applied exactly once, whatever tail of
 * commits the crash took.
 */
class PostgresCrashTest {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresCrashTest.class);
    private static final String FIRST = ProjectorCrashProjection.NAMES.get(0) + "@v1";

    @TempDir
    Path directory;

    @Test
    void a_projection_group_survives_an_immediate_stop_of_the_database_exactly_once() throws Exception {
        // given: a server of its own, 20,000 events, and the slowed-down projection group running on them
        Path data = directory.resolve("pgdata");
        int port = freePort();
        EmbeddedPostgres server = TestPostgres.start(data, port);
        CrashTarget.Postgres target =
                new CrashTarget.Postgres(server.getJdbcUrl("postgres", "postgres"), TestPostgres.newSchema());
        SqlEventStore store = target.open();
        try {
            ProjectorCrashTest.load(store);
            Position head = store.headPosition();
            ProjectionGroup group = Subscription.sqlProjections(
                            store, store.checkpoints(), ProjectorCrashProjection.group(150_000))
                    .batchSize(50)
                    .start();
            try {
                // when: the database stops with -m immediate once the first member passed 30% of the log
                Position beforeStop = awaitCheckpoint(target, head.position() * 3 / 10);
                stopImmediately(data);
                server.close(); // releases zonky's lock on the data directory; the server is down already
                for (ProjectionSubscription member : group.members()) {
                    member.pause();
                }
                server = TestPostgres.start(data, port);
                awaitPaused(group);
                Position afterRestart;
                try (Connection connection = target.connect()) {
                    afterRestart = target.checkpoint(connection, FIRST);
                }
                LOG.info(
                        "{} was at {} before the immediate stop and at {} after the restart{}",
                        FIRST,
                        beforeStop,
                        afterRestart,
                        beforeStop.isAfter(afterRestart)
                                ? ": the crash took the asynchronous commits after it, which are applied again"
                                : "");
                for (ProjectionSubscription member : group.members()) {
                    member.resume();
                }

                // then: the group resumes and every member's read model is the log folded, exactly once
                for (ProjectionSubscription member : group.members()) {
                    assertThat(member.awaitPosition(head, Duration.ofSeconds(60)))
                            .as("%s reached the head; status %s", member.name(), member.status())
                            .isTrue();
                    assertThat(member.parked()).isEmpty();
                }
            } finally {
                group.close();
            }
            List<RecordedEvent> log;
            try (Stream<RecordedEvent> all = store.streamAll(Position.START, EventFilter.all())) {
                log = all.toList();
            }
            Map<String, Summary> expected = ProjectorCrashTest.fold(log, Position.END);
            try (Connection connection = target.connect()) {
                for (String name : ProjectorCrashProjection.NAMES) {
                    assertThat(target.readModel(connection, name)).as(name).isEqualTo(expected);
                }
            }
            assertThat(expected.values().stream().mapToLong(Summary::count).sum())
                    .isEqualTo(log.size());
        } finally {
            store.close();
            server.close();
        }
    }

    private static Position awaitCheckpoint(CrashTarget target, long atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Connection connection = target.connect()) {
            while (System.nanoTime() < deadline) {
                Position at = target.checkpoint(connection, FIRST);
                if (at.position() >= atLeast) {
                    return at;
                }
                Thread.sleep(5);
            }
        }
        throw new AssertionError("the projection did not pass position " + atLeast + " within 60 s");
    }

    private static void awaitPaused(ProjectionGroup group) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (group.members().stream().anyMatch(m -> m.status().state() != SubscriptionState.PAUSED)
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(group.members())
                .allSatisfy(member -> assertThat(member.status().state()).isEqualTo(SubscriptionState.PAUSED));
    }

    /**
     * {@code pg_ctl stop -m immediate} with the server's own binaries, found from the postmaster's process
     * ({@code postmaster.pid} holds its pid); under {@code unshare -U} when zonky needs it to run PostgreSQL
     * as root.
     */
    private static void stopImmediately(Path data) throws IOException, InterruptedException {
        long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid"), StandardCharsets.US_ASCII)
                .get(0)
                .trim());
        Path postgres = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe"));
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(List.of(
                postgres.resolveSibling("pg_ctl").toString(), "-D", data.toString(), "stop", "-m", "immediate", "-w"));
        Process pgCtl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(pgCtl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(pgCtl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(pgCtl.exitValue()).as("pg_ctl stop -m immediate: %s", output).isZero();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
