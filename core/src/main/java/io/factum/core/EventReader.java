package io.factum.core;

import io.factum.core.spi.StoredEventId;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The capability to read streams and the global log. Reads return bounded pages: a store never loads
 * more than the requested count into memory. Implementations are thread-safe.
 */
public interface EventReader {

    /** The page size of the lazy {@code stream...} reads. */
    int DEFAULT_PAGE_SIZE = 1000;

    /**
     * Reads up to {@code maxCount} events of a stream, starting at {@code fromVersion} (inclusive), in the
     * given direction. Events hidden by the stream's metadata (max count, max age, truncate-before) or by a
     * soft delete are not returned. A stream that does not exist reads as empty.
     *
     * @param fromVersion the first version to return; {@link StreamSlice#END} reads backward from the last
     * @throws StreamDeletedException if the stream is tombstoned
     * @throws IllegalArgumentException if {@code maxCount} is less than 1 or {@code fromVersion} negative
     */
    StreamSlice readStream(String streamId, ReadDirection direction, long fromVersion, int maxCount);

    /**
     * Reads up to {@code maxCount} events of the global log after {@code from} (exclusive) in the given
     * direction, keeping those that match the filter.
     *
     * <p>Forward reads are gap-free: an event that a reader has not seen yet is never placed before a
     * checkpoint the reader already passed, even if its transaction commits late. Forward reads stop at
     * the last position every reader can see now ({@link #headPosition()}).
     *
     * @param from the checkpoint to read after; {@link Position#START} forward, {@link Position#END}
     *     backward
     */
    AllSlice readAll(Position from, ReadDirection direction, int maxCount, EventFilter filter);

    /**
     * Reads up to {@code maxCount} events of the global log after {@code after} (exclusive) that match the
     * query, forward: the read of the dynamic consistency boundary. Gap-free like {@link #readAll}.
     *
     * <p>The slice's {@link AllSlice#next()} is the position to read the next page from and, once the read
     * reached the end ({@link AllSlice#endOfLog()}), the position for the {@link AppendCondition} of a
     * decision taken on what was read: an event matching the query that this read did not return is after
     * it.
     *
     * @throws IllegalArgumentException if {@code maxCount} is less than 1
     */
    AllSlice read(EventQuery query, Position after, int maxCount);

    /**
     * Where an event id is stored, if it is: its stream, version and global position. An id stays taken
     * for ever (see the idempotent-append rule), so this finds it also when reads of its stream hide the
     * event (truncated, soft-deleted or tombstoned stream). One indexed lookup: a command's repository uses
     * it to tell whether a retried command's events are stored already.
     */
    Optional<StoredEventId> locateEvent(UUID eventId);

    /** The position of the last event visible to readers, {@link Position#START} if the log is empty. */
    Position headPosition();

    /**
     * Waits until an event after {@code after} is visible or the timeout passes, without busy polling.
     *
     * @return true if the head is now after {@code after}
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    boolean awaitAppend(Position after, Duration timeout) throws InterruptedException;

    /** Reads the events of a stream forward from its start, one page after another. */
    default Stream<RecordedEvent> streamEvents(String streamId) {
        return pages(new PageSource<>() {
            private long next = StreamSlice.START;
            private boolean done;

            @Override
            public List<RecordedEvent> nextPage() {
                if (done) {
                    return List.of();
                }
                StreamSlice slice = readStream(streamId, ReadDirection.FORWARD, next, DEFAULT_PAGE_SIZE);
                next = slice.nextVersion();
                done = slice.endOfStream();
                return slice.events();
            }
        });
    }

    /**
     * Reads the global log forward after {@code from} up to what is visible now, one page after another:
     * a catch-up read in constant memory.
     */
    default Stream<RecordedEvent> streamAll(Position from, EventFilter filter) {
        return pages(new PageSource<>() {
            private Position next = from;
            private boolean done;

            @Override
            public List<RecordedEvent> nextPage() {
                if (done) {
                    return List.of();
                }
                AllSlice slice = readAll(next, ReadDirection.FORWARD, DEFAULT_PAGE_SIZE, filter);
                next = slice.next();
                done = slice.endOfLog();
                return slice.events();
            }
        });
    }

    /** A supplier of consecutive pages; an empty page ends the sequence. */
    interface PageSource<T> {
        List<T> nextPage();
    }

    /** Flattens pages into a lazy sequential stream that fetches a page only when the last is used up. */
    static <T> Stream<T> pages(PageSource<T> source) {
        Iterator<T> iterator = new Iterator<>() {
            private Iterator<T> page = List.<T>of().iterator();
            private boolean exhausted;

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && !exhausted) {
                    List<T> next = source.nextPage();
                    exhausted = next.isEmpty();
                    page = next.iterator();
                }
                return page.hasNext();
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("no more pages");
                }
                return page.next();
            }
        };
        return StreamSupport.stream(
                Spliterators.spliteratorUnknownSize(iterator, Spliterator.ORDERED | Spliterator.NONNULL), false);
    }
}
