package io.factum.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Request sizes, rates and timeouts, applied when {@link FactumHttp#configure} runs. The largest body, the
 * idle timeout and the request timeout are settings of the whole Javalin application ({@code
 * http.maxRequestSize}, {@code http.asyncTimeout} and Jetty's {@code HttpConfiguration} idle timeout); the
 * minimum data rate holds for the bodies Factum's routes read. Immutable; change one with a {@code with...}
 * method.
 *
 * @param maxRequestBytes the largest request body read through Javalin ({@code ctx.body()}), in bytes (a
 *     larger one is answered 413); default 4 MiB, enough for an append of the largest events (1 MiB each
 *     by default) a few at once. The append route reads its body itself, with the same limit
 * @param idleTimeout how long a request may be silent in a read or write before Jetty gives up; default
 *     30 seconds. Long polls and live subscriptions must write (a heartbeat) more often than this
 * @param requestTimeout how long an asynchronous request may take in all; {@link Duration#ZERO} (the
 *     default) for no limit, as live subscriptions run for hours
 * @param minRequestDataRate the slowest an append's or a metadata write's body may arrive, in bytes per
 *     second on average since the server began to read it, once 5 seconds have passed; a slower one is
 *     answered 408 and its connection closed. Checked as bytes arrive: a body that stops arriving is ended
 *     by {@code idleTimeout}. Default {@value #DEFAULT_MIN_REQUEST_DATA_RATE} (1 KiB/s, below any working
 *     network link); 0 for no minimum
 */
public record HttpLimits(long maxRequestBytes, Duration idleTimeout, Duration requestTimeout, long minRequestDataRate) {

    /** 4 MiB. */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 4L * 1024 * 1024;

    /** 1 KiB per second. */
    public static final long DEFAULT_MIN_REQUEST_DATA_RATE = 1024;

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
    }

    /** The defaults: 4 MiB bodies at 1 KiB/s or faster, 30 seconds idle, no limit on a whole request. */
    public static HttpLimits defaults() {
        return new HttpLimits(
                DEFAULT_MAX_REQUEST_BYTES, Duration.ofSeconds(30), Duration.ZERO, DEFAULT_MIN_REQUEST_DATA_RATE);
    }

    /** These limits with another largest request body. */
    public HttpLimits withMaxRequestBytes(long bytes) {
        return new HttpLimits(bytes, idleTimeout, requestTimeout, minRequestDataRate);
    }

    /** These limits with another idle timeout. */
    public HttpLimits withIdleTimeout(Duration timeout) {
        return new HttpLimits(maxRequestBytes, timeout, requestTimeout, minRequestDataRate);
    }

    /** These limits with another timeout of whole asynchronous requests. */
    public HttpLimits withRequestTimeout(Duration timeout) {
        return new HttpLimits(maxRequestBytes, idleTimeout, timeout, minRequestDataRate);
    }

    /** These limits with another minimum request data rate, in bytes per second (0 for none). */
    public HttpLimits withMinRequestDataRate(long bytesPerSecond) {
        return new HttpLimits(maxRequestBytes, idleTimeout, requestTimeout, bytesPerSecond);
    }
}
