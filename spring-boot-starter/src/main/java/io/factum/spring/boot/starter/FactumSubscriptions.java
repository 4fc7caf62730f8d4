package io.factum.spring.boot.starter;

import io.factum.core.SqlEventStore;
import io.factum.core.subscription.ProjectionGroup;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.RetryPolicy;
import io.factum.core.subscription.SqlProjection;
import io.factum.core.subscription.Subscription;
import io.factum.core.subscription.SubscriptionStatus;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The projections and subscriptions of the application, run with its context: the {@link SqlProjection}
 * beans (as one {@link ProjectionGroup} by default, {@code factum.projections.grouped}) and the {@link
 * Subscription.Builder} beans, each started as it was built (with the application's {@code MeterRegistry}).
 *
 * <p><b>Life.</b> Nothing runs while the beans are created. They start when the context has been refreshed,
 * before the web server takes requests (phase {@link #PHASE}, below the web server's), so a request never
 * finds a read model that is not running; they stop when the context closes, after the web server finished
 * its requests (graceful shutdown), each finishing the batch it was applying and saving its checkpoint. The
 * store is closed after them, when its bean is destroyed. If one fails to start, those already started are
 * closed and the context does not start.
 *
 * <p>Inject this bean to query a read model ({@link #projection}) or to look at a subscription. Thread-safe.
 */
public final class FactumSubscriptions implements SmartLifecycle {

    /**
     * The lifecycle phase: below Spring Boot's web server (which starts at {@code DEFAULT_PHASE - 2048} and
     * shuts down gracefully at {@code DEFAULT_PHASE - 1024}), so the read side starts before it and stops
     * after it.
     */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final Logger LOG = LoggerFactory.getLogger(FactumSubscriptions.class);

    private final FactumProperties.Projections settings;
    private final @Nullable SqlEventStore store;
    private final List<SqlProjection> projections;
    private final List<Subscription.Builder> subscriptions;
    private final Optional<MeterRegistry> registry;
    private volatile @Nullable Running running;

    /**
     * @throws FactumConfigurationException if there are projections but the store is not a SQL store
     */
    FactumSubscriptions(
            FactumProperties.Projections settings,
            Supplier<@Nullable SqlEventStore> store,
            List<SqlProjection> projections,
            List<Subscription.Builder> subscriptions,
            Optional<MeterRegistry> registry) {
        this.settings = settings;
        this.projections = List.copyOf(projections);
        this.subscriptions = List.copyOf(subscriptions);
        this.registry = registry;
        this.store = projections.isEmpty() ? null : store.get();
        if (!projections.isEmpty() && this.store == null) {
            throw new FactumConfigurationException("SQL projection beans " + names(projections) + " keep their"
                    + " read models in the store's database, but the context has no SqlEventStore bean (the"
                    + " application's own EventStore bean is not one); remove that bean to use the store of"
                    + " factum.store.*, or make it a SqlEventStore");
        }
    }

    /**
     * The running projection {@code name} ({@link SqlProjection#name()}), to query its read model.
     *
     * @throws IllegalArgumentException if no projection bean has that name
     * @throws IllegalStateException if the read side is not running (before the context was refreshed, or
     *     once it is closing)
     */
    public ProjectionSubscription projection(String name) {
        ProjectionSubscription projection = started().projections().get(name);
        if (projection == null) {
            throw new IllegalArgumentException("no projection named " + name + "; the projection beans are "
                    + started().projections().keySet());
        }
        return projection;
    }

    /**
     * The running subscription {@code name}, of a {@link Subscription.Builder} bean.
     *
     * @throws IllegalArgumentException if no subscription bean has that name
     * @throws IllegalStateException if the read side is not running
     */
    public Subscription subscription(String name) {
        Subscription subscription = started().subscriptions().get(name);
        if (subscription == null) {
            throw new IllegalArgumentException("no subscription named " + name + "; the subscription beans are "
                    + started().subscriptions().keySet());
        }
        return subscription;
    }

    /**
     * The status of every projection and subscription, answered from memory (never waits for the store);
     * empty while the read side is not running.
     */
    public List<SubscriptionStatus> statuses() {
        Running now = running;
        if (now == null) {
            return List.of();
        }
        List<SubscriptionStatus> statuses = new ArrayList<>();
        now.projections().values().forEach(projection -> statuses.add(projection.status()));
        now.subscriptions().values().forEach(subscription -> statuses.add(subscription.status()));
        return statuses;
    }

    @Override
    public synchronized void start() {
        if (running != null) {
            return;
        }
        List<AutoCloseable> started = new ArrayList<>();
        try {
            Map<String, ProjectionSubscription> runningProjections = startProjections(started);
            Map<String, Subscription> runningSubscriptions = new LinkedHashMap<>();
            for (Subscription.Builder builder : subscriptions) {
                registry.ifPresent(builder::meterRegistry);
                Subscription subscription = builder.start();
                started.add(subscription);
                runningSubscriptions.put(subscription.name(), subscription);
            }
            running = new Running(started, runningProjections, runningSubscriptions);
            if (!runningProjections.isEmpty()) {
                LOG.info(
                        "started the projections {}{}",
                        runningProjections.keySet(),
                        settings.grouped() ? " as one group" : ", each on its own");
            }
            if (!runningSubscriptions.isEmpty()) {
                LOG.info("started the subscriptions {}", runningSubscriptions.keySet());
            }
        } catch (RuntimeException e) {
            closeAll(started);
            throw e;
        }
    }

    private Map<String, ProjectionSubscription> startProjections(List<AutoCloseable> started) {
        Map<String, ProjectionSubscription> byName = new LinkedHashMap<>();
        if (projections.isEmpty() || store == null) {
            return byName;
        }
        RetryPolicy retry = new RetryPolicy(
                settings.retry().maxAttempts(),
                settings.retry().initialBackoff(),
                settings.retry().maxBackoff());
        if (settings.grouped()) {
            ProjectionGroup.Builder builder = store.sqlProjections(projections)
                    .batchSize(settings.batchSize())
                    .retry(retry);
            registry.ifPresent(builder::meterRegistry);
            ProjectionGroup group = builder.start();
            started.add(group);
            for (SqlProjection projection : projections) {
                byName.put(projection.name(), group.member(projection.name()));
            }
        } else {
            for (SqlProjection projection : projections) {
                Subscription.ProjectionBuilder builder = store.sqlProjection(projection)
                        .batchSize(settings.batchSize())
                        .retry(retry);
                registry.ifPresent(builder::meterRegistry);
                ProjectionSubscription subscription = builder.start();
                started.add(subscription);
                byName.put(projection.name(), subscription);
            }
        }
        return byName;
    }

    @Override
    public synchronized void stop() {
        Running now = running;
        running = null;
        if (now != null) {
            closeAll(now.closeables());
            LOG.info("stopped the projections and subscriptions; their checkpoints are saved");
        }
    }

    @Override
    public boolean isRunning() {
        return running != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    private Running started() {
        Running now = running;
        if (now == null) {
            throw new IllegalStateException("Factum's projections and subscriptions are not running: they start when"
                    + " the application context has been refreshed and stop when it closes");
        }
        return now;
    }

    /** Closes in the reverse order of starting; every one is closed even if one fails. */
    private static void closeAll(List<AutoCloseable> started) {
        RuntimeException failure = null;
        for (AutoCloseable closeable : started.reversed()) {
            try {
                closeable.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("could not close " + closeable + ": " + e.getMessage(), e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static List<String> names(List<SqlProjection> projections) {
        return projections.stream().map(SqlProjection::name).toList();
    }

    /** What runs, and in which order it started. */
    private record Running(
            List<AutoCloseable> closeables,
            Map<String, ProjectionSubscription> projections,
            Map<String, Subscription> subscriptions) {}
}
