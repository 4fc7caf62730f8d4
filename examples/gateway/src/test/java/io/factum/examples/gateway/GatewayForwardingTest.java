package io.factum.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What the gateway itself does, seen from two instances of a service that echo what reached them ({@link
 * EchoService}): which headers go through, the trace context it adds, the event streams it does not buffer,
 * the instances it chooses, and the limits and key it enforces at the edge.
 */
class GatewayForwardingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "edge-key-for-tests";

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> running = new ArrayList<>();
    private final EchoService one = started(new EchoService("one"));
    private final EchoService two = started(new EchoService("two"));

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : running.reversed()) {
            closeable.close();
        }
    }

    @Nested
    class Forwarding {

        @Test
        void passes_the_headers_factum_relies_on_unchanged_both_ways_and_keeps_the_key_to_itself() {
            Gateway gateway = gateway(settings -> settings);
            String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

            HttpResponse<String> answer = send(HttpRequest.newBuilder(uri(gateway, "/echo/orders/7?minPosition=12"))
                    .header("Idempotency-Key", "add-item-1")
                    .header("If-Match", "\"3\"")
                    .header("Expected-Version", "3")
                    .header("Factum-Position", "12")
                    .header("traceparent", traceparent)
                    .header("Origin", "http://127.0.0.1:" + gateway.port())
                    .header("Sec-Fetch-Site", "same-origin")
                    .header("Authorization", "Basic YWRtaW46c2VjcmV0")
                    .header(EdgeHandler.KEY_HEADER, KEY)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"quantity\":1}")));

            assertThat(answer.statusCode()).isEqualTo(200);
            JsonNode seen = json(answer).path("headers");
            assertThat(seen.path("idempotency-key").asText()).isEqualTo("add-item-1");
            assertThat(seen.path("if-match").asText()).isEqualTo("\"3\"");
            assertThat(seen.path("expected-version").asText()).isEqualTo("3");
            assertThat(seen.path("factum-position").asText()).isEqualTo("12");
            assertThat(seen.path("traceparent").asText()).isEqualTo(traceparent);
            assertThat(seen.path("origin").asText()).isEqualTo("http://127.0.0.1:" + gateway.port());
            assertThat(seen.path("sec-fetch-site").asText()).isEqualTo("same-origin");
            assertThat(seen.path("authorization").asText()).isEqualTo("Basic YWRtaW46c2VjcmV0");
            // the service sees the address the client used, so its same-origin check holds behind the gateway
            assertThat(seen.path("host").asText()).isEqualTo("127.0.0.1:" + gateway.port());
            assertThat(seen.has(EdgeHandler.KEY_HEADER.toLowerCase(java.util.Locale.ROOT)))
                    .isFalse();
            assertThat(json(answer).path("query").asText()).isEqualTo("minPosition=12");
            assertThat(json(answer).path("bodyBytes").asInt()).isEqualTo(14);
            // and the service's answer headers come back
            assertThat(answer.headers().firstValue("ETag")).hasValue("\"3\"");
            assertThat(answer.headers().firstValue("Factum-Position")).hasValue("12");
        }

        @Test
        void gives_a_request_without_a_traceparent_a_new_trace_of_its_own() {
            Gateway gateway = gateway(settings -> settings);

            String first = json(get(gateway, "/echo/a"))
                    .path("headers")
                    .path("traceparent")
                    .asText();
            String second = json(get(gateway, "/echo/b"))
                    .path("headers")
                    .path("traceparent")
                    .asText();

            assertThat(first).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
            assertThat(second).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
            assertThat(first.substring(3, 35)).isNotEqualTo(second.substring(3, 35));
        }

        @Test
        void passes_a_problem_through_with_its_status_type_and_body_as_they_are() {
            Gateway gateway = gateway(settings -> settings);

            HttpResponse<String> answer = get(gateway, "/problem");

            assertThat(answer.statusCode()).isEqualTo(422);
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(answer.body()).isEqualTo(EchoService.PROBLEM);
        }

        @Test
        void streams_server_sent_events_as_they_come_without_buffering() throws Exception {
            Gateway gateway = gateway(settings -> settings);

            HttpResponse<Stream<String>> stream = http.send(
                    HttpRequest.newBuilder(uri(gateway, "/events"))
                            .header("Accept", "text/event-stream")
                            .build(),
                    HttpResponse.BodyHandlers.ofLines());
            Iterator<String> lines = stream.body().iterator();

            // the instance holds its second event until the first reached the client: a gateway that
            // buffered the stream would hand over nothing until the instance gave up
            String first = CompletableFuture.supplyAsync(lines::next).get(10, TimeUnit.SECONDS);
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
            assertThat(first).isEqualTo("data: first");
            one.releaseEvents();
            two.releaseEvents();
            List<String> rest = new ArrayList<>();
            lines.forEachRemaining(rest::add);
            assertThat(rest).contains("data: second");
        }
    }

    @Nested
    class Instances {

        @Test
        void takes_the_ready_instances_in_turn() {
            Gateway gateway = gateway(settings -> settings);

            List<String> answered = Stream.of("/echo/1", "/echo/2", "/echo/3", "/echo/4")
                    .map(path -> instance(get(gateway, path)))
                    .toList();

            assertThat(answered).containsExactlyInAnyOrder("one", "one", "two", "two");
            assertThat(answered.get(0)).isNotEqualTo(answered.get(1));
            assertThat(answered.get(2)).isEqualTo(answered.get(0));
        }

        @Test
        void leaves_out_an_instance_that_is_not_ready_and_takes_it_back_when_it_is() throws Exception {
            one.ready.set(false);
            Gateway gateway = gateway(settings -> settings);

            List<String> answered = Stream.of("/echo/1", "/echo/2", "/echo/3", "/echo/4")
                    .map(path -> instance(get(gateway, path)))
                    .toList();
            assertThat(answered).containsOnly("two");

            one.ready.set(true);
            // the next readiness check (every 100 ms here) takes it back
            assertThat(awaitAnswerFrom("one", gateway)).isTrue();
        }

        @Test
        void sends_a_read_to_the_next_instance_when_one_refuses_connections() {
            Gateway gateway = gateway(settings -> settings.readinessInterval(Duration.ofHours(1)));
            one.close();

            List<HttpResponse<String>> answers = Stream.of("/echo/1", "/echo/2", "/echo/3")
                    .map(path -> get(gateway, path))
                    .toList();

            assertThat(answers)
                    .allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(200));
            assertThat(answers.stream().map(GatewayForwardingTest::instance)).containsOnly("two");
        }

        @Test
        void answers_503_with_retry_after_when_no_instance_is_ready() {
            one.ready.set(false);
            two.ready.set(false);
            Gateway gateway = gateway(settings -> settings);

            HttpResponse<String> answer = get(gateway, "/echo/1");

            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.headers().firstValue("Retry-After")).hasValue("1");
            assertProblem(answer, "no-ready-instance", "no instance of echo is ready; retry after 1 s");
        }
    }

    @Nested
    class AtTheEdge {

        @Test
        void refuses_an_api_request_without_the_key_or_with_another_one_with_401() {
            Gateway gateway = gateway(settings -> settings);

            HttpResponse<String> none = send(HttpRequest.newBuilder(uri(gateway, "/api/orders")));
            HttpResponse<String> wrong =
                    send(HttpRequest.newBuilder(uri(gateway, "/api/orders")).header(EdgeHandler.KEY_HEADER, "guess"));
            HttpResponse<String> right =
                    send(HttpRequest.newBuilder(uri(gateway, "/api/orders")).header(EdgeHandler.KEY_HEADER, KEY));

            assertThat(none.statusCode()).isEqualTo(401);
            assertProblem(none, "key-needed", "/api/orders needs the gateway's key in the X-Gateway-Key header");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertProblem(
                    wrong,
                    "key-needed",
                    "/api/orders needs the gateway's key in the X-Gateway-Key header; the one sent is not it");
            assertThat(right.statusCode()).isEqualTo(200);
            // pages outside /api/ are the browser's, which signs in to the service itself
            assertThat(get(gateway, "/echo/page").statusCode()).isEqualTo(200);
        }

        @Test
        void refuses_more_requests_a_second_from_one_address_than_allowed_with_429_and_retry_after() {
            Gateway gateway = gateway(settings -> settings.requestsPerSecond(1));

            List<HttpResponse<String>> answers = Stream.generate(() -> "/echo/again")
                    .limit(10)
                    .map(path -> get(gateway, path))
                    .toList();

            assertThat(answers.getFirst().statusCode()).isEqualTo(200);
            HttpResponse<String> refused = answers.stream()
                    .filter(answer -> answer.statusCode() == 429)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("none of 10 requests at once was refused"));
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            assertProblem(
                    refused,
                    "too-many-requests",
                    "more requests a second from 127.0.0.1 than the 1 allowed; retry after 1 s");
        }

        @Test
        void bounds_the_requests_one_address_has_in_flight_open_event_streams_included() throws Exception {
            Gateway gateway = gateway(settings -> settings.maxInFlightPerClient(2));
            List<Iterator<String>> streams = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                HttpResponse<Stream<String>> stream = http.send(
                        HttpRequest.newBuilder(uri(gateway, "/events"))
                                .header("Accept", "text/event-stream")
                                .build(),
                        HttpResponse.BodyHandlers.ofLines());
                Iterator<String> lines = stream.body().iterator();
                assertThat(CompletableFuture.supplyAsync(lines::next).get(10, TimeUnit.SECONDS))
                        .isEqualTo("data: first");
                streams.add(lines);
            }

            HttpResponse<String> third = get(gateway, "/echo/third");

            assertThat(third.statusCode()).isEqualTo(429);
            assertThat(third.headers().firstValue("Retry-After")).hasValue("1");
            assertProblem(
                    third,
                    "too-many-requests",
                    "127.0.0.1 has 2 requests in flight (event streams included), the most allowed; retry after"
                            + " one ends");
            one.releaseEvents();
            two.releaseEvents();
            streams.forEach(lines -> lines.forEachRemaining(line -> {}));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            HttpResponse<String> later = get(gateway, "/echo/later");
            while (later.statusCode() == 429 && System.nanoTime() < deadline) {
                Thread.sleep(20);
                later = get(gateway, "/echo/later");
            }
            assertThat(later.statusCode()).as("once the streams ended").isEqualTo(200);
        }

        @Test
        void refuses_a_body_larger_than_allowed_with_413_before_it_reaches_an_instance() {
            Gateway gateway = gateway(settings -> settings.maxRequestBytes(100));

            HttpResponse<String> answer = send(HttpRequest.newBuilder(uri(gateway, "/echo/big"))
                    .POST(HttpRequest.BodyPublishers.ofString("x".repeat(1000))));

            assertThat(answer.statusCode()).isEqualTo(413);
            assertThat(answer.headers().firstValue("Content-Type")).hasValue(ProblemErrorHandler.PROBLEM_JSON);
            assertThat(json(answer).path("type").asText()).isEqualTo("urn:factum:gateway:request-too-large");
        }
    }

    @Nested
    class Time {

        @Test
        void answers_504_when_an_instance_takes_longer_than_the_request_timeout() {
            Gateway gateway = gateway(settings -> settings.requestTimeout(Duration.ofMillis(300)));

            HttpResponse<String> answer = get(gateway, "/slow");

            assertThat(answer.statusCode()).isEqualTo(504);
            assertThat(answer.headers().firstValue("Content-Type")).hasValue(ProblemErrorHandler.PROBLEM_JSON);
            assertThat(json(answer).path("type").asText()).isEqualTo("urn:factum:gateway:instance-timed-out");
        }
    }

    // ---- the setup and the client

    private <T extends AutoCloseable> T started(T closeable) {
        running.add(closeable);
        return closeable;
    }

    private Gateway gateway(UnaryOperator<Gateway.Builder> settings) {
        return started(settings.apply(Gateway.builder()
                        .listen("127.0.0.1", 0)
                        .service("echo", List.of(one.uri(), two.uri()))
                        .route("/", "echo")
                        .apiKey(KEY)
                        .requestsPerSecond(1000)
                        .readinessInterval(Duration.ofMillis(100)))
                .start());
    }

    private boolean awaitAnswerFrom(String instance, Gateway gateway) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (instance(get(gateway, "/echo/who")).equals(instance)) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static void assertProblem(HttpResponse<String> answer, String type, String detail) {
        assertThat(answer.headers().firstValue("Content-Type")).hasValue(ProblemErrorHandler.PROBLEM_JSON);
        JsonNode problem = json(answer);
        assertThat(problem.path("type").asText()).isEqualTo("urn:factum:gateway:" + type);
        assertThat(problem.path("status").asInt()).isEqualTo(answer.statusCode());
        assertThat(problem.path("detail").asText()).isEqualTo(detail);
    }

    private static String instance(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return json(answer).path("instance").asText();
    }

    private static URI uri(Gateway gateway, String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }

    private HttpResponse<String> get(Gateway gateway, String path) {
        return send(HttpRequest.newBuilder(uri(gateway, path)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> answer) {
        try {
            return JSON.readTree(answer.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + answer.body(), e);
        }
    }
}
