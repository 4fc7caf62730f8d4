package io.factum.http;

import io.javalin.http.Context;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requests that stay open waiting for events, live subscriptions and long polls: admitted up to {@link
 * HttpLimits#maxLongLivedRequests} at once in all and {@link HttpLimits#maxLongLivedRequestsPerClient} per
 * remote address, and subscriptions run on virtual threads of their own, whatever threads the host
 * application gives its requests. One more over a client's share is answered 429, one more over the total
 * 503, both with {@code Retry-After}. Thread-safe.
 */
final class LongLivedRequests {

    /** What a refused client is told to wait before it asks again. */
    static final int RETRY_AFTER_SECONDS = 5;

    private final int max;
    private final int maxPerClient;
    private final AtomicInteger total = new AtomicInteger();
    private final Map<String, Integer> perClient = new ConcurrentHashMap<>();
    private final ExecutorService subscriptions = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("factum-sse-", 0).factory());

    LongLivedRequests(HttpLimits limits) {
        this.max = limits.maxLongLivedRequests();
        this.maxPerClient = limits.maxLongLivedRequestsPerClient();
    }

    /** How many are being served now. */
    int inUse() {
        return total.get();
    }

    /** Where subscriptions run: a virtual thread each, so that a thousand idle ones cost no platform thread. */
    ExecutorService subscriptionThreads() {
        return subscriptions;
    }

    /** Shows {@link #inUse()} as the gauge {@code factum.http.long.lived.requests}. */
    void gauge(MeterRegistry registry) {
        Gauge.builder("factum.http.long.lived.requests", this, LongLivedRequests::inUse)
                .description("live subscriptions and long polls being served")
                .strongReference(true)
                .register(registry);
    }

    /**
     * Counts one more long-lived request of the client that sent {@code ctx}, until the permit is closed.
     *
     * @throws ProblemException 429 if the client holds its share already, 503 if the server holds all it may
     */
    Permit admit(Context ctx) {
        String client = ctx.req().getRemoteAddr();
        boolean[] refused = {false};
        perClient.compute(client, (address, held) -> {
            int count = held == null ? 0 : held;
            refused[0] = count >= maxPerClient;
            return refused[0] ? held : count + 1;
        });
        if (refused[0]) {
            throw refusal(
                    ctx,
                    429,
                    "too-many-long-lived-requests",
                    "Too many long-lived requests",
                    "this client (" + client + ") holds " + maxPerClient
                            + " subscriptions and long polls already, the most one client may hold at once; close"
                            + " one, or retry after " + RETRY_AFTER_SECONDS + " s",
                    maxPerClient);
        }
        int before = total.getAndUpdate(count -> count < max ? count + 1 : count);
        if (before >= max) {
            release(client);
            throw refusal(
                    ctx,
                    503,
                    "long-lived-requests-full",
                    "Service unavailable",
                    "the server serves " + max + " subscriptions and long polls already, the most it serves at"
                            + " once; retry after " + RETRY_AFTER_SECONDS + " s, or on another instance",
                    max);
        }
        return new Permit(client);
    }

    private static ProblemException refusal(
            Context ctx, int status, String slug, String title, String detail, int limit) {
        ctx.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        return new ProblemException(status, slug, title, detail, Map.of("limit", limit));
    }

    private void release(String client) {
        perClient.computeIfPresent(client, (address, held) -> held <= 1 ? null : held - 1);
    }

    /** One admitted request; closing it (once or more) gives its place back. */
    final class Permit implements AutoCloseable {
        private final String client;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Permit(String client) {
            this.client = client;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                total.decrementAndGet();
                release(client);
            }
        }
    }
}
