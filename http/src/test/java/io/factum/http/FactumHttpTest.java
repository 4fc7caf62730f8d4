package io.factum.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventStore;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
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
    void runs_requests_on_virtual_threads_unless_the_application_chose_a_thread_pool() throws Exception {
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
}
