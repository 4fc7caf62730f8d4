package io.factum.core;

/**
 * What a successful append reports.
 *
 * @param streamId the stream appended to
 * @param streamVersion the stream's version after the append: the version of the last event written
 * @param position the global position of the last event written; a reader that has reached it has seen
 *     the whole append
 */
public record AppendResult(String streamId, long streamVersion, Position position) {}
