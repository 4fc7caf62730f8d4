package io.factum.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventStore;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FactumHttpTest {

    @Test
    void mounts_on_a_javalin_app_bound_to_loopback() throws Exception {
        try (EventStore store = EventStore.inMemory()) {
            Javalin app = FactumHttp.builder(store).build().start("127.0.0.1", 0);
            try {
                HttpResponse<String> response = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/health/live"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).contains("UP");
            } finally {
                app.stop();
            }
        }
    }

    @Test
    void as_the_whole_server_runs_requests_on_virtual_threads_unless_the_application_chose_a_thread_pool()
            throws Exception {
        try (EventStore store = EventStore.inMemory()) {
            FactumHttp http = FactumHttp.builder(store)
                    .security(HttpSecurity.builder().anonymous(Role.ADMIN).build())
                    .build();
            Javalin chosenByFactum = app(http, false);
            Javalin chosenByTheApplication = app(http, true);
            try {
                assertThat(thread(chosenByFactum)).isEqualTo("virtual");
                assertThat(thread(chosenByTheApplication)).isEqualTo("platform");
            } finally {
                chosenByFactum.stop();
                chosenByTheApplication.stop();
            }
        }
    }

    private static Javalin app(FactumHttp http, boolean ownThreads) {
        return Javalin.create(config -> {
                    config.jetty.host = "127.0.0.1";
                    config.jetty.port = 0;
                    if (ownThreads) {
                        config.jetty.threadPool = new QueuedThreadPool(20, 2);
                    }
                    http.configureServer(config);
                    http.configure(config);
                    config.routes.get(
                            "/thread", ctx -> ctx.result(Thread.currentThread().isVirtual() ? "virtual" : "platform"));
                })
                .start();
    }

    private static String thread(Javalin app) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/thread"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** Factum mounted as a guest: the host's routes keep their own rules, Factum's routes keep Factum's. */
    @Nested
    class In_a_host_application {

        static final String KEY = "host-test-admin-key-0123456789";

        @Test
        void leaves_the_hosts_routes_limits_and_error_handling_alone_and_guards_only_its_own() throws Exception {
            // failed before: Factum's before-handler asked the host's routes for Factum's ADMIN role, its body
            // limit and exception handlers applied to the whole application
            try (EventStore store = EventStore.inMemory()) {
                FactumHttp factum = FactumHttp.builder(store)
                        .prefix("/factum")
                        .security(HttpSecurity.builder().apiKey(KEY, Role.ADMIN).build())
                        .build();
                Javalin host = Javalin.create(config -> {
                            config.jetty.host = "127.0.0.1";
                            config.jetty.port = 0;
                            config.http.maxRequestSize = 10_000_000;
                            config.registerPlugin(factum.plugin());
                            config.routes.get("/hello", ctx -> ctx.result("hello from the host"));
                            config.routes.post("/upload", ctx -> ctx.result("got " + ctx.bodyAsBytes().length));
                            config.routes.get("/boom", ctx -> {
                                throw new IllegalStateException("the host's own failure");
                            });
                            config.routes.get(
                                    "/thread",
                                    ctx -> ctx.result(Thread.currentThread().isVirtual() ? "virtual" : "platform"));
                            config.routes.exception(IllegalStateException.class, (e, ctx) -> ctx.status(418)
                                    .result("the host answers: " + e.getMessage()));
                        })
                        .start();
                try {
                    String base = "http://127.0.0.1:" + host.port();
                    HttpClient client = HttpClient.newHttpClient();

                    // the host's routes: no credentials asked, the host's limit and handler, the host's threads
                    assertThat(send(client, get(base + "/hello")).body()).isEqualTo("hello from the host");
                    HttpResponse<String> upload = send(
                            client,
                            HttpRequest.newBuilder(URI.create(base + "/upload"))
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[6_000_000]))
                                    .build());
                    assertThat(upload.statusCode()).isEqualTo(200);
                    assertThat(upload.body()).isEqualTo("got 6000000");
                    HttpResponse<String> boom = send(client, get(base + "/boom"));
                    assertThat(boom.statusCode()).isEqualTo(418);
                    assertThat(boom.body()).isEqualTo("the host answers: the host's own failure");
                    assertThat(send(client, get(base + "/thread")).body()).isEqualTo("platform");
                    assertThat(send(client, get(base + "/admin")).statusCode())
                            .as("only under the prefix")
                            .isEqualTo(404);

                    // Factum's routes: its credentials, its problems, its limits
                    HttpResponse<String> anonymous = send(client, get(base + "/factum/admin"));
                    assertThat(anonymous.statusCode()).isEqualTo(401);
                    assertThat(anonymous.headers().firstValue("Content-Type"))
                            .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
                    HttpResponse<String> admin = send(
                            client,
                            HttpRequest.newBuilder(URI.create(base + "/factum/admin"))
                                    .header("X-API-Key", KEY)
                                    .build());
                    assertThat(admin.statusCode()).isEqualTo(200);
                    assertThat(admin.body()).contains("href=\"/factum/admin/streams\"");
                    HttpResponse<String> missing = send(
                            client,
                            HttpRequest.newBuilder(URI.create(base + "/factum/streams/order-404/metadata"))
                                    .header("X-API-Key", KEY)
                                    .build());
                    assertThat(missing.headers().firstValue("Content-Type"))
                            .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
                    HttpResponse<String> tooLarge = send(
                            client,
                            HttpRequest.newBuilder(URI.create(base + "/factum/streams/order-1"))
                                    .header("X-API-Key", KEY)
                                    .header("Content-Type", "application/vnd.eventstore.events+json")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[6_000_000]))
                                    .build());
                    assertThat(tooLarge.statusCode()).isEqualTo(413);
                    assertThat(send(client, get(base + "/factum/health/live")).statusCode())
                            .isEqualTo(200);
                } finally {
                    host.stop();
                }
            }
        }

        private static HttpRequest get(String url) {
            return HttpRequest.newBuilder(URI.create(url)).build();
        }

        private static HttpResponse<String> send(HttpClient client, HttpRequest request) throws Exception {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void mounts_two_stores_under_prefixes_of_their_own() throws Exception {
        try (EventStore orders = EventStore.inMemory();
                EventStore billing = EventStore.inMemory()) {
            orders.append("order-1", io.factum.core.ExpectedVersion.noStream(), io.factum.core.EventData.of("A", "{}"));
            HttpSecurity open = HttpSecurity.builder().anonymous(Role.READ).build();
            FactumHttp first =
                    FactumHttp.builder(orders).prefix("/orders").security(open).build();
            FactumHttp second = FactumHttp.builder(billing)
                    .prefix("/billing")
                    .security(open)
                    .build();
            Javalin app = Javalin.create(config -> {
                        config.jetty.host = "127.0.0.1";
                        config.jetty.port = 0;
                        first.configure(config);
                        second.configure(config);
                    })
                    .start();
            try {
                HttpClient client = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + app.port();
                assertThat(client.send(
                                        HttpRequest.newBuilder(URI.create(base + "/orders/streams/order-1"))
                                                .header("Accept", "application/json")
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode())
                        .isEqualTo(200);
                assertThat(client.send(
                                        HttpRequest.newBuilder(URI.create(base + "/billing/streams/order-1"))
                                                .header("Accept", "application/json")
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode())
                        .as("the other store has no such stream")
                        .isEqualTo(404);
            } finally {
                app.stop();
            }
        }
    }

    @Test
    void refuses_a_prefix_that_is_not_a_plain_path() {
        assertThatThrownBy(() -> FactumHttp.builder(EventStore.inMemory()).prefix("/factum/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got '/factum/'");
    }
}
