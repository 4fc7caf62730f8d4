package io.factum.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.RecordedEvent;
import io.factum.store.sqlite.SqliteEventStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FactumServerTest {

    private static final String KEY = "server-test-key-0123456789abcdef";
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

    private final HttpClient client = HttpClient.newHttpClient();

    @Nested
    class As_a_process {

        @Test
        void appends_and_reads_over_http_and_exits_0_on_sigterm_with_the_event_on_disk(@TempDir Path dir)
                throws Exception {
            // given a server in its own JVM
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder builder = new ProcessBuilder(
                            java,
                            "-cp",
                            System.getProperty("java.class.path"),
                            FactumServer.class.getName(),
                            "--port",
                            "0",
                            "--data-dir",
                            dir.resolve("data").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("server.log").toFile());
            builder.environment().put("FACTUM_API_KEY", KEY);
            Process process = builder.start();
            try {
                int port = -1;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (port < 0 && process.isAlive() && System.nanoTime() < deadline) {
                    Matcher listening = LISTENING.matcher(Files.readString(dir.resolve("server.log")));
                    if (listening.find()) {
                        port = Integer.parseInt(listening.group(1));
                    } else {
                        Thread.sleep(50);
                    }
                }
                assertThat(port).as("the server's output: %s", output(dir)).isPositive();
                String base = "http://127.0.0.1:" + port;

                // when
                HttpResponse<String> append = client.send(
                        HttpRequest.newBuilder(URI.create(base + "/streams/order-1"))
                                .header("X-API-Key", KEY)
                                .header("Content-Type", "application/json")
                                .header("Expected-Version", "-1")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "[{\"eventId\":\"7c9e6679-7425-40de-944b-e07fc1f90ae7\",\"eventType\":\"Placed\","
                                                + "\"data\":{\"total\":12}}]"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> read = client.send(
                        HttpRequest.newBuilder(URI.create(base + "/streams/order-1/0/forward/10"))
                                .header("Authorization", "Bearer " + KEY)
                                .header("Accept", "application/json")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> anonymous = client.send(
                        HttpRequest.newBuilder(URI.create(base + "/streams/order-1"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> ready = client.send(
                        HttpRequest.newBuilder(URI.create(base + "/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> metrics = client.send(
                        HttpRequest.newBuilder(URI.create(base + "/metrics"))
                                .header("X-API-Key", KEY)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                process.destroy(); // SIGTERM
                boolean exited = process.waitFor(60, TimeUnit.SECONDS);

                // then
                assertThat(append.statusCode()).as(append.body()).isEqualTo(201);
                assertThat(read.statusCode()).isEqualTo(200);
                assertThat(read.body()).contains("7c9e6679-7425-40de-944b-e07fc1f90ae7");
                assertThat(anonymous.statusCode()).isEqualTo(401);
                assertThat(ready.statusCode()).isEqualTo(200);
                assertThat(metrics.body())
                        .contains("factum_appends_seconds_count{category=\"order\",error=\"none\",outcome=\"ok\"} 1")
                        .contains("jvm_memory_used_bytes");
                assertThat(exited).isTrue();
                assertThat(process.exitValue())
                        .as("exit status; output: %s", output(dir))
                        .isZero();
                assertThat(output(dir))
                        .contains("shutting down")
                        .contains("Factum event store stopped")
                        .doesNotContain(KEY);
            } finally {
                process.destroyForcibly();
            }
            try (SqliteEventStore store =
                    SqliteEventStore.open(dir.resolve("data").resolve("factum.db"))) {
                List<RecordedEvent> events = store.streamEvents("order-1").toList();
                assertThat(events).extracting(RecordedEvent::type).containsExactly("Placed");
                assertThat(events.get(0).data()).contains("\"total\":12");
            }
        }
    }

    private static String output(Path dir) throws java.io.IOException {
        return Files.readString(dir.resolve("server.log"));
    }

    @Nested
    class In_process {

        @Test
        void refuses_to_start_without_a_key() {
            assertThatThrownBy(() -> FactumServer.start(List.of("--port", "0"), Map.of()))
                    .isInstanceOf(ServerUsageException.class)
                    .hasMessageStartingWith("no API key is configured: set FACTUM_API_KEY (or --api-key)");
        }

        @Test
        void a_request_with_bytes_http_does_not_allow_gets_a_problem_not_an_html_page(@TempDir Path dir)
                throws Exception {
            // failed before: Jetty's HTML error page
            FactumServer server = FactumServer.start(
                    List.of("--port", "0", "--data-dir", dir.toString()), Map.of("FACTUM_API_KEY", KEY));
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream()
                        .write(("GET /streams/order-1 HTTP/1.1\r\nHost: localhost\r\nX-Bad: a\u0001b\r\n\r\n")
                                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                String answer =
                        new String(socket.getInputStream().readNBytes(2_000), java.nio.charset.StandardCharsets.UTF_8);

                assertThat(answer).startsWith("HTTP/1.1 400");
                assertThat(answer.toLowerCase(java.util.Locale.ROOT))
                        .contains("content-type: application/problem+json");
                assertThat(answer)
                        .contains("\"type\":\"urn:factum:problem:bad-request\"")
                        .doesNotContain("<html");
            } finally {
                server.shutdown();
            }
        }

        @Test
        void answers_503_once_shutting_down_and_closes_the_store(@TempDir Path dir) throws Exception {
            FactumServer server = FactumServer.start(
                    List.of("--port=0", "--data-dir", dir.toString(), "--allow-anonymous-read"),
                    Map.of("FACTUM_READ_KEY", KEY));
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> open = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/streams/order-1"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(open.statusCode())
                    .as("anonymous read of a missing stream")
                    .isEqualTo(404);
            assertThat(server.shutdown()).isTrue();
            assertThat(dir.resolve("factum.db")).exists();
        }

        @Test
        void lets_a_request_in_flight_finish_and_refuses_new_ones_while_shutting_down(@TempDir Path dir)
                throws Exception {
            // given a long poll waiting for an event that does not come
            FactumServer server = FactumServer.start(
                    List.of("--port", "0", "--data-dir", dir.toString()), Map.of("FACTUM_API_KEY", KEY));
            String base = "http://127.0.0.1:" + server.port();
            client.send(
                    HttpRequest.newBuilder(URI.create(base + "/streams/order-1"))
                            .header("X-API-Key", KEY)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "[{\"eventId\":\"5f0b7c3e-2d4a-4a4e-9d0a-3b1f6c2e9a11\",\"eventType\":\"Placed\","
                                            + "\"data\":{}}]"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            String etag = client.send(
                            HttpRequest.newBuilder(URI.create(base + "/streams/order-1"))
                                    .header("X-API-Key", KEY)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .headers()
                    .firstValue("ETag")
                    .orElseThrow();
            var longPoll = client.sendAsync(
                    HttpRequest.newBuilder(URI.create(base + "/streams/order-1"))
                            .header("X-API-Key", KEY)
                            .header("If-None-Match", etag)
                            .header("ES-LongPoll", "2")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            Thread.sleep(300);

            // when
            var shutdown = java.util.concurrent.CompletableFuture.supplyAsync(server::shutdown);
            Thread.sleep(300);
            HttpResponse<String> late = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString());

            // then
            assertThat(late.statusCode()).isEqualTo(503);
            assertThat(late.body()).contains("shutting down");
            assertThat(longPoll.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(304);
            assertThat(shutdown.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
