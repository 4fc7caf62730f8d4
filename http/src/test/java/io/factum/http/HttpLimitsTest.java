package io.factum.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventStore;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The configured body limit applies to appends: a larger body is refused with 413 and writes nothing. */
class HttpLimitsTest {

    private final EventStore store = EventStore.inMemory();
    private final Javalin app = FactumHttp.builder(store)
            .security(HttpSecurity.builder().anonymous(Role.ADMIN).build())
            .limits(HttpLimits.defaults().withMaxRequestBytes(1_000))
            .build()
            .start("127.0.0.1", 0);

    @AfterEach
    void stop() {
        app.stop();
        store.close();
    }

    private HttpResponse<String> append(int dataChars) throws Exception {
        String body = "[{\"eventId\":\"" + UUID.randomUUID() + "\",\"eventType\":\"Big\",\"data\":{\"text\":\""
                + "x".repeat(dataChars) + "\"}}]";
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/streams/limited-1"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void a_body_over_the_configured_limit_is_refused_and_writes_nothing() throws Exception {
        HttpResponse<String> refused = append(2_000);

        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(refused.body())
                .contains("a request body may have at most 1000 bytes")
                .contains("\"limitBytes\":1000");
        assertThat(store.streamInfo("limited-1")).isEmpty();
    }

    @Test
    void a_body_within_the_limit_is_appended() throws Exception {
        assertThat(append(100).statusCode()).isEqualTo(201);
        assertThat(store.streamInfo("limited-1")).isPresent();
    }
}
