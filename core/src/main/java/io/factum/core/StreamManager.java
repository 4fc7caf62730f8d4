package io.factum.core;

import java.util.Optional;

/** The capability to manage streams: metadata, soft delete and tombstone. Thread-safe. */
public interface StreamManager {

    /**
     * What the store knows of a stream, or empty if it never had an event, metadata or tombstone.
     *
     * @throws InvalidStreamIdException if the stream id breaks the rules
     */
    Optional<StreamInfo> streamInfo(String streamId);

    /**
     * Replaces a stream's metadata (last writer wins). Setting metadata on a stream that does not exist
     * keeps the settings for when it is created.
     *
     * @throws StreamDeletedException if the stream is tombstoned
     */
    void setStreamMetadata(String streamId, StreamMetadata metadata);

    /**
     * Soft-deletes a stream: reads return nothing, and the next append re-creates it with versions that
     * continue after the last one (the earlier events stay hidden from stream reads and stay in the global
     * log).
     *
     * @throws WrongExpectedVersionException if the stream is not at the expected version
     * @throws StreamNotFoundException if the stream has no events (or is already soft-deleted)
     * @throws StreamDeletedException if the stream is tombstoned
     */
    void deleteStream(String streamId, ExpectedVersion expected);

    /**
     * Tombstones (hard-deletes) a stream: reads and appends fail for good with {@link
     * StreamDeletedException}. A stream that does not exist can be tombstoned to reserve the id.
     *
     * @throws WrongExpectedVersionException if the stream is not at the expected version
     * @throws StreamDeletedException if the stream is already tombstoned
     */
    void tombstoneStream(String streamId, ExpectedVersion expected);
}
