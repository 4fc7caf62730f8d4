package io.factum.testkit.tck;

import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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

    /** Appends until the process dies. Never returns normally. */
    public static void run(EventStore store) {
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
