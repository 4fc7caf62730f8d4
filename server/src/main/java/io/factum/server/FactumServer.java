package io.factum.server;

import io.factum.core.SqlEventStore;
import io.factum.core.observation.Observed;
import io.factum.http.FactumHttp;
import io.factum.http.HttpSecurity;
import io.factum.http.Role;
import io.factum.store.postgres.PostgresEventStore;
import io.factum.store.sqlite.SqliteEventStore;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.GlobalOpenTelemetry;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone event store server: one store (SQLite in {@code --data-dir}, or PostgreSQL at {@code
 * --jdbc-url}) behind Factum's HTTP surfaces, with API-key security, Prometheus metrics on {@code
 * /metrics}, health on {@code /health/live} and {@code /health/ready}, and spans of requests and appends
 * through the global OpenTelemetry (the OpenTelemetry Java agent sets it; none without it).
 *
 * <p>On SIGTERM or SIGINT it stops taking requests (503), lets those in flight finish (up to {@code
 * --shutdown-timeout}), stops the web server, closes the store and exits with status 0 (1 if something
 * failed to close). See docs/server.md.
 */
public final class FactumServer {

    private static final Logger LOG = LoggerFactory.getLogger(FactumServer.class);

    private final ServerSettings settings;
    private final SqlEventStore store;
    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics;
    private final ServerDrain drain;
    private final Javalin app;

    private FactumServer(ServerSettings settings) {
        this.settings = settings;
        HttpSecurity security = security(settings);
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        this.gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        // spans only when OpenTelemetry is set up (the Java agent does it before main)
        ObservationRegistry observations =
                Telemetry.observations(registry, GlobalOpenTelemetry.isSet() ? GlobalOpenTelemetry.get() : null);

        SqlEventStore opened = open(settings);
        try {
            this.store = Observed.store(opened, observations, registry);
            FactumHttp surfaces = FactumHttp.builder(store)
                    .security(security)
                    .limits(settings.httpLimits())
                    .meterRegistry(registry)
                    .observations(observations)
                    .storeStats(store::figures)
                    .writeProblem(store::writeProblem)
                    .build();
            this.drain = new ServerDrain();
            this.app = Javalin.create(config -> {
                        config.jetty.host = settings.host();
                        config.jetty.port = settings.port();
                        // the whole application is Factum's: its idle timeout, virtual threads and problem+json
                        // for requests Jetty refuses before any route
                        surfaces.configureServer(config);
                        config.jetty.modifyServletContextHandler(handler ->
                                handler.addFilter(new FilterHolder(drain), "/*", EnumSet.of(DispatcherType.REQUEST)));
                        config.startup.showJavalinBanner = false;
                        surfaces.configure(config);
                    })
                    .start();
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /**
     * Starts a server with these flags over the environment {@code env}.
     *
     * @throws ServerUsageException if the settings do not make a server (no key, a bad flag)
     */
    static FactumServer start(List<String> args, Map<String, String> env) {
        return start(ServerSettings.parse(args, env));
    }

    /**
     * Starts a server with these settings.
     *
     * @throws ServerUsageException if the settings do not make a server (no key)
     */
    static FactumServer start(ServerSettings settings) {
        FactumServer server = new FactumServer(settings);
        LOG.info(
                "Factum event store listening on http://{}:{} (store: {}; keys: {}; anonymous: {})",
                settings.host(),
                server.port(),
                settings.postgres()
                        ? "PostgreSQL"
                        : "SQLite " + settings.dataDir().resolve("factum.db"),
                keys(settings),
                settings.insecureAnonymous() ? "ADMIN (insecure)" : settings.allowAnonymousRead() ? "READ" : "off");
        return server;
    }

    /** Runs the server until SIGTERM or SIGINT; {@code --help} prints the flags. */
    public static void main(String[] args) {
        FactumServer server;
        try {
            ServerSettings settings = ServerSettings.parse(List.of(args), System.getenv());
            if (settings.help()) {
                System.out.print(ServerSettings.usage());
                return;
            }
            server = start(settings);
        } catch (ServerUsageException e) {
            System.err.println("factum-server: " + e.getMessage());
            System.err.println("Run with --help for the options.");
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            LOG.error("Factum event store failed to start", e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            boolean clean = server.shutdown();
                            System.out.flush();
                            // a JVM ended by a signal exits 128+n after its hooks; a clean stop is 0
                            Runtime.getRuntime().halt(clean ? 0 : 1);
                        },
                        "factum-shutdown"));
    }

    /** The port it listens on (the one picked when started with port 0). */
    int port() {
        return app.port();
    }

    /**
     * Stops taking requests, lets those in flight finish (up to the shutdown timeout), stops the web server
     * and closes the store.
     *
     * @return true if everything stopped cleanly
     */
    boolean shutdown() {
        LOG.info("Factum event store shutting down: {} request(s) in flight", drain.inFlight());
        boolean clean = true;
        try {
            if (!drain.drain(settings.shutdownTimeout())) {
                LOG.warn(
                        "{} request(s) still running after {}; stopping anyway",
                        drain.inFlight(),
                        settings.shutdownTimeout());
                clean = false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            clean = false;
        }
        try {
            app.stop();
        } catch (RuntimeException e) {
            LOG.error("the web server did not stop cleanly", e);
            clean = false;
        }
        try {
            store.close();
        } catch (RuntimeException e) {
            LOG.error("the store did not close cleanly", e);
            clean = false;
        }
        gcMetrics.close();
        registry.close();
        LOG.info("Factum event store stopped{}", clean ? "" : " (not cleanly, see above)");
        return clean;
    }

    static HttpSecurity security(ServerSettings settings) {
        if (!settings.anyKey() && !settings.insecureAnonymous()) {
            throw new ServerUsageException("no API key is configured: set FACTUM_API_KEY (or --api-key) to a long"
                    + " random string, e.g. $(openssl rand -hex 32); or pass --insecure-anonymous to let anyone"
                    + " do anything (local experiments only)");
        }
        HttpSecurity.Builder security = HttpSecurity.builder();
        try {
            settings.adminKey().ifPresent(key -> security.apiKey(key, Role.ADMIN));
            settings.writeKey().ifPresent(key -> security.apiKey(key, Role.WRITE));
            settings.readKey().ifPresent(key -> security.apiKey(key, Role.READ));
        } catch (IllegalArgumentException e) {
            throw new ServerUsageException(e.getMessage());
        }
        if (settings.insecureAnonymous()) {
            LOG.warn(
                    "--insecure-anonymous: anyone who can reach {}:{} may read, write and administer",
                    settings.host(),
                    settings.port());
            security.anonymous(Role.ADMIN);
        } else if (settings.allowAnonymousRead()) {
            security.anonymous(Role.READ);
        }
        return security.build();
    }

    private static SqlEventStore open(ServerSettings settings) {
        if (settings.postgres()) {
            PostgresEventStore.Builder postgres =
                    PostgresEventStore.builder().jdbcUrl(settings.jdbcUrl().get());
            settings.jdbcUser().ifPresent(postgres::username);
            settings.jdbcPassword().ifPresent(postgres::password);
            return postgres.open();
        }
        Path dir = settings.dataDir();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dir.toAbsolutePath(), e);
        }
        return SqliteEventStore.open(dir.resolve("factum.db"));
    }

    private static String keys(ServerSettings settings) {
        StringBuilder keys = new StringBuilder();
        settings.adminKey().ifPresent(k -> keys.append("admin "));
        settings.writeKey().ifPresent(k -> keys.append("write "));
        settings.readKey().ifPresent(k -> keys.append("read "));
        return keys.isEmpty() ? "none" : keys.toString().trim();
    }
}
