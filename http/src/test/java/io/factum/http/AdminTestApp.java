package io.factum.http;

import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.subscription.Answer;
import io.factum.core.subscription.ParkedEvent;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.ReadModelQuery;
import io.factum.core.subscription.SubscriptionState;
import io.factum.core.subscription.SubscriptionStatus;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The admin pages alone on a Javalin app over an in-memory store, with a client. Mounts only {@link
 * AdminRoutes}, so these tests do not depend on the security rules (which guard the pages in a real
 * mount).
 */
final class AdminTestApp implements AutoCloseable {

    final EventStore store = EventStore.inMemory();
    final ReadSideRegistry readSide = new ReadSideRegistry();
    private final HttpClient client =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private Javalin app;

    AdminTestApp start() {
        FactumHttp http = FactumHttp.builder(store)
                .security(HttpSecurity.builder().anonymous(Role.ADMIN).build())
                .readSide(readSide)
                .storeStats(() -> Map.of("xmin horizon age", 42L))
                .build();
        app = Javalin.create(config -> {
                    config.jetty.host = "127.0.0.1";
                    config.jetty.port = 0;
                    AdminRoutes.install(new Rooms(config.routes, http), http);
                    // a failing page shows its stack trace in the test's failure message
                    config.routes.exception(Exception.class, (e, ctx) -> {
                        java.io.StringWriter trace = new java.io.StringWriter();
                        e.printStackTrace(new java.io.PrintWriter(trace));
                        ctx.status(500).result(trace.toString());
                    });
                })
                .start();
        return this;
    }

    String base() {
        return "http://127.0.0.1:" + app.port();
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return client.send(
                HttpRequest.newBuilder(URI.create(base() + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A form POST as htmx sends it (with {@code HX-Request: true}). */
    HttpResponse<String> htmxPost(String path, Map<String, String> form) throws IOException, InterruptedException {
        return post(path, form, true);
    }

    /** A form POST, as htmx sends it or as a browser without JavaScript does. */
    HttpResponse<String> post(String path, Map<String, String> form, boolean htmx)
            throws IOException, InterruptedException {
        String body = form.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        return client.send(
                HttpRequest.newBuilder(URI.create(base() + path))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header(htmx ? "HX-Request" : "X-Plain-Form", "true")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Appends events of {@code type} with {@code data} to {@code stream}, in one business transaction. */
    void append(String stream, UUID correlationId, UUID causationId, UUID eventId, String type, String data) {
        String metadata = "{\"correlationId\":\"" + correlationId + "\",\"causationId\":\"" + causationId + "\"}";
        store.append(
                stream, ExpectedVersion.any(), EventData.of(eventId, type, data).withMetadata(metadata));
    }

    void append(String stream, String type, String data) {
        UUID id = UUID.randomUUID();
        append(stream, id, id, id, type, data);
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
        store.close();
    }

    /**
     * A SQL projection's subscription as the admin pages see it: a name {@code <projection>@v<version>},
     * the version queries read, a state. No database behind it.
     */
    record FakeProjection(String projection, int version, int activeVersion, SubscriptionState state)
            implements ProjectionSubscription {

        @Override
        public String name() {
            return projection + "@v" + version;
        }

        @Override
        public ProjectionContext active() {
            return new ProjectionContext(projection, activeVersion, false);
        }

        @Override
        public SubscriptionStatus status() {
            return new SubscriptionStatus(
                    name(),
                    state,
                    Position.of(3),
                    Position.of(3),
                    Position.of(5),
                    2,
                    Duration.ofSeconds(7),
                    3,
                    0,
                    Optional.empty());
        }

        @Override
        public <T> T query(ReadModelQuery<T> query) {
            throw new UnsupportedOperationException("a fake projection has no read model");
        }

        @Override
        public <T> T query(Position atLeast, Duration timeout, ReadModelQuery<T> query) {
            throw new UnsupportedOperationException("a fake projection has no read model");
        }

        @Override
        public <T> Answer<T> answer(ReadModelQuery<T> query) {
            throw new UnsupportedOperationException("a fake projection has no read model");
        }

        @Override
        public <T> Answer<T> answer(Position atLeast, Duration timeout, ReadModelQuery<T> query) {
            throw new UnsupportedOperationException("a fake projection has no read model");
        }

        @Override
        public void pause() {}

        @Override
        public void resume() {}

        @Override
        public boolean awaitPosition(Position position, Duration timeout) {
            return true;
        }

        @Override
        public List<ParkedEvent> parked() {
            return List.of();
        }

        @Override
        public boolean replayParked(Position position) {
            throw new IllegalArgumentException("no event is parked at " + position);
        }

        @Override
        public void close() {}
    }
}
