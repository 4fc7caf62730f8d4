package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Crash safety: a child JVM appends in a loop and is killed with SIGKILL; every append it saw
 * acknowledged must be stored, no append may be half-written, and the global log must still read in
 * order.
 */
public abstract class CrashContract extends TckSupport {

    private static final Pattern ACK = Pattern.compile("ACK (\\S+) (\\d+) (\\d+)/(\\d+) (\\S+) END");
    // either key order: stores may normalise JSON (PostgreSQL's jsonb sorts keys)
    private static final Pattern DATA =
            Pattern.compile("\\{\\s*(?:\"i\"\\s*:\\s*(?<i>\\d+)\\s*,\\s*\"e\"\\s*:\\s*(?<e>\\d+)"
                    + "|\"e\"\\s*:\\s*(?<e2>\\d+)\\s*,\\s*\"i\"\\s*:\\s*(?<i2>\\d+))\\s*}");

    @Override
    protected abstract DurableStoreFixture fixture();

    private record Ack(String streamId, long lastVersion, Position position, List<UUID> eventIds) {}

    @Test
    void every_acknowledged_append_survives_a_kill_and_none_is_half_written() throws Exception {
        List<String> location = fixture().newLocation();
        int killAfter = ThreadLocalRandom.current().nextInt(150, 400);
        List<Ack> acks = runChildAndKill(location, killAfter);
        assertThat(acks).as("acknowledged appends before the kill").hasSizeGreaterThanOrEqualTo(killAfter);

        EventStore reopened = track(fixture().open(location, StoreOptions.defaults()));

        for (Ack ack : acks) {
            int n = ack.eventIds().size();
            List<RecordedEvent> stored = reopened.readStream(
                            ack.streamId(), ReadDirection.FORWARD, ack.lastVersion() - n + 1, n)
                    .events();
            assertThat(idsOf(stored)).as("acknowledged append %s", ack).isEqualTo(ack.eventIds());
            assertThat(stored.get(n - 1).position()).isEqualTo(ack.position());
        }
        long total = 0;
        for (int s = 0; s < CrashChild.STREAMS; s++) {
            List<RecordedEvent> events = new ArrayList<>();
            reopened.streamEvents("crash-" + s).forEach(events::add);
            assertThat(versionsOf(events)).as("gapless versions of crash-%d", s).isEqualTo(range(events.size()));
            assertWholeAppends("crash-" + s, events);
            total += events.size();
        }
        List<RecordedEvent> log = readWholeLog(reopened, EventFilter.all());
        assertStrictlyIncreasing(log);
        assertThat(log).hasSize((int) total);
        assertThat(new HashSet<>(idsOf(log))).hasSize(log.size());
    }

    private static final Pattern MULTI = Pattern.compile("MULTI (\\d+) END");

    @Test
    void a_killed_multi_stream_append_with_a_condition_is_all_or_nothing() throws Exception {
        List<String> location = fixture().newLocation();
        int killAfter = ThreadLocalRandom.current().nextInt(100, 250);
        Path stderr = Files.createTempFile("factum-crash-child", ".log");
        // the child's output goes to a file, not a pipe: what it printed before the kill is all there to read
        // afterwards (a pipe's last lines can be lost when the JVM closes it as the child dies)
        Path stdout = Files.createTempFile("factum-crash-child", ".out");
        List<String> command = CrashChild.commandLine(
                "-Xmx128m", fixture().childMainClass(), List.of("-D" + CrashChild.MODE_PROPERTY + "=multi"), location);
        Process child = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (multiAcks(stdout).size() < killAfter && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        boolean diedByItself = !child.isAlive();
        child.destroyForcibly(); // SIGKILL on Linux and macOS
        child.waitFor(30, TimeUnit.SECONDS);
        assertThat(diedByItself)
                .as("the child died by itself; its stderr:%n%s", Files.readString(stderr))
                .isFalse();
        List<Long> acked = multiAcks(stdout);
        Files.deleteIfExists(stderr);
        Files.deleteIfExists(stdout);
        assertThat(acked).hasSizeGreaterThanOrEqualTo(killAfter);

        EventStore reopened = track(fixture().open(location, StoreOptions.defaults()));
        List<Long> stored = new ArrayList<>();
        for (int pair = 0; pair < CrashChild.PAIRS; pair++) {
            List<Long> a = appendsIn(reopened, "pair-a-" + pair);
            List<Long> b = appendsIn(reopened, "pair-b-" + pair);
            assertThat(a).as("appends in both streams of pair %d", pair).isEqualTo(b);
            stored.addAll(a);
        }
        assertThat(stored).as("every acknowledged append is stored").containsAll(acked);
        // the child appends one at a time, each after the last was acknowledged: what is stored is the appends
        // 0..n without a hole, and at most the one in flight when it was killed lies beyond the last
        // acknowledged (compared by number, not by count: a line the child printed as it died may be lost)
        List<Long> sorted = stored.stream().sorted().toList();
        assertThat(sorted)
                .as("the appends stored, without a hole")
                .isEqualTo(java.util.stream.LongStream.range(0, sorted.size())
                        .boxed()
                        .toList());
        long lastAcked = acked.stream().mapToLong(Long::longValue).max().orElse(-1);
        assertThat(sorted.isEmpty() ? -1 : sorted.getLast())
                .as(
                        "at most the one append in flight is beyond the last acknowledged, %d (%d acknowledged)",
                        lastAcked, acked.size())
                .isLessThanOrEqualTo(lastAcked + 1);
    }

    /** The appends the multi-stream child printed as acknowledged so far ({@code MULTI i END} lines). */
    private static List<Long> multiAcks(Path stdout) throws IOException {
        List<Long> acked = new ArrayList<>();
        for (String line : Files.readAllLines(stdout, StandardCharsets.UTF_8)) {
            Matcher m = MULTI.matcher(line);
            if (m.matches()) {
                acked.add(Long.parseLong(m.group(1)));
            }
        }
        return acked;
    }

    private static List<Long> appendsIn(EventStore store, String stream) {
        List<Long> appends = new ArrayList<>();
        store.streamEvents(stream).forEach(event -> {
            Matcher m = DATA.matcher(event.data());
            assertThat(m.matches()).as("data %s", event.data()).isTrue();
            appends.add(Long.parseLong(m.group("i") != null ? m.group("i") : m.group("i2")));
        });
        return appends;
    }

    /** Every append i of the child wrote events e = 0 .. i % 3, all or none of them, next to each other. */
    private static void assertWholeAppends(String stream, List<RecordedEvent> events) {
        Map<Long, List<Integer>> byAppend = new TreeMap<>();
        for (RecordedEvent event : events) {
            Matcher m = DATA.matcher(event.data());
            assertThat(m.matches()).as("data %s", event.data()).isTrue();
            String i = m.group("i") != null ? m.group("i") : m.group("i2");
            String e = m.group("e") != null ? m.group("e") : m.group("e2");
            byAppend.computeIfAbsent(Long.parseLong(i), x -> new ArrayList<>()).add(Integer.parseInt(e));
        }
        byAppend.forEach((i, parts) -> assertThat(parts)
                .as("events of append %d in %s", i, stream)
                .isEqualTo(range((int) (1 + i % 3)).stream().map(Long::intValue).toList()));
    }

    private List<Ack> runChildAndKill(List<String> location, int killAfter) throws Exception {
        Path stderr = Files.createTempFile("factum-crash-child", ".log");
        List<String> command = CrashChild.commandLine("-Xmx128m", fixture().childMainClass(), List.of(), location);
        Process child =
                new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        List<Ack> acks = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> readAcks(child, acks), "crash-child-reader");
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (acks.size() < killAfter && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        boolean diedByItself = !child.isAlive();
        child.destroyForcibly(); // SIGKILL on Linux and macOS
        child.waitFor(30, TimeUnit.SECONDS);
        reader.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(diedByItself)
                .as("the child died by itself; its stderr:%n%s", Files.readString(stderr))
                .isFalse();
        Files.deleteIfExists(stderr);
        return acks;
    }

    private static void readAcks(Process child, List<Ack> acks) {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                Matcher m = ACK.matcher(line);
                if (m.matches()) {
                    acks.add(new Ack(
                            m.group(1),
                            Long.parseLong(m.group(2)),
                            new Position(Long.parseLong(m.group(3)), Long.parseLong(m.group(4))),
                            Arrays.stream(m.group(5).split(","))
                                    .map(UUID::fromString)
                                    .toList()));
                }
            }
        } catch (IOException e) {
            // the pipe breaks when the child is killed: every complete line was read
        }
    }

    private static List<Long> range(int count) {
        List<Long> list = new ArrayList<>(count);
        for (long i = 0; i < count; i++) {
            list.add(i);
        }
        return list;
    }
}
