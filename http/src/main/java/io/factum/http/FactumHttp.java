package io.factum.http;

import io.factum.core.EventStore;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Factum's HTTP surfaces for one event store, to mount on a Javalin application:
 *
 * <pre>{@code
 * FactumHttp http = FactumHttp.builder(store)
 *         .security(HttpSecurity.builder().apiKey(secret, Role.ADMIN).build())
 *         .build();
 * Javalin app = Javalin.create(config -> http.configure(config)).start("127.0.0.1", 2113);
 * }</pre>
 *
 * <p>What it mounts: the event feeds and appends ({@code /streams/...}, AtomPub-style, Atom and JSON),
 * live subscriptions over Server-Sent Events ({@code /subscriptions/...}), the admin pages ({@code
 * /admin}), {@code /metrics} and {@code /health}. Errors are RFC 9457 problem details. Thread-safe once
 * built.
 */
public final class FactumHttp {

    private final EventStore store;
    private final HttpSecurity security;
    private final HttpLimits limits;
    private final LongLivedRequests longLived;
    private final ReadSideRegistry readSide;
    private final @Nullable StoreStats storeStats;
    private final @Nullable MeterRegistry meters;
    private final OpenTelemetry openTelemetry;
    private final boolean parkedEventsUnready;
    private final Duration healthTimeout;

    private FactumHttp(Builder builder) {
        this.store =
                builder.subjectKeys == null ? builder.store : new RevealingStore(builder.store, builder.subjectKeys);
        this.security = builder.security;
        this.limits = builder.limits;
        this.longLived = new LongLivedRequests(builder.limits);
        this.readSide = builder.readSide;
        this.storeStats = builder.storeStats;
        this.meters = builder.meters;
        this.openTelemetry = builder.openTelemetry;
        this.parkedEventsUnready = builder.parkedEventsUnready;
        this.healthTimeout = builder.healthTimeout;
    }

    /** The surfaces of {@code store}. */
    public static Builder builder(EventStore store) {
        return new Builder(store);
    }

    /**
     * Adds Factum's routes, filters and error handlers to a Javalin application being configured. It also
     * sets what holds for the whole application: the largest request body, the idle and request timeouts of
     * {@link HttpLimits}, and, unless the application set {@code config.jetty.threadPool}, a thread pool that
     * runs requests on virtual threads.
     */
    public void configure(JavalinConfig config) {
        Problems.install(config, this);
        SecurityFilter.install(config, this);
        FeedRoutes.install(config, this);
        SseRoutes.install(config, this);
        AdminRoutes.install(config, this);
        OpsRoutes.install(config, this);
    }

    /** A Javalin application with nothing but Factum's surfaces, started on {@code host}:{@code port}. */
    public Javalin start(String host, int port) {
        return Javalin.create(config -> {
                    config.jetty.host = host;
                    config.jetty.port = port;
                    configure(config);
                })
                .start();
    }

    /** The store these surfaces serve. */
    public EventStore store() {
        return store;
    }

    HttpSecurity security() {
        return security;
    }

    HttpLimits limits() {
        return limits;
    }

    LongLivedRequests longLived() {
        return longLived;
    }

    ReadSideRegistry readSide() {
        return readSide;
    }

    Optional<StoreStats> storeStats() {
        return Optional.ofNullable(storeStats);
    }

    Optional<MeterRegistry> meters() {
        return Optional.ofNullable(meters);
    }

    OpenTelemetry openTelemetry() {
        return openTelemetry;
    }

    boolean parkedEventsUnready() {
        return parkedEventsUnready;
    }

    Duration healthTimeout() {
        return healthTimeout;
    }

    /** The settings of the surfaces; {@link #build()} makes them. Not thread-safe. */
    public static final class Builder {
        private final EventStore store;
        private HttpSecurity security = HttpSecurity.denyAll();
        private HttpLimits limits = HttpLimits.defaults();
        private ReadSideRegistry readSide = new ReadSideRegistry();
        private @Nullable StoreStats storeStats;
        private @Nullable MeterRegistry meters;
        private OpenTelemetry openTelemetry = OpenTelemetry.noop();
        private io.factum.core.gdpr.@Nullable SubjectKeyStore subjectKeys;
        private boolean parkedEventsUnready;
        private Duration healthTimeout = Duration.ofSeconds(1);

        private Builder(EventStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /**
         * What {@code /health/ready} says while a subscription has parked events: by default {@code
         * DEGRADED} with 200 (the application serves, but a read model lacks events and someone must look);
         * with {@code true}, {@code DOWN} with 503, so that an orchestrator takes the instance out.
         */
        public Builder parkedEventsMakeUnready(boolean unready) {
            this.parkedEventsUnready = unready;
            return this;
        }

        /**
         * How long {@code /health/ready} waits for the store to answer before it says {@code DOWN}: 1 s by
         * default, within the probe time-outs of orchestrators. The rest of the answer (subscriptions, parked
         * events) comes from memory at once.
         */
        public Builder healthTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("healthTimeout must be positive, got " + timeout);
            }
            this.healthTimeout = timeout;
            return this;
        }

        /** Who may do what; by default nobody may do anything but {@code /health}. */
        public Builder security(HttpSecurity rules) {
            this.security = Objects.requireNonNull(rules, "rules");
            return this;
        }

        /** Request sizes and timeouts; {@link HttpLimits#defaults()} by default. */
        public Builder limits(HttpLimits httpLimits) {
            this.limits = Objects.requireNonNull(httpLimits, "httpLimits");
            return this;
        }

        /** The subscriptions, projections and consumer groups the admin pages and health show. */
        public Builder readSide(ReadSideRegistry registry) {
            this.readSide = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Store-specific figures for the admin pages and metrics (for example PostgreSQL's xmin age). */
        public Builder storeStats(StoreStats stats) {
            this.storeStats = Objects.requireNonNull(stats, "stats");
            return this;
        }

        /** Where HTTP metrics go and what {@code /metrics} shows (a Prometheus registry for the text format). */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meters = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Where the spans of HTTP requests go ({@code HTTP <method> <route>}, a child of the caller's W3C
         * {@code traceparent}); {@link OpenTelemetry#noop()} by default. Appends are traced by a store
         * decorated with {@link Observed#store}.
         */
        public Builder openTelemetry(OpenTelemetry telemetry) {
            this.openTelemetry = Objects.requireNonNull(telemetry, "telemetry");
            return this;
        }

        /**
         * Reveals crypto-shredded personal data to readers of the feeds, subscriptions and admin pages: values
         * encrypted by {@code EventSerializer.withPersonalData(keys)} are shown decrypted, and as {@value
         * io.factum.core.gdpr.CryptoShredder#ERASED} once their subject is forgotten. Without it they are
         * shown in their encrypted form. Whoever may read a stream then reads its personal data: guard such
         * streams with {@link HttpSecurity.Builder#streamRule}.
         */
        public Builder personalData(io.factum.core.gdpr.SubjectKeyStore keys) {
            this.subjectKeys = Objects.requireNonNull(keys, "keys");
            return this;
        }

        /** Makes the surfaces. */
        public FactumHttp build() {
            return new FactumHttp(this);
        }
    }
}
