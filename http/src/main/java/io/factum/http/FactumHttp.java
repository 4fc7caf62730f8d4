package io.factum.http;

import io.factum.core.EventStore;
import io.factum.core.observation.Observed;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.JavalinState;
import io.javalin.plugin.Plugin;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
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
 * /admin}), {@code /metrics} and {@code /health}, all under an optional {@link Builder#prefix}. Errors are
 * RFC 9457 problem details. It is a guest in the application: its credentials, limits, metrics and error
 * handling are its own routes' alone, never filters or handlers of the whole application. Thread-safe once
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
    private final ObservationRegistry observations;
    private final boolean parkedEventsUnready;
    private final Duration healthTimeout;
    private final String prefix;
    private final Supplier<Optional<String>> writeProblem;
    private final Optional<ApplicationLink> applicationLink;

    private FactumHttp(Builder builder) {
        this.store =
                builder.subjectKeys == null ? builder.store : new RevealingStore(builder.store, builder.subjectKeys);
        this.security = builder.security;
        this.limits = builder.limits;
        this.longLived = new LongLivedRequests(builder.limits);
        this.readSide = builder.readSide;
        this.storeStats = builder.storeStats;
        this.meters = builder.meters;
        this.observations = builder.observations != null
                ? builder.observations
                : builder.meters != null ? Observed.withMetrics(builder.meters) : ObservationRegistry.NOOP;
        this.parkedEventsUnready = builder.parkedEventsUnready;
        this.healthTimeout = builder.healthTimeout;
        this.prefix = builder.prefix;
        this.writeProblem = builder.writeProblem;
        this.applicationLink = builder.applicationLink;
    }

    /** A link from the admin pages back to the application that hosts them. */
    record ApplicationLink(String label, String href) {}

    /** The surfaces of {@code store}. */
    public static Builder builder(EventStore store) {
        return new Builder(store);
    }

    /**
     * Adds Factum's routes to a Javalin application being configured, as the plugin {@link #plugin()}. It
     * stays in its own rooms: its security, limits, metrics and error handling apply to its own routes
     * only (under {@link Builder#prefix}); the application's routes, filters, exception handlers and
     * settings are left as they are.
     */
    public void configure(JavalinConfig config) {
        config.registerPlugin(plugin());
    }

    /** Factum's routes as a Javalin plugin: {@code config.registerPlugin(factum.plugin())}. */
    public Plugin<Void> plugin() {
        return new FactumPlugin(this);
    }

    /** The plugin of {@link #plugin()}: it adds the routes when the application starts. */
    private static final class FactumPlugin extends Plugin<Void> {
        private final FactumHttp http;

        FactumPlugin(FactumHttp http) {
            this.http = http;
        }

        @Override
        public void onStart(JavalinState state) {
            Rooms rooms = new Rooms(state.routes, http);
            DcbRoutes.install(rooms, http);
            FeedRoutes.install(rooms, http);
            SseRoutes.install(rooms, http);
            AdminRoutes.install(rooms, http);
            OpsRoutes.install(rooms, http);
        }

        @Override
        public String name() {
            return "factum";
        }

        /** An application may mount several stores, each under a prefix of its own. */
        @Override
        public boolean repeatable() {
            return true;
        }
    }

    /**
     * The settings of a Javalin application that is Factum's alone ({@link #start}, the standalone
     * server): Jetty's idle timeout ({@link HttpLimits#idleTimeout()}), requests on virtual threads (unless
     * it chose a thread pool of its own) and problem+json for requests Jetty refuses before any route and for
     * paths no route serves. A
     * host application that wants them for all its routes may call it too; Factum's own routes do not need
     * it.
     */
    public void configureServer(JavalinConfig config) {
        SecurityFilter.serverDefaults(config, limits);
        config.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler()));
        // a path no route serves is a problem too (a route's own 404, a stream not found, keeps its body)
        config.routes.error(404, "*", ctx -> {
            if (OpsRoutes.route(ctx).equals("unmatched")) {
                Problems.write(
                        ctx,
                        404,
                        "http-404",
                        "Not Found",
                        "nothing is served at " + ctx.method() + " " + ctx.path(),
                        java.util.Map.of());
            }
        });
    }

    /** A Javalin application with nothing but Factum's surfaces, started on {@code host}:{@code port}. */
    public Javalin start(String host, int port) {
        return Javalin.create(config -> {
                    config.jetty.host = host;
                    config.jetty.port = port;
                    configureServer(config);
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

    ObservationRegistry observations() {
        return observations;
    }

    boolean parkedEventsUnready() {
        return parkedEventsUnready;
    }

    Duration healthTimeout() {
        return healthTimeout;
    }

    Optional<ApplicationLink> applicationLink() {
        return applicationLink;
    }

    String prefix() {
        return prefix;
    }

    Optional<String> writeProblem() {
        return writeProblem.get();
    }

    /** The settings of the surfaces; {@link #build()} makes them. Not thread-safe. */
    public static final class Builder {
        private final EventStore store;
        private HttpSecurity security = HttpSecurity.denyAll();
        private HttpLimits limits = HttpLimits.defaults();
        private ReadSideRegistry readSide = new ReadSideRegistry();
        private @Nullable StoreStats storeStats;
        private @Nullable MeterRegistry meters;
        private @Nullable ObservationRegistry observations;
        private io.factum.core.gdpr.@Nullable SubjectKeyStore subjectKeys;
        private boolean parkedEventsUnready;
        private Duration healthTimeout = Duration.ofSeconds(1);
        private String prefix = "";
        private Supplier<Optional<String>> writeProblem = Optional::empty;
        private Optional<ApplicationLink> applicationLink = Optional.empty();

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

        /**
         * Where Factum's routes live in the application: {@code "/factum"} serves {@code /factum/streams},
         * {@code /factum/admin}, {@code /factum/health}; none ({@code ""}) by default, as the standalone
         * server has it.
         *
         * @throws IllegalArgumentException unless it is empty or a path like {@code /factum} (no trailing
         *     slash, no wildcards or parameters)
         */
        public Builder prefix(String path) {
            if (!path.isEmpty() && !path.matches("(/[A-Za-z0-9._~-]+)+")) {
                throw new IllegalArgumentException(
                        "a prefix is empty or a path like /factum (segments of letters, digits, . _ ~ -, no trailing"
                                + " slash), got '" + path + "'");
            }
            this.prefix = path;
            return this;
        }

        /**
         * Why the store's writes fail now, for {@code /health/ready}: while it says something, the store
         * check is {@code DOWN} (503), even though reads work (a full disk under SQLite). For a {@code
         * SqlEventStore}: {@code store::writeProblem}. None by default.
         */
        public Builder writeProblem(Supplier<Optional<String>> problem) {
            this.writeProblem = Objects.requireNonNull(problem, "problem");
            return this;
        }

        /**
         * A link back to the application that hosts the admin pages, shown at the start of their header:
         * {@code applicationLink("Orders", "/")}. None by default (the standalone server has no other pages).
         *
         * @throws IllegalArgumentException unless the label is 1-60 characters and the address a path
         *     ({@code /...}) or an {@code http(s)://} URL, without spaces or quotes
         */
        public Builder applicationLink(String label, String href) {
            if (label.isBlank() || label.length() > 60) {
                throw new IllegalArgumentException(
                        "an application link's label must be 1-60 characters, got " + label.length());
            }
            if (!href.matches("(/|https?://)[^\\s\"'<>]*")) {
                throw new IllegalArgumentException(
                        "an application link is a path like / or an http(s) URL without spaces or quotes, got '" + href
                                + "'");
            }
            this.applicationLink = Optional.of(new ApplicationLink(label, href));
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
         * Where each request to Factum's routes is observed: the observation {@code http.server.requests}
         * (timer tags {@code method}, {@code route}, {@code status}; span {@code HTTP <method> <route>}), current
         * while the route runs, so that the commands and appends it makes are its children, and a child of
         * the caller's W3C {@code traceparent} when the registry has a propagating tracing handler. By default
         * a registry that records timers in the {@link #meterRegistry} ({@link Observed#withMetrics}), or none
         * without one. Give the application's registry (the one its store and command bus are {@link
         * Observed} with) to get one trace from request to append.
         */
        public Builder observations(ObservationRegistry registry) {
            this.observations = Objects.requireNonNull(registry, "registry");
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
