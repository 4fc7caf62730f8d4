package io.factum.core;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * What a successful multi-stream append reports: one {@link AppendResult} per stream, in the order of the
 * append.
 *
 * @param results the result of each stream's part
 */
public record AppendResults(List<AppendResult> results) {

    public AppendResults {
        results = List.copyOf(results);
        if (results.isEmpty()) {
            throw new IllegalArgumentException("a multi-stream append has at least one result, got none");
        }
    }

    /** The global position of the append's last event: a reader that has reached it has seen it all. */
    public Position position() {
        Position last = results.get(0).position();
        for (AppendResult result : results) {
            if (result.position().isAfter(last)) {
                last = result.position();
            }
        }
        return last;
    }

    /**
     * The result of the part for {@code streamId}.
     *
     * @throws NoSuchElementException if the append had no part for that stream
     */
    public AppendResult of(String streamId) {
        for (AppendResult result : results) {
            if (result.streamId().equals(streamId)) {
                return result;
            }
        }
        throw new NoSuchElementException("the append wrote nothing to stream " + streamId + ", only to "
                + results.stream().map(AppendResult::streamId).toList());
    }
}
