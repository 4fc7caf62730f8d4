package io.factum.examples.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A service instance for the gateway's tests that shows what reached it: {@code /echo/...} answers with its
 * name and the request it got (method, path, query, headers, body size) as JSON, and sends back {@code
 * ETag} and {@code Factum-Position}; {@code /health/ready} says 200 or 503 as {@link #ready} says; {@code
 * /events} is an event stream that sends one event, then waits for {@link #releaseEvents()} before its
 * second and last; {@code /slow} answers only after {@link #releaseEvents()}; {@code /problem} is a 422.
 */
final class EchoService implements AutoCloseable {

    static final String PROBLEM =
            "{\"type\":\"urn:example:out-of-stock\",\"title\":\"Out of stock\",\"status\":422,\"detail\":\"P-1: none left\"}";

    private static final ObjectMapper JSON = new ObjectMapper();

    final String name;
    final AtomicBoolean ready = new AtomicBoolean(true);
    private final CountDownLatch events = new CountDownLatch(1);
    private final Javalin web;

    EchoService(String name) {
        this.name = name;
        this.web = Javalin.create(config -> {
                    config.jetty.host = "127.0.0.1";
                    config.jetty.port = 0;
                    config.routes.get("/health/ready", ctx -> ctx.status(ready.get() ? 200 : 503));
                    config.routes.get("/events", this::events);
                    config.routes.get("/slow", ctx -> {
                        // answers only when released (the test's end): longer than the gateway waits
                        events.await(30, TimeUnit.SECONDS);
                        ctx.result("late");
                    });
                    config.routes.get("/problem", ctx -> ctx.status(422)
                            .contentType("application/problem+json")
                            .result(PROBLEM));
                    config.routes.get("/echo/*", this::echo);
                    config.routes.post("/echo/*", this::echo);
                    config.routes.get("/api/*", this::echo);
                })
                .start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + web.port());
    }

    void releaseEvents() {
        events.countDown();
    }

    private void echo(Context ctx) throws Exception {
        Map<String, String> headers = new TreeMap<>();
        ctx.headerMap().forEach((header, value) -> headers.put(header.toLowerCase(java.util.Locale.ROOT), value));
        ctx.header("ETag", "\"3\"");
        ctx.header("Factum-Position", ctx.header("Factum-Position") == null ? "0" : ctx.header("Factum-Position"));
        ctx.contentType("application/json")
                .result(JSON.writeValueAsString(Map.of(
                        "instance",
                        name,
                        "method",
                        ctx.method().name(),
                        "path",
                        ctx.path(),
                        "query",
                        ctx.queryString() == null ? "" : ctx.queryString(),
                        "headers",
                        headers,
                        "bodyBytes",
                        ctx.bodyAsBytes().length)));
    }

    private void events(Context ctx) throws Exception {
        ctx.res().setContentType("text/event-stream");
        ctx.res().setHeader("Cache-Control", "no-cache");
        OutputStream out = ctx.res().getOutputStream();
        out.write("data: first\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        // the second event waits for the test, which releases it only after the first reached the client
        if (events.await(30, TimeUnit.SECONDS)) {
            out.write("data: second\n\n".getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
    }

    @Override
    public void close() {
        releaseEvents();
        web.stop();
    }
}
