package io.factum.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventStore;
import io.javalin.Javalin;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The configured body limits apply to appends: a larger body is refused with 413, a body trickling in
 * slower than the minimum data rate with 408, and neither writes anything.
 */
class HttpLimitsTest {

    private final EventStore store = EventStore.inMemory();
    private final Javalin app = FactumHttp.builder(store)
            .security(HttpSecurity.builder().anonymous(Role.ADMIN).build())
            .limits(HttpLimits.defaults().withMaxRequestBytes(1_000).withMinRequestDataRate(100))
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

    @Test
    void a_body_trickling_in_slower_than_the_minimum_rate_is_cut_off_with_408_and_writes_nothing() throws Exception {
        // failed before: the append waited for the whole body, however long it took
        String body = "[{\"eventId\":\"" + UUID.randomUUID() + "\",\"eventType\":\"Slow\",\"data\":{}}]";
        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /streams/limited-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.length() + "\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            long start = System.nanoTime();
            int sent = 0;
            // a byte every 200 ms (5 bytes/s) until the server answers, for at most 20 s
            while (in.available() == 0 && sent < body.length() && System.nanoTime() - start < 20_000_000_000L) {
                out.write(body.charAt(sent++));
                out.flush();
                Thread.sleep(200);
            }
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 408");
            assertThat(answer.toLowerCase(Locale.ROOT)).contains("connection: close");
            assertThat(answer)
                    .contains("\"type\":\"urn:factum:problem:body-too-slow\"")
                    .contains("slower than the 100 bytes per second this server accepts; send the whole body at once")
                    .contains("\"minBytesPerSecond\":100");
            assertThat(sent).as("bytes sent before the cut").isLessThan(body.length());
        }
        assertThat(store.streamInfo("limited-1")).isEmpty();
    }
}
