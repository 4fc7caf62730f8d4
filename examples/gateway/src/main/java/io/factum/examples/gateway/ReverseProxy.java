package io.factum.examples.gateway;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's reverse proxy, sending each request to the instance {@link EdgeHandler} chose for it. What
 * Jetty does already is what a gateway in front of Factum must do: every end-to-end header goes through
 * unchanged, both ways ({@code If-Match}, {@code ETag}, {@code Idempotency-Key}, {@code Expected-Version},
 * {@code Factum-Position}, {@code Origin}, {@code Sec-Fetch-Site}, {@code Authorization}), the {@code
 * Host} is kept (so a service's same-origin check sees the address the browser used), statuses and bodies
 * are copied as they are, and each chunk of a response is written to the client as it arrives (Server-Sent
 * Events are not buffered). This class adds only what is the gateway's own: the key is not passed on, a
 * request without a {@code traceparent} gets one, a time limit for all but event streams, and an instance
 * that refuses connections is taken out of its service's turn (a read then goes to the next one).
 */
final class ReverseProxy extends ProxyHandler {

    /** The request attribute that names where {@link EdgeHandler} sends the request. */
    static final String TARGET = ReverseProxy.class.getName() + ".target";

    /** Where a request goes: an instance of a service. */
    record Target(Backends backends, URI instance) {}

    private static final Set<String> READS = Set.of("GET", "HEAD");

    private final Duration requestTimeout;
    private final Duration idleTimeout;

    ReverseProxy(Duration requestTimeout, Duration idleTimeout) {
        this.requestTimeout = requestTimeout;
        this.idleTimeout = idleTimeout;
    }

    @Override
    protected void configureHttpClient(HttpClient httpClient) {
        super.configureHttpClient(httpClient);
        // an event stream stays open; Factum's streams send a heartbeat well within this
        httpClient.setIdleTimeout(idleTimeout.toMillis());
    }

    @Override
    protected HttpURI rewriteHttpURI(Request clientToProxyRequest) {
        HttpURI asked = clientToProxyRequest.getHttpURI();
        return HttpURI.build(target(clientToProxyRequest).instance())
                .path(asked.getPath())
                .query(asked.getQuery());
    }

    @Override
    protected org.eclipse.jetty.client.Request newProxyToServerRequest(
            Request clientToProxyRequest, HttpURI newHttpURI) {
        org.eclipse.jetty.client.Request proxyToServer =
                super.newProxyToServerRequest(clientToProxyRequest, newHttpURI);
        String accept = clientToProxyRequest.getHeaders().get(HttpHeader.ACCEPT);
        boolean eventStream = accept != null && accept.contains("text/event-stream");
        return eventStream ? proxyToServer : proxyToServer.timeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void copyRequestHeaders(
            Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest) {
        super.copyRequestHeaders(clientToProxyRequest, proxyToServerRequest);
        proxyToServerRequest.headers(headers -> {
            // the key is the edge's; the service has its own (Authorization, X-API-Key), passed on as sent
            headers.remove(EdgeHandler.KEY_HEADER);
            if (!headers.contains(TRACEPARENT)) {
                headers.put(TRACEPARENT, newTraceparent());
            }
        });
    }

    @Override
    protected void onServerToProxyResponseFailure(
            Request clientToProxyRequest,
            org.eclipse.jetty.client.Request proxyToServerRequest,
            org.eclipse.jetty.client.Response serverToProxyResponse,
            Response proxyToClientResponse,
            Callback proxyToClientCallback,
            Throwable failure) {
        if (refusedConnection(failure)) {
            Target target = target(clientToProxyRequest);
            target.backends().unreachable(target.instance());
            // nothing reached the instance: a read goes to the next ready one; a write is not sent again by the
            // gateway (its body was read), the client retries it, with its Idempotency-Key
            Optional<URI> next = target.backends().next();
            if (READS.contains(clientToProxyRequest.getMethod())
                    && !proxyToClientResponse.isCommitted()
                    && next.isPresent()) {
                clientToProxyRequest.setAttribute(TARGET, new Target(target.backends(), next.get()));
                handle(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback);
                return;
            }
            // the request was not sent, so it is safe to send again: 503 and when, not 502
            proxyToClientResponse.getHeaders().put(HttpHeader.RETRY_AFTER, EdgeHandler.RETRY_AFTER_SECONDS);
            Response.writeError(
                    clientToProxyRequest,
                    proxyToClientResponse,
                    proxyToClientCallback,
                    503,
                    "no instance of " + target.backends().service() + " took the request ("
                            + target.instance() + " refused the connection); retry after "
                            + EdgeHandler.RETRY_AFTER_SECONDS + " s");
            return;
        }
        // 502, or 504 for a timeout, written by the gateway's ProblemErrorHandler
        super.onServerToProxyResponseFailure(
                clientToProxyRequest,
                proxyToServerRequest,
                serverToProxyResponse,
                proxyToClientResponse,
                proxyToClientCallback,
                failure);
    }

    static final String TRACEPARENT = "traceparent";

    /**
     * A new W3C trace context: version 00, a random trace id and parent id, sampled. A request that comes
     * with one keeps it, so the caller's trace goes on through the service.
     */
    static String newTraceparent() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        HexFormat hex = HexFormat.of();
        // never all zeros, which the spec reserves as invalid
        String traceId = hex.toHexDigits(random.nextLong() | 1L) + hex.toHexDigits(random.nextLong());
        String parentId = hex.toHexDigits(random.nextLong() | 1L);
        return "00-" + traceId + "-" + parentId + "-01";
    }

    private static Target target(Request request) {
        if (request.getAttribute(TARGET) instanceof Target target) {
            return target;
        }
        throw new IllegalStateException("request " + request.getHttpURI() + " reached the proxy without a target");
    }

    private static boolean refusedConnection(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }
}
