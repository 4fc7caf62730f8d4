package io.factum.examples.gateway;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * What the gateway decides before it proxies: which service a path goes to (the longest matching prefix),
 * whether the caller showed the gateway's key (on {@code /api/} only: the web UI is for browsers, which
 * sign in to the service itself), whether the caller's address has room for one more request in flight, and
 * which ready instance answers. A request it refuses gets 404, 401, 429 or 503 with {@code Retry-After}, as
 * problem+json ({@link ProblemErrorHandler}); the rest goes to the wrapped {@link ReverseProxy} with its
 * {@link ReverseProxy#TARGET}.
 */
final class EdgeHandler extends Handler.Wrapper {

    /** The header that carries the gateway's key; the services' own credentials stay in theirs. */
    static final String KEY_HEADER = "X-Gateway-Key";

    /** The paths that need the key. */
    static final String KEYED_PREFIX = "/api/";

    /** What a client is told to wait when no instance is ready, in seconds. */
    static final int RETRY_AFTER_SECONDS = 1;

    private final List<Map.Entry<String, Backends>> routes;
    private final Optional<byte[]> key;
    private final int maxInFlightPerClient;

    /** The requests each client address has in flight (until their answers end); an address leaves at zero. */
    private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();

    EdgeHandler(Map<String, Backends> routes, Optional<String> key, int maxInFlightPerClient, ReverseProxy proxy) {
        super(proxy);
        // the longest prefix first, so /api/shipping/ wins over /
        this.routes = routes.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<String, Backends> route) ->
                                route.getKey().length())
                        .reversed())
                .toList();
        this.key = key.map(given -> given.getBytes(StandardCharsets.UTF_8));
        this.maxInFlightPerClient = maxInFlightPerClient;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        Optional<Backends> service = routes.stream()
                .filter(route -> path.startsWith(route.getKey()))
                .map(Map.Entry::getValue)
                .findFirst();
        if (service.isEmpty()) {
            Response.writeError(request, response, callback, 404, "no service is routed for " + path);
            return true;
        }
        if (path.startsWith(KEYED_PREFIX) && !keyShown(request)) {
            Response.writeError(
                    request,
                    response,
                    callback,
                    401,
                    path + " needs the gateway's key in the " + KEY_HEADER + " header"
                            + (request.getHeaders().contains(KEY_HEADER) ? "; the one sent is not it" : ""));
            return true;
        }
        Optional<URI> instance = service.get().next();
        if (instance.isEmpty()) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
            Response.writeError(
                    request,
                    response,
                    callback,
                    503,
                    "no instance of " + service.get().service() + " is ready; retry after " + RETRY_AFTER_SECONDS
                            + " s");
            return true;
        }
        String client = Request.getRemoteAddr(request);
        if (!enter(client)) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
            Response.writeError(
                    request,
                    response,
                    callback,
                    429,
                    client + " has " + maxInFlightPerClient + " requests in flight (event streams included), the"
                            + " most allowed; retry after one ends");
            return true;
        }
        request.setAttribute(ReverseProxy.TARGET, new ReverseProxy.Target(service.get(), instance.get()));
        Callback leaving = Callback.from(callback, () -> leave(client));
        try {
            if (super.handle(request, response, leaving)) {
                return true;
            }
        } catch (Exception | Error e) {
            leave(client);
            throw e;
        }
        leave(client);
        return false;
    }

    /** Counts one more request of {@code client} in flight, unless it has the most allowed. */
    private boolean enter(String client) {
        boolean[] entered = {false};
        inFlight.compute(client, (address, count) -> {
            int now = count == null ? 0 : count;
            if (now >= maxInFlightPerClient) {
                return now;
            }
            entered[0] = true;
            return now + 1;
        });
        return entered[0];
    }

    private void leave(String client) {
        inFlight.computeIfPresent(client, (address, count) -> count <= 1 ? null : count - 1);
    }

    /** The requests {@code client} has in flight now. */
    int inFlight(String client) {
        return inFlight.getOrDefault(client, 0);
    }

    private boolean keyShown(Request request) {
        if (key.isEmpty()) {
            return true;
        }
        String shown = request.getHeaders().get(KEY_HEADER);
        // compared in constant time, so the answer's timing does not tell how much of a guess was right
        return shown != null && MessageDigest.isEqual(key.get(), shown.getBytes(StandardCharsets.UTF_8));
    }
}
