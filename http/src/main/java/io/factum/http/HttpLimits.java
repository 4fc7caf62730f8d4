package io.factum.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Request sizes, rates, timeouts and how many long-lived requests are served at once, applied when {@link
 * FactumHttp#configure} runs. The largest body, the idle timeout and the request timeout are settings of the
 * whole Javalin application ({@code http.maxRequestSize}, {@code http.asyncTimeout} and Jetty's {@code
 * HttpConfiguration} idle timeout); the minimum data rate holds for the bodies Factum's routes read, and the
 * limits of long-lived requests count Factum's subscriptions and long polls. Immutable; change one with a
 * {@code with...} method.
 *
 * @param maxRequestBytes the largest request body read through Javalin ({@code ctx.body()}), in bytes (a
 *     larger one is answered 413); default 4 MiB, enough for an append of the largest events (1 MiB each
 *     by default) a few at once. The append route reads its body itself, with the same limit
 * @param idleTimeout how long a request may be silent in a read or write before Jetty gives up; default
 *     30 seconds. Long polls and live subscriptions must write (a heartbeat) more often than this
 * @param requestTimeout how long an asynchronous request may take in all: a live subscription is ended
 *     then with a comment saying so, and its client reconnects with {@code Last-Event-ID}; {@link
 *     Duration#ZERO} (the default) for no limit, as live subscriptions run for hours
 * @param minRequestDataRate the slowest an append's or a metadata write's body may arrive, in bytes per
 *     second on average since the server began to read it, once 5 seconds have passed; a slower one is
 *     answered 408 and its connection closed. Checked as bytes arrive: a body that stops arriving is ended
 *     by {@code idleTimeout}. Default {@value #DEFAULT_MIN_REQUEST_DATA_RATE} (1 KiB/s, below any working
 *     network link); 0 for no minimum
 * @param maxLongLivedRequests how many live subscriptions and long polls are served at once, in all; one
 *     more is answered 503 with {@code Retry-After}. Default {@value #DEFAULT_MAX_LONG_LIVED_REQUESTS}
 * @param maxLongLivedRequestsPerClient how many of them one client (one remote address) may hold at once;
 *     one more is answered 429 with {@code Retry-After}. Default {@value
 *     #DEFAULT_MAX_LONG_LIVED_REQUESTS_PER_CLIENT}; behind a reverse proxy every client has the proxy's
 *     address, so raise it to {@code maxLongLivedRequests} there
 */
public record HttpLimits(
        long maxRequestBytes,
        Duration idleTimeout,
        Duration requestTimeout,
        long minRequestDataRate,
        int maxLongLivedRequests,
        int maxLongLivedRequestsPerClient) {

    /** 4 MiB. */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 4L * 1024 * 1024;

    /** 1 KiB per second. */
    public static final long DEFAULT_MIN_REQUEST_DATA_RATE = 1024;

    /** 1,000 subscriptions and long polls. */
    public static final int DEFAULT_MAX_LONG_LIVED_REQUESTS = 1000;

    /** 100 subscriptions and long polls from one address. */
    public static final int DEFAULT_MAX_LONG_LIVED_REQUESTS_PER_CLIENT = 100;

    public HttpLimits {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException("maxRequestBytes must be 1 or more, got " + maxRequestBytes);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive, got " + idleTimeout);
        }
        if (requestTimeout.isNegative()) {
            throw new IllegalArgumentException(
                    "requestTimeout must be zero (no limit) or positive, got " + requestTimeout);
        }
        if (minRequestDataRate < 0) {
            throw new IllegalArgumentException(
                    "minRequestDataRate must be 0 (no minimum) or more bytes per second, got " + minRequestDataRate);
        }
        if (maxLongLivedRequests < 1) {
            throw new IllegalArgumentException("maxLongLivedRequests must be 1 or more, got " + maxLongLivedRequests);
        }
        if (maxLongLivedRequestsPerClient < 1) {
            throw new IllegalArgumentException(
                    "maxLongLivedRequestsPerClient must be 1 or more, got " + maxLongLivedRequestsPerClient);
        }
    }

    /**
     * The defaults: 4 MiB bodies at 1 KiB/s or faster, 30 seconds idle, no limit on a whole request, 1,000
     * subscriptions and long polls at once and 100 of them per client.
     */
    public static HttpLimits defaults() {
        return new HttpLimits(
                DEFAULT_MAX_REQUEST_BYTES,
                Duration.ofSeconds(30),
                Duration.ZERO,
                DEFAULT_MIN_REQUEST_DATA_RATE,
                DEFAULT_MAX_LONG_LIVED_REQUESTS,
                DEFAULT_MAX_LONG_LIVED_REQUESTS_PER_CLIENT);
    }

    /** These limits with another largest request body. */
    public HttpLimits withMaxRequestBytes(long bytes) {
        return new HttpLimits(
                bytes,
                idleTimeout,
                requestTimeout,
                minRequestDataRate,
                maxLongLivedRequests,
                maxLongLivedRequestsPerClient);
    }

    /** These limits with another idle timeout. */
    public HttpLimits withIdleTimeout(Duration timeout) {
        return new HttpLimits(
                maxRequestBytes,
                timeout,
                requestTimeout,
                minRequestDataRate,
                maxLongLivedRequests,
                maxLongLivedRequestsPerClient);
    }

    /** These limits with another timeout of whole asynchronous requests. */
    public HttpLimits withRequestTimeout(Duration timeout) {
        return new HttpLimits(
                maxRequestBytes,
                idleTimeout,
                timeout,
                minRequestDataRate,
                maxLongLivedRequests,
                maxLongLivedRequestsPerClient);
    }

    /** These limits with another minimum request data rate, in bytes per second (0 for none). */
    public HttpLimits withMinRequestDataRate(long bytesPerSecond) {
        return new HttpLimits(
                maxRequestBytes,
                idleTimeout,
                requestTimeout,
                bytesPerSecond,
                maxLongLivedRequests,
                maxLongLivedRequestsPerClient);
    }

    /** These limits with another number of subscriptions and long polls served at once. */
    public HttpLimits withMaxLongLivedRequests(int count) {
        return new HttpLimits(
                maxRequestBytes, idleTimeout, requestTimeout, minRequestDataRate, count, maxLongLivedRequestsPerClient);
    }

    /** These limits with another number of subscriptions and long polls one client may hold at once. */
    public HttpLimits withMaxLongLivedRequestsPerClient(int count) {
        return new HttpLimits(
                maxRequestBytes, idleTimeout, requestTimeout, minRequestDataRate, maxLongLivedRequests, count);
    }
}
