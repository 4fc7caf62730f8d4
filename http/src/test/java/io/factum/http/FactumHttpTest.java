package io.factum.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventStore;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
}
