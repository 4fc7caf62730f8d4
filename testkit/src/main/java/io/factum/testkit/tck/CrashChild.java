package io.factum.testkit.tck;

import io.factum.core.AppendCondition;
import io.factum.core.AppendResult;
import io.factum.core.AppendResults;
import io.factum.core.EventData;
import io.factum.core.EventQuery;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.StreamAppend;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.UUID;

/**
 * The writer of the crash test: runs in a child JVM, appends in a loop until it is killed, and prints one
 * line to standard output per acknowledged append, after the store returned:
 *
 * <pre>ACK streamId lastVersion txId/position eventId,eventId,... END</pre>
 *
 * The parent kills it with SIGKILL at some point and checks that every acknowledged append is stored,
 * whole.
 */
public final class CrashChild {

    /** The number of streams the child spreads its appends over. */
    public static final int STREAMS = 8;

    private CrashChild() {}

    /** The system property that makes the child read instead of write: see {@link BoundedMemoryContract}. */
    public static final String MODE_PROPERTY = "factum.tck.child";

    /**
     * The command line of a child JVM (this JVM's class path, the heap option {@code heap}, for example
     * {@code -Xmx128m}) running {@code main} with the system properties {@code properties} (each {@code
     * -Dname=value}), then {@code location}.
     */
    static List<String> commandLine(String heap, Class<?> main, List<String> properties, List<String> location) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(heap);
        command.addAll(properties);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(location);
        return command;
    }

    /**
     * What the child JVM does with the store it opened: by default appends until the process dies (never
     * returns normally); with {@code -Dfactum.tck.child=read} reads the whole log and one stream in pages
     * and prints {@code READ <events in the log> <events in the stream>}; with {@code
     * -Dfactum.tck.child=commands} sends commands through a command bus until killed (see {@link
     * CommandCrashContract}).
     */
    public static void run(EventStore store) {
        if ("read".equals(System.getProperty(MODE_PROPERTY))) {
            BoundedMemoryContract.readEverything(store);
            return;
        }
        if ("commands".equals(System.getProperty(MODE_PROPERTY))) {
            CommandCrashChild.sendUntilKilled(store);
            return;
        }
        if ("multi".equals(System.getProperty(MODE_PROPERTY))) {
            appendToPairsUntilKilled(store);
            return;
        }
        appendUntilKilled(store);
    }

    /** The number of stream pairs of the multi-stream mode: {@code pair-a-k} and {@code pair-b-k}. */
    static final int PAIRS = 4;

    /**
     * With {@code -Dfactum.tck.child=multi}: appends one tagged event to each stream of a pair at once, on
     * both expected versions and a condition, and prints {@code MULTI i END} after each acknowledged append
     * {@code i}.
     */
    private static void appendToPairsUntilKilled(EventStore store) {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        long[] versions = new long[PAIRS];
        java.util.Arrays.fill(versions, ExpectedVersion.NO_STREAM_VERSION);
        out.println("READY");
        out.flush();
        for (long i = 0; ; i++) {
            int pair = (int) (i % PAIRS);
            ExpectedVersion expected =
                    versions[pair] < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(versions[pair]);
            String tag = "append:" + i;
            List<StreamAppend> parts = new ArrayList<>();
            for (String side : List.of("a", "b")) {
                parts.add(StreamAppend.to(
                        "pair-" + side + "-" + pair,
                        expected,
                        EventData.of(UUID.randomUUID(), "Paired", "{\"i\":" + i + ",\"e\":0}")
                                .withTags(tag, "pair:" + pair)));
            }
            AppendResults results =
                    store.append(parts, AppendCondition.failIfEventsMatch(EventQuery.tags(tag), Position.START));
            versions[pair] = results.results().get(0).streamVersion();
            out.println("MULTI " + i + " END");
            out.flush();
        }
    }

    private static void appendUntilKilled(EventStore store) {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        long[] versions = new long[STREAMS];
        java.util.Arrays.fill(versions, ExpectedVersion.NO_STREAM_VERSION);
        out.println("READY");
        out.flush();
        for (long i = 0; ; i++) {
            int stream = (int) (i % STREAMS);
            String streamId = "crash-" + stream;
            int batch = 1 + (int) (i % 3);
            List<EventData> events = new ArrayList<>(batch);
            for (int e = 0; e < batch; e++) {
                events.add(EventData.of(UUID.randomUUID(), "Appended", "{\"i\":" + i + ",\"e\":" + e + "}"));
            }
            ExpectedVersion expected =
                    versions[stream] < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(versions[stream]);
            AppendResult result = store.append(streamId, expected, events);
            versions[stream] = result.streamVersion();
            StringJoiner ids = new StringJoiner(",");
            events.forEach(event -> ids.add(event.eventId().toString()));
            out.println(
                    "ACK " + streamId + " " + result.streamVersion() + " " + result.position() + " " + ids + " END");
            out.flush();
        }
    }
}
