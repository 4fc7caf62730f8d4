package io.factum.examples.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.DoSHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.Callback;

/**
 * A small API gateway: one port in front of the instances of Factum services. A request passes, in
 * order, through
 *
 * <ol>
 *   <li>a body size limit (413 past {@link Builder#maxRequestBytes}),
 *   <li>a rate limit per client address (429 and {@code Retry-After} past {@link
 *       Builder#requestsPerSecond}; Jetty's {@code DoSHandler}, a leaky bucket),
 *   <li>a bound on the requests one client address has in flight, event streams included (429 past {@link
 *       Builder#maxInFlightPerClient}): behind the gateway every client has the gateway's address, so a
 *       service's own limits per address cannot tell them apart,
 *   <li>the routing, the key on {@code /api/} and the choice of a ready instance ({@link EdgeHandler}: 404,
 *       401, or 503 and {@code Retry-After}),
 *   <li>Jetty's reverse proxy ({@link ReverseProxy}), which passes headers, statuses and bodies through and
 *       streams the answer.
 * </ol>
 *
 * <p>A teaching example: in production use your platform's gateway (Envoy, NGINX, a cloud API gateway)
 * with the same settings.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.builder()
 *         .service("orders", List.of(URI.create("http://127.0.0.1:8080"), URI.create("http://127.0.0.1:8081")))
 *         .route("/", "orders")
 *         .apiKey("s3cret")
 *         .start();
 * }</pre>
 */
public final class Gateway implements AutoCloseable {

    private final Server server;
    private final List<Backends> services;
    private final int port;

    private Gateway(Server server, List<Backends> services) {
        this.server = server;
        this.services = services;
        this.port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** A gateway to set up: services, routes, key and limits, then {@link Builder#start()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The port the gateway listens on (the one taken when it was asked for 0). */
    public int port() {
        return port;
    }

    /** Stops listening, ends the requests in flight and the readiness checks. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the gateway on port " + port + " did not stop cleanly", e);
        } finally {
            services.forEach(Backends::close);
        }
    }

    /** The gateway's settings. Not thread-safe; {@link #start()} once. */
    public static final class Builder {

        private final Map<String, List<URI>> services = new LinkedHashMap<>();
        private final Map<String, String> routes = new LinkedHashMap<>();
        private String host = "127.0.0.1";
        private int port = 8000;
        private Optional<String> apiKey = Optional.empty();
        private int requestsPerSecond = 20;
        private long maxRequestBytes = 1024 * 1024;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration readinessInterval = Duration.ofSeconds(1);
        private int maxInFlightPerClient = 32;
        private int maxConnections = 1000;

        private Builder() {}

        /**
         * The most requests one client address may have in flight at once, open event streams included (32 by
         * default; then 429).
         */
        public Builder maxInFlightPerClient(int requests) {
            if (requests < 1) {
                throw new IllegalArgumentException("maxInFlightPerClient must be at least 1, got " + requests);
            }
            this.maxInFlightPerClient = requests;
            return this;
        }

        /** The most connections the gateway holds open in all (1000 by default); past it, it stops accepting. */
        public Builder maxConnections(int connections) {
            if (connections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, got " + connections);
            }
            this.maxConnections = connections;
            return this;
        }

        /** Listens on {@code host} (127.0.0.1 by default) and {@code port} (8000; 0 takes any free one). */
        public Builder listen(String host, int port) {
            this.host = host;
            this.port = port;
            return this;
        }

        /** A service and the base URIs of its instances ({@code http://host:port}). */
        public Builder service(String name, List<URI> instances) {
            services.put(name, List.copyOf(instances));
            return this;
        }

        /** Sends paths that start with {@code prefix} to {@code service}; the longest matching prefix wins. */
        public Builder route(String prefix, String service) {
            if (!prefix.startsWith("/")) {
                throw new IllegalArgumentException("a route's prefix must start with /, got '" + prefix + "'");
            }
            routes.put(prefix, service);
            return this;
        }

        /** The key callers must send in {@code X-Gateway-Key} for paths under {@code /api/}; none by default. */
        public Builder apiKey(String key) {
            if (key.isBlank()) {
                throw new IllegalArgumentException("the gateway key must not be blank");
            }
            this.apiKey = Optional.of(key);
            return this;
        }

        /** Requests a second one client address may send, and as many in a burst (20 by default; then 429). */
        public Builder requestsPerSecond(int requestsPerSecond) {
            this.requestsPerSecond = requestsPerSecond;
            return this;
        }

        /** The largest request body (1 MiB by default). */
        public Builder maxRequestBytes(long maxRequestBytes) {
            this.maxRequestBytes = maxRequestBytes;
            return this;
        }

        /** How long an instance may take to answer, event streams aside (30 s by default; then 504). */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /** How often each instance is asked whether it is ready (every second by default). */
        public Builder readinessInterval(Duration readinessInterval) {
            this.readinessInterval = readinessInterval;
            return this;
        }

        /**
         * Checks the instances once and starts listening.
         *
         * @throws IllegalArgumentException if there is no route, or a route names a service not set up
         * @throws IllegalStateException if the port cannot be taken
         */
        public Gateway start() {
            if (routes.isEmpty()) {
                throw new IllegalArgumentException("the gateway needs at least one route, got none");
            }
            Map<String, Backends> backends = new LinkedHashMap<>();
            services.forEach((name, instances) -> backends.put(name, new Backends(name, instances, readinessInterval)));
            Map<String, Backends> routed = new LinkedHashMap<>();
            routes.forEach((prefix, service) -> {
                Backends target = backends.get(service);
                if (target == null) {
                    throw new IllegalArgumentException("route " + prefix + " names service '" + service
                            + "', but the services are " + backends.keySet());
                }
                routed.put(prefix, target);
            });
            List<Backends> started = new ArrayList<>(backends.values());

            Server server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost(host);
            connector.setPort(port);
            connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
            server.addConnector(connector);
            server.addBean(new NetworkConnectionLimit(maxConnections, connector));
            server.setErrorHandler(new ProblemErrorHandler());
            ReverseProxy proxy = new ReverseProxy(requestTimeout, IDLE_TIMEOUT);
            EdgeHandler edge = new EdgeHandler(routed, apiKey, maxInFlightPerClient, proxy);
            // Jetty's bucket lets a request in while it holds fewer than its size: one more than the burst
            DoSHandler perClient = new DoSHandler(
                    edge,
                    DoSHandler.ID_FROM_REMOTE_ADDRESS,
                    new DoSHandler.LeakingBucketTrackerFactory(requestsPerSecond, requestsPerSecond + 1, IDLE_TIMEOUT),
                    (request, response, callback) -> tooManyRequests(request, response, callback, requestsPerSecond),
                    -1);
            SizeLimitHandler bodySize = new SizeLimitHandler(maxRequestBytes, -1);
            bodySize.setHandler(perClient);
            server.setHandler(bodySize);
            try {
                started.forEach(Backends::start);
                server.start();
            } catch (Exception e) {
                started.forEach(Backends::close);
                throw new IllegalStateException("the gateway cannot listen on " + host + ":" + port, e);
            }
            return new Gateway(server, started);
        }
    }

    /** How long a connection, or a tracked client, may stay idle. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

    private static boolean tooManyRequests(Request request, Response response, Callback callback, int allowed) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, EdgeHandler.RETRY_AFTER_SECONDS);
        Response.writeError(
                request,
                response,
                callback,
                429,
                "more requests a second from " + Request.getRemoteAddr(request) + " than the " + allowed
                        + " allowed; retry after " + EdgeHandler.RETRY_AFTER_SECONDS + " s");
        return true;
    }
}
