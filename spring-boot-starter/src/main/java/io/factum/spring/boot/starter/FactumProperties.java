package io.factum.spring.boot.starter;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code factum.*} properties of a Spring Boot application. Every one has a default, so an application
 * that sets none gets an SQLite store in {@code ./data/factum.db}.
 *
 * @param store Which store to open, and where.
 * @param eventTypes The application's event types: sealed interfaces, whose permitted records are each
 *     registered (named by their @EventType annotation or their simple name), or single event classes.
 * @param commands How the command bus is built from the handler beans.
 * @param projections How the SqlProjection beans run.
 * @param health What the factum health contributor reports.
 * @param metrics Whether Factum's meters go to the application's MeterRegistry.
 */
@ConfigurationProperties("factum")
public record FactumProperties(
        @DefaultValue Store store,
        @DefaultValue List<Class<?>> eventTypes,
        @DefaultValue Commands commands,
        @DefaultValue Projections projections,
        @DefaultValue Health health,
        @DefaultValue Metrics metrics) {

    /**
     * The event store.
     *
     * @param type The store: sqlite (one file, nothing to install) or postgres (on the application's
     *     DataSource).
     * @param sqlite The SQLite store's settings.
     * @param postgres The PostgreSQL store's settings.
     */
    public record Store(
            @DefaultValue("sqlite") StoreType type,
            @DefaultValue Sqlite sqlite,
            @DefaultValue Postgres postgres) {}

    /** Which store the starter opens. */
    public enum StoreType {
        /** The embedded store, one file: {@code factum.store.sqlite.file}. */
        SQLITE,
        /** The store on PostgreSQL, on the application's {@code DataSource}. */
        POSTGRES
    }

    /**
     * The SQLite store.
     *
     * @param file The store's file, created with its directories if missing.
     */
    public record Sqlite(@DefaultValue("./data/factum.db") Path file) {}

    /**
     * The PostgreSQL store, opened on the application's {@code DataSource} (which should be a pool of at
     * least {@code writers} + 3 connections).
     *
     * @param schema The schema of Factum's tables, created if missing. The connection's default schema if
     *     not set.
     * @param tablePrefix The prefix of Factum's table names.
     * @param writers The group-commit writer threads, each with a connection of the pool kept for good (the
     *     pool needs at least writers + 3).
     */
    public record Postgres(
            @Nullable String schema,
            @DefaultValue("factum_") String tablePrefix,
            @DefaultValue("2") int writers) {

        /** The schema, if one is set. */
        public Optional<String> schemaName() {
            return Optional.ofNullable(schema);
        }
    }

    /**
     * The command bus.
     *
     * @param expectHandlersFor Command types (sealed interfaces or classes) that must each have a handler
     *     bean: a missing one fails the start of the application instead of the first command of that type.
     * @param logging Whether each command's outcome is logged, with its correlation and command ids in the
     *     MDC.
     */
    public record Commands(
            @DefaultValue List<Class<?>> expectHandlersFor,
            @DefaultValue("true") boolean logging) {}

    /**
     * The {@code SqlProjection} beans.
     *
     * @param grouped Whether they run as one projection group (one read of the log and one transaction per
     *     batch for all) or each on a subscription of its own.
     * @param batchSize The most events read and committed at once.
     * @param retry How a failing event is retried before it is parked.
     */
    public record Projections(
            @DefaultValue("true") boolean grouped,
            @DefaultValue("500") int batchSize,
            @DefaultValue Retry retry) {}

    /**
     * How a failing event is retried before it is parked: {@code maxAttempts} tries, waiting {@code
     * initialBackoff} after the first failure and twice as long after each next one, at most {@code
     * maxBackoff}.
     *
     * @param maxAttempts Tries per event before it is parked.
     * @param initialBackoff The wait after the first failure, doubled after each next one.
     * @param maxBackoff The longest wait between two tries.
     */
    public record Retry(
            @DefaultValue("5") int maxAttempts,
            @DefaultValue("100ms") Duration initialBackoff,
            @DefaultValue("5s") Duration maxBackoff) {}

    /**
     * The {@code factum} health contributor.
     *
     * @param storeTimeout How long the store check waits for the store before it reports it DOWN.
     * @param maxLag How far behind the head (the age of the oldest event not yet processed) a subscription
     *     may be before the subscriptions check reports OUT_OF_SERVICE. Not checked if not set, since a
     *     projection whose version was raised lags by design while it rebuilds beside the active version.
     * @param parkedStatus The status of the parked-events check while events are parked: UP (the count and
     *     the subscriptions are in the details), OUT_OF_SERVICE or DOWN.
     */
    public record Health(
            @DefaultValue("1s") Duration storeTimeout,
            @Nullable Duration maxLag,
            @DefaultValue("up") ParkedStatus parkedStatus) {

        /** The lag limit, if one is set. */
        public Optional<Duration> lagLimit() {
            return Optional.ofNullable(maxLag);
        }
    }

    /** The status the parked-events check reports while events are parked. */
    public enum ParkedStatus {
        /** Healthy, with the parked events in the details. */
        UP,
        /** Out of service: take the instance out of the load balancer until someone replays them. */
        OUT_OF_SERVICE,
        /** Down. */
        DOWN
    }

    /**
     * Factum's meters.
     *
     * @param enabled Whether the command bus, the subscriptions and the projections publish their meters to
     *     the application's MeterRegistry (when it has one).
     */
    public record Metrics(@DefaultValue("true") boolean enabled) {}
}
