package io.factum.kafka;

import io.factum.core.AllSlice;
import io.factum.core.EventFilter;
import io.factum.core.EventQuery;
import io.factum.core.EventReader;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamSlice;
import io.factum.core.spi.StoredEventId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The reader a relay's subscription reads the log through, which lets the relay read the pages after the
 * subscription's while a batch is being acknowledged, and hands such a page to the subscription when it
 * asks for it, so that each page is read from the store once.
 *
 * <p>It remembers the last forward page of the global log the subscription read. {@link #next()} gives the
 * page after it, with the same size and filter, with what {@code prepare} made of its events (the relay's
 * records), and keeps it for the subscription's next read from exactly there. Meanwhile a thread of its own
 * reads and prepares the page after that one, so that reading the store and mapping records overlap with
 * sending. Only a page that did not reach the end of the log is kept for the subscription: such a page is the
 * same whenever it is read (the log is gap-free, later appends come after it), whereas a page at the end
 * would hide what was appended since, and the subscription decides from the end of the log that it passed
 * the head. Any other read goes to the store.
 *
 * @param <P> what the relay makes of a page's events
 */
final class PageAhead<P> implements EventReader, AutoCloseable {

    private final EventReader store;
    private final Function<List<RecordedEvent>, P> prepare;
    private final ExecutorService reading;

    /** A read of the log: where from, how many, which events. */
    private record Read(Position from, int maxCount, EventFilter filter) {}

    /** A page read, and what was made of it (null for a page the subscription read itself). */
    record Page<P>(Read read, AllSlice slice, @Nullable P prepared) {
        List<RecordedEvent> events() {
            return slice.events();
        }
    }

    private record Reading<P>(Read read, Future<Page<P>> page) {}

    /** The last page the subscription read. */
    private volatile @Nullable Page<P> last;

    /** The page after it, given by {@link #next()}, until the subscription reads it. */
    private volatile @Nullable Page<P> ahead;

    /** The page after that one, being read in the background. */
    private volatile @Nullable Reading<P> background;

    PageAhead(EventReader store, String relay, Function<List<RecordedEvent>, P> prepare) {
        this.store = store;
        this.prepare = prepare;
        this.reading = Executors.newSingleThreadExecutor(work -> Thread.ofPlatform()
                .name("factum-relay-" + relay + "-read-ahead")
                .daemon(true)
                .unstarted(work));
    }

    /**
     * The page after the subscription's last one, kept for the subscription; and starts reading the page
     * after it in the background.
     *
     * @return null if the last page ended the log, or none was read yet
     * @throws RuntimeException if the store fails
     */
    @Nullable
    Page<P> next() throws InterruptedException {
        Page<P> current = last;
        if (current == null || current.slice().endOfLog()) {
            return null;
        }
        Read read = new Read(
                current.slice().next(),
                current.read().maxCount(),
                current.read().filter());
        Page<P> kept = ahead;
        if (kept != null && kept.read().equals(read)) {
            return kept;
        }
        Page<P> page = readInBackground(read);
        if (page == null) {
            page = read(read);
        }
        ahead = page.slice().endOfLog() ? null : page;
        if (!page.slice().endOfLog()) {
            Read after = new Read(page.slice().next(), read.maxCount(), read.filter());
            try {
                background = new Reading<>(after, reading.submit(() -> read(after)));
            } catch (RejectedExecutionException e) {
                // closed: no more reading ahead
            }
        }
        return page;
    }

    /** The page the background thread read for {@code read}, if it did; null if it read another or failed. */
    private @Nullable Page<P> readInBackground(Read read) throws InterruptedException {
        Reading<P> started = background;
        background = null;
        if (started == null) {
            return null;
        }
        if (!started.read().equals(read)) {
            started.page().cancel(false);
            return null;
        }
        try {
            return started.page().get();
        } catch (ExecutionException e) {
            // the store failed in the background: read again on the relay's thread, which reports it
            return null;
        }
    }

    private Page<P> read(Read read) {
        AllSlice slice = store.readAll(read.from(), ReadDirection.FORWARD, read.maxCount(), read.filter());
        return new Page<>(read, slice, prepare.apply(slice.events()));
    }

    @Override
    public AllSlice readAll(Position from, ReadDirection direction, int maxCount, EventFilter filter) {
        if (direction != ReadDirection.FORWARD) {
            return store.readAll(from, direction, maxCount, filter);
        }
        Read read = new Read(from, maxCount, filter);
        Page<P> kept = ahead;
        ahead = null;
        if (kept != null && kept.read().equals(read)) {
            last = kept;
            return kept.slice();
        }
        AllSlice slice = store.readAll(from, direction, maxCount, filter);
        last = new Page<>(read, slice, null);
        return slice;
    }

    /**
     * The last page the subscription read, with what was made of it if it was read ahead (else {@code
     * prepared} is null); null before the first.
     */
    @Nullable
    Page<P> last() {
        return last;
    }

    @Override
    public StreamSlice readStream(String streamId, ReadDirection direction, long fromVersion, int maxCount) {
        return store.readStream(streamId, direction, fromVersion, maxCount);
    }

    @Override
    public AllSlice read(EventQuery query, Position after, int maxCount) {
        return store.read(query, after, maxCount);
    }

    @Override
    public Optional<StoredEventId> locateEvent(UUID eventId) {
        return store.locateEvent(eventId);
    }

    @Override
    public Position headPosition() {
        return store.headPosition();
    }

    @Override
    public boolean awaitAppend(Position after, Duration timeout) throws InterruptedException {
        return store.awaitAppend(after, timeout);
    }

    /** Stops reading ahead; a read under way ends on its own. */
    @Override
    public void close() {
        reading.shutdown();
    }
}
