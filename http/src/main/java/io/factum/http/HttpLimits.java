package io.factum.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Request sizes and timeouts of the HTTP surfaces, applied when {@link FactumHttp#configure} runs (they
 * are settings of the whole Javalin application: {@code http.maxRequestSize}, {@code http.asyncTimeout}
 * and Jetty's {@code HttpConfiguration} idle timeout). Immutable; change one with a {@code with...} method.
 *
 * @param maxRequestBytes the largest request body read through Javalin ({@code ctx.body()}), in bytes (a
 *     larger one is answered 413); default 4 MiB, enough for an append of the largest events (1 MiB each
 *     by default) a few at once. The append route reads its body itself, with the same 4 MiB limit
 * @param idleTimeout how long a request may be silent in a read or write before Jetty gives up; default
 *     30 seconds. Long polls and live subscriptions must write (a heartbeat) more often than this
 * @param requestTimeout how long an asynchronous request may take in all; {@link Duration#ZERO} (the
 *     default) for no limit, as live subscriptions run for hours
 */
public record HttpLimits(long maxRequestBytes, Duration idleTimeout, Duration requestTimeout) {

    /** 4 MiB. */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 4L * 1024 * 1024;

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
    }

    /** The defaults: 4 MiB bodies, 30 seconds idle, no limit on a whole request. */
    public static HttpLimits defaults() {
        return new HttpLimits(DEFAULT_MAX_REQUEST_BYTES, Duration.ofSeconds(30), Duration.ZERO);
    }

    /** These limits with another largest request body. */
    public HttpLimits withMaxRequestBytes(long bytes) {
        return new HttpLimits(bytes, idleTimeout, requestTimeout);
    }

    /** These limits with another idle timeout. */
    public HttpLimits withIdleTimeout(Duration timeout) {
        return new HttpLimits(maxRequestBytes, timeout, requestTimeout);
    }

    /** These limits with another timeout of whole asynchronous requests. */
    public HttpLimits withRequestTimeout(Duration timeout) {
        return new HttpLimits(maxRequestBytes, idleTimeout, timeout);
    }
}
