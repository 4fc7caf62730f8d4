package io.factum.core.subscription;

import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/** Exactly-once delivery into the store's database, with blue/green versions. */
final class SqlSink implements Sink {

    private final SqlProjection projection;
    private final SqlCheckpointStore store;
    private final int version;
    private volatile boolean rebuilding;
    private volatile int replacing;

    SqlSink(SqlProjection projection, SqlCheckpointStore store) {
        this.projection = projection;
        this.store = store;
        this.version = projection.version();
    }

    private ProjectionContext context() {
        return new ProjectionContext(projection.name(), version, rebuilding);
    }

    static String checkpointName(String projection, int version) {
        return projection + "@v" + version;
    }

    @Override
    public void start() {
        OptionalInt active = store.activeVersion(projection.name());
        if (active.isPresent() && active.getAsInt() > version) {
            throw new SubscriptionStoppedException("projection " + projection.name() + ": this code is version "
                    + version + " but version " + active.getAsInt() + " is active; this instance stopped, run the"
                    + " newer code");
        }
        rebuilding = active.isPresent() && active.getAsInt() < version;
        replacing = rebuilding ? active.getAsInt() : 0;
        ProjectionContext context = context();
        store.execute(connection -> projection.create(connection, context));
        if (active.isEmpty()) {
            store.activate(projection.name(), version);
        }
    }

    @Override
    public boolean rebuilding() {
        return rebuilding;
    }

    @Override
    public void caughtUp() {
        if (!rebuilding) {
            return;
        }
        int old = replacing;
        store.activate(projection.name(), version);
        ProjectionContext previous = new ProjectionContext(projection.name(), old, false);
        store.execute(connection -> projection.drop(connection, previous));
        store.delete(checkpointName(projection.name(), old));
        // only now: a waiter for a position must not go on while the old version's tables and checkpoint are
        // still there (if dropping them fails, the next round switches again and drops them again)
        rebuilding = false;
    }

    @Override
    public void batch(
            String checkpoint, List<RecordedEvent> events, Position expected, Position next, @Nullable Lease fence) {
        SqlWork work = work(events);
        if (fence == null) {
            store.commit(checkpoint, expected, next, work);
        } else {
            store.commit(checkpoint, expected, next, fence, work);
        }
    }

    /**
     * The SQL that applies {@code events} (one or more, in log order) to this version's tables: {@link
     * SqlProjection#apply} for one, {@link SqlProjection#applyAll} for more; a failure of the projection is
     * thrown as a {@link ProjectionException}.
     */
    SqlWork work(List<RecordedEvent> events) {
        ProjectionContext context = context();
        return events.size() == 1
                ? connection -> apply(connection, context, events.get(0))
                : connection -> {
                    try {
                        projection.applyAll(connection, context, events);
                    } catch (SQLException | RuntimeException e) {
                        RecordedEvent first = events.get(0);
                        throw new ProjectionException(projection.name(), first.streamId(), first.position(), e);
                    }
                };
    }

    @Override
    public void advance(String checkpoint, Position expected, Position next, @Nullable Lease fence) {
        if (fence == null) {
            store.save(checkpoint, expected, next);
        } else {
            store.save(checkpoint, expected, next, fence);
        }
    }

    /** Parks and moves the checkpoint in one durable transaction: never parked and applied, never skipped. */
    @Override
    public void park(ParkedEvent event, String checkpoint, Position expected, Position next, @Nullable Lease fence) {
        CheckpointMove move = new CheckpointMove(checkpoint, expected, next);
        if (fence == null) {
            store.park(event, move);
        } else {
            store.park(event, move, fence);
        }
    }

    @Override
    public void replay(RecordedEvent event) {
        ProjectionContext context = context();
        store.execute(connection -> apply(connection, context, event));
    }

    @Override
    public @Nullable String stopReason() {
        OptionalInt active = store.activeVersion(projection.name());
        if (active.isPresent() && active.getAsInt() > version) {
            return "projection " + projection.name() + " version " + version + " was replaced by version "
                    + active.getAsInt() + "; this instance stopped";
        }
        return null;
    }

    private void apply(Connection connection, ProjectionContext context, RecordedEvent event) {
        try {
            projection.apply(connection, context, event);
        } catch (SQLException | RuntimeException e) {
            throw new ProjectionException(projection.name(), event.streamId(), event.position(), e);
        }
    }

    ProjectionContext activeContext() {
        OptionalInt active = store.activeVersion(projection.name());
        return new ProjectionContext(projection.name(), active.orElse(version), false);
    }

    /** The version of the projection's code this sink runs. */
    int version() {
        return version;
    }

    SqlCheckpointStore store() {
        return store;
    }

    /** The projection's name. */
    String projection() {
        return projection.name();
    }
}
