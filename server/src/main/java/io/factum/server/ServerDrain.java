package io.factum.server;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the requests in flight so that a shutdown lets them finish: once {@link #drain} is called new
 * requests get 503 and {@code drain} waits until the running ones are done. A request counts until its
 * handler returns; a live subscription (asynchronous) is not waited for.
 */
final class ServerDrain implements Filter {

    private static final Duration SETTLE = Duration.ofMillis(200);

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Object done = new Object();

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        // count first, then look: a request counted before drain() began is waited for
        inFlight.incrementAndGet();
        try {
            if (draining.get()) {
                refuse((HttpServletResponse) response);
                return;
            }
            chain.doFilter(request, response);
            if (!request.isAsyncStarted()) {
                // send what the handler wrote before the count drops: the web server stops right after
                response.flushBuffer();
            }
        } finally {
            if (inFlight.decrementAndGet() == 0) {
                synchronized (done) {
                    done.notifyAll();
                }
            }
        }
    }

    private static void refuse(HttpServletResponse response) throws IOException {
        response.setStatus(503);
        response.setHeader("Retry-After", "5");
        response.setHeader("Connection", "close");
        response.setContentType("application/problem+json");
        response.getOutputStream()
                .write(("{\"type\":\"urn:factum:problem:shutting-down\",\"title\":\"Service Unavailable\","
                                + "\"status\":503,\"detail\":\"the server is shutting down; retry on another instance or"
                                + " after it restarts\"}")
                        .getBytes(StandardCharsets.UTF_8));
    }

    /** Refuses new requests and waits up to {@code timeout} for those in flight; true if none is left. */
    boolean drain(Duration timeout) throws InterruptedException {
        draining.set(true);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (done) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                done.wait(Math.max(1, left / 1_000_000));
            }
        }
        // Jetty completes a response (the last bytes of a chunked body) just after the handler returns
        Thread.sleep(SETTLE.toMillis());
        return true;
    }

    int inFlight() {
        return inFlight.get();
    }
}
