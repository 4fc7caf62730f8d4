package io.factum.store.sqlite;

import io.factum.core.EventData;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreException;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.ProjectionException;
import io.factum.core.subscription.SqlProjection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The SQL projections a store runs inside its append transactions (see {@link SqliteEventStore#open(
 * java.nio.file.Path, io.factum.core.StoreOptions, List)}): prepared once when the store opens (tables
 * created, a new version rebuilt, the active one caught up), then applied to every append's events with
 * their checkpoints moved in the same transaction.
 */
final class InlineProjections {

    /** How many events a rebuild or catch-up reads at a time. */
    private static final int PAGE = 500;

    private final List<SqlProjection> projections;
    private final Clock clock;

    InlineProjections(List<SqlProjection> projections, Clock clock) {
        Set<String> names = new HashSet<>();
        for (SqlProjection projection : projections) {
            // the context checks the name and version
            new ProjectionContext(projection.name(), projection.version(), false);
            if (!names.add(projection.name())) {
                throw new IllegalArgumentException(
                        "two inline projections are named " + projection.name() + "; names must be unique");
            }
        }
        this.projections = List.copyOf(projections);
        this.clock = clock;
    }

    boolean isEmpty() {
        return projections.isEmpty();
    }

    /**
     * Brings one projection up to the head of the log, inside a write: creates its tables; if another
     * version (or none) is active, replays the whole log into the new version's tables, activates it and
     * drops the old version's tables; otherwise catches up from its checkpoint. Moves its checkpoint to the
     * head.
     */
    void prepare(WriteSession session, SqlProjection projection) throws SQLException {
        String name = projection.name();
        int version = projection.version();
        OptionalInt active = SqliteCheckpointStore.activeVersion(session, name);
        boolean rebuild = active.isEmpty() || active.getAsInt() != version;
        ProjectionContext context = new ProjectionContext(name, version, rebuild);
        try {
            projection.create(session.connection(), context);
        } catch (SQLException e) {
            throw new StoreException(
                    "projection " + name + " could not create the tables of version " + version + ": " + e.getMessage(),
                    e);
        }
        Position from = rebuild ? Position.START : SqliteCheckpointStore.current(session, name);
        Position head = replay(session, projection, context, from);
        SqliteCheckpointStore.upsert(session, name, head, clock);
        SqliteCheckpointStore.activate(session, name, version);
        if (active.isPresent() && active.getAsInt() != version) {
            int old = active.getAsInt();
            try {
                projection.drop(session.connection(), context.withVersion(old));
            } catch (SQLException e) {
                throw new StoreException(
                        "projection " + name + " could not drop the tables of version " + old + ": " + e.getMessage(),
                        e);
            }
        }
    }

    /** The projections, for {@link SqliteStore#open} to prepare one by one. */
    List<SqlProjection> projections() {
        return projections;
    }

    /** Applies the events after {@code from} to the projection; returns the last position read (or from). */
    private Position replay(WriteSession session, SqlProjection projection, ProjectionContext context, Position from)
            throws SQLException {
        PreparedStatement select = session.prepare("SELECT " + Rows.EVENT_COLUMNS
                + " FROM factum_events WHERE global_position > ? ORDER BY global_position LIMIT " + PAGE);
        Position last = from;
        while (true) {
            select.setLong(1, last.position());
            List<RecordedEvent> page = new ArrayList<>(PAGE);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    page.add(Rows.event(rows));
                }
            }
            for (RecordedEvent event : page) {
                apply(session, projection, context, event);
            }
            if (page.isEmpty()) {
                return last;
            }
            last = page.get(page.size() - 1).position();
            if (page.size() < PAGE) {
                return last;
            }
        }
    }

    /**
     * Applies the events an append just inserted (at consecutive positions ending at {@code lastPosition})
     * to every projection and moves their checkpoints to {@code lastPosition}, inside the append's write.
     *
     * @throws ProjectionException if a projection fails; the writer then rolls the whole append back
     */
    void applyAppend(
            WriteSession session,
            String streamId,
            long firstVersion,
            List<EventData> events,
            long lastPosition,
            Instant recordedAt)
            throws SQLException {
        long firstPosition = lastPosition - events.size() + 1;
        List<RecordedEvent> recorded = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            EventData event = events.get(i);
            recorded.add(new RecordedEvent(
                    event.eventId(),
                    streamId,
                    firstVersion + i,
                    Position.of(firstPosition + i),
                    event.type(),
                    event.schemaVersion(),
                    event.data(),
                    event.metadata(),
                    recordedAt,
                    event.tags()));
        }
        Position last = Position.of(lastPosition);
        for (SqlProjection projection : projections) {
            ProjectionContext context = new ProjectionContext(projection.name(), projection.version(), false);
            for (RecordedEvent event : recorded) {
                apply(session, projection, context, event);
            }
            SqliteCheckpointStore.upsert(session, projection.name(), last, clock);
        }
    }

    private static void apply(
            WriteSession session, SqlProjection projection, ProjectionContext context, RecordedEvent event) {
        if (!projection.filter().matches(event)) {
            return;
        }
        try {
            projection.apply(session.connection(), context, event);
        } catch (SQLException | RuntimeException e) {
            throw new ProjectionException(projection.name(), event.streamId(), event.position(), e);
        }
    }
}
