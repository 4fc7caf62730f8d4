package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Reads stream their results: a child JVM whose heap is smaller than the data reads the whole global
 * log and a whole stream in pages. A store that loaded a whole stream or the whole log to serve a page
 * runs out of memory here.
 */
public abstract class BoundedMemoryContract extends TckSupport {

    /** The heap of the reading child JVM. */
    public static final String CHILD_HEAP = "-Xmx48m";

    private static final int STREAMS = 40;
    private static final int EVENTS_PER_STREAM = 2000;
    private static final String BIG_STREAM = "big-0";

    @Override
    protected abstract DurableStoreFixture fixture();

    @Test
    void a_log_larger_than_the_heap_reads_in_pages() throws Exception {
        List<String> location = fixture().newLocation();
        String payload = "{\"text\":\"" + "x".repeat(1000) + "\"}";
        try (EventStore writer = fixture().open(location, StoreOptions.defaults())) {
            for (int s = 0; s < STREAMS; s++) {
                List<EventData> events = new ArrayList<>(EVENTS_PER_STREAM);
                for (int e = 0; e < EVENTS_PER_STREAM; e++) {
                    events.add(EventData.of(UUID.randomUUID(), "Big", payload));
                }
                writer.append("big-" + s, ExpectedVersion.noStream(), events);
            }
        }

        String output = runReader(location);

        assertThat(output)
                .as(
                        "the child's output (about %d MB of events read with %s)",
                        STREAMS * EVENTS_PER_STREAM / 1000, CHILD_HEAP)
                .contains("READ " + STREAMS * EVENTS_PER_STREAM + " " + EVENTS_PER_STREAM);
    }

    private String runReader(List<String> location) throws Exception {
        Path log = Files.createTempFile("factum-read-child", ".log");
        List<String> command = CrashChild.commandLine(
                CHILD_HEAP, fixture().childMainClass(), List.of("-D" + CrashChild.MODE_PROPERTY + "=read"), location);
        Process child = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean finished = child.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            child.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        assertThat(finished)
                .as("the reader finished in time; its output:%n%s", output)
                .isTrue();
        return output;
    }

    /** What the child does: read everything in pages and print the counts. */
    static void readEverything(EventStore store) {
        long log;
        try (Stream<?> all = store.streamAll(Position.START, EventFilter.all())) {
            log = all.count();
        }
        long stream;
        try (Stream<?> one = store.streamEvents(BIG_STREAM)) {
            stream = one.count();
        }
        System.out.println("READ " + log + " " + stream);
        System.out.flush();
    }
}
