package io.factum.core;

/**
 * What a store knows about one stream.
 *
 * @param streamId the stream
 * @param lastVersion the version of its last event ever appended, or {@link
 *     ExpectedVersion#NO_STREAM_VERSION} if none; soft deletion does not reset it
 * @param state whether it is active, soft-deleted or tombstoned
 * @param metadata its limits and custom entries
 */
public record StreamInfo(String streamId, long lastVersion, StreamState state, StreamMetadata metadata) {}
