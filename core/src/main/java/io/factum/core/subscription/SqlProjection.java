package io.factum.core.subscription;

import io.factum.core.EventFilter;
import io.factum.core.RecordedEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A read model kept in tables of the store's own database, updated exactly once per event: the runtime
 * calls {@link #apply} for each event of a batch on one open transaction and commits it together with the
 * projection's checkpoint. Run it asynchronously with {@link Subscription#sqlProjection} (or a {@link
 * ConsumerGroup}), or inline inside the append transaction where the store supports it.
 *
 * <p>Tables are per version ({@link ProjectionContext#table}): raising {@link #version()} builds the new
 * version into new tables beside the running one, queries switch when it has caught up, and the old
 * version's tables are dropped by {@link #drop}.
 */
public interface SqlProjection {

    /** The projection's name, 1-40 lower-case letters, digits and {@code _}; also its checkpoint's name. */
    String name();

    /** The version of the projection's code and tables; raise it to rebuild. 1 by default. */
    default int version() {
        return 1;
    }

    /** Which events it reads; all by default. */
    default EventFilter filter() {
        return EventFilter.all();
    }

    /** Creates this version's tables if they do not exist yet ({@code CREATE TABLE IF NOT EXISTS}). */
    void create(Connection connection, ProjectionContext context) throws SQLException;

    /** Applies one event, in the transaction the runtime opened; must not commit. */
    void apply(Connection connection, ProjectionContext context, RecordedEvent event) throws SQLException;

    /**
     * Applies a batch of events in log order, in one transaction the runtime opened; must not commit. By
     * default {@link #apply} for each; override it to send the batch's statements at once (JDBC {@code
     * addBatch}/{@code executeBatch}), which saves a round trip per event. If it throws, the runtime rolls
     * the batch back and goes on event by event with {@link #apply}, to find and park a failing event.
     */
    default void applyAll(Connection connection, ProjectionContext context, List<RecordedEvent> events)
            throws SQLException {
        for (RecordedEvent event : events) {
            apply(connection, context, event);
        }
    }

    /** Drops this version's tables ({@code DROP TABLE IF EXISTS}), once a newer version took over. */
    void drop(Connection connection, ProjectionContext context) throws SQLException;
}
