package io.factum.core.observation;

import io.factum.core.EventFilter;
import io.factum.core.RecordedEvent;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.SqlProjection;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** The wrapper of {@link Observed#projection}: the projection's own identity, each batch observed. */
final class ObservedProjection implements SqlProjection {

    private final SqlProjection projection;
    private final ObservationRegistry registry;

    ObservedProjection(SqlProjection projection, ObservationRegistry registry) {
        this.projection = projection;
        this.registry = registry;
    }

    @Override
    public String name() {
        return projection.name();
    }

    @Override
    public int version() {
        return projection.version();
    }

    @Override
    public EventFilter filter() {
        return projection.filter();
    }

    @Override
    public void create(Connection connection, ProjectionContext context) throws SQLException {
        projection.create(connection, context);
    }

    @Override
    public void apply(Connection connection, ProjectionContext context, RecordedEvent event) throws SQLException {
        observed(List.of(event), () -> projection.apply(connection, context, event));
    }

    @Override
    public void applyAll(Connection connection, ProjectionContext context, List<RecordedEvent> events)
            throws SQLException {
        observed(events, () -> projection.applyAll(connection, context, events));
    }

    @Override
    public void drop(Connection connection, ProjectionContext context) throws SQLException {
        projection.drop(connection, context);
    }

    @SuppressWarnings("try") // the scope makes the observation current; it is not used in the body
    private void observed(List<RecordedEvent> events, SqlAction action) throws SQLException {
        Observation observation = Observation.createNotStarted(Observed.PROJECTIONS, registry)
                .contextualName("project " + projection.name())
                .lowCardinalityKeyValue("projection", projection.name())
                .highCardinalityKeyValue("factum.projection.version", Integer.toString(projection.version()))
                .highCardinalityKeyValue("factum.batch.size", Integer.toString(events.size()))
                .highCardinalityKeyValue(
                        "factum.position.first",
                        Long.toString(events.get(0).position().position()))
                .highCardinalityKeyValue(
                        "factum.position.last",
                        Long.toString(events.getLast().position().position()));
        Observed.correlationId(events.get(0))
                .ifPresent(id -> observation.highCardinalityKeyValue(Observed.CORRELATION_ID, id));
        observation.start();
        try (Observation.Scope ignored = observation.openScope()) {
            action.run();
        } catch (SQLException | RuntimeException e) {
            observation.error(e);
            throw e;
        } finally {
            observation.stop();
        }
    }

    /** A step of SQL work. */
    private interface SqlAction {
        void run() throws SQLException;
    }
}
