package io.factum.core.aggregate;

import java.time.Instant;

/**
 * An aggregate's state at a stream version, so a load reads only the events after it.
 *
 * @param streamId the stream
 * @param version the version of the last event folded into the state
 * @param type the name of the state's type
 * @param schemaVersion the state schema's version: a snapshot of another version is ignored and rebuilt
 * @param data the state as JSON
 * @param takenAt when it was taken
 */
public record Snapshot(String streamId, long version, String type, int schemaVersion, String data, Instant takenAt) {}
