package io.factum.http;

import static io.factum.http.AppendRoutesTest.event;
import static io.factum.http.AppendRoutesTest.events;
import static io.factum.http.FeedRoutesTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.factum.core.EventStore;
import io.factum.core.Position;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ProblemsTest {

    FeedRoutesTest.Server server;

    @BeforeEach
    void start() {
        server = new FeedRoutesTest.Server();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static JsonNode problem(HttpResponse<String> response, int status, String slug, String title) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json(response);
        assertThat(problem.get("type").asText()).isEqualTo("urn:factum:problem:" + slug);
        assertThat(problem.get("title").asText()).isEqualTo(title);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        return problem;
    }

    HttpResponse<String> append(String body, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Content-Type";
        all[1] = "application/json";
        System.arraycopy(headers, 0, all, 2, headers.length);
        return server.post("/streams/order-1", body, all);
    }

    void nothingWritten() {
        assertThat(server.store.headPosition()).isEqualTo(Position.START);
        assertThat(server.store.streamInfo("order-1")).isEmpty();
    }

    @Nested
    class Bad_input_is_400 {

        @Test
        void for_malformed_json_and_nothing_is_written() {
            JsonNode problem = problem(append("[{\"eventId\": "), 400, "malformed-json", "Malformed JSON");

            assertThat(problem.get("detail").asText()).startsWith("the body is not valid JSON at line 1, column");
            nothingWritten();
        }

        @Test
        void for_a_body_that_is_not_an_array() {
            JsonNode problem = problem(append("{}"), 400, "bad-request", "Bad request");

            assertThat(problem.get("detail").asText())
                    .isEqualTo("the body must be a JSON array of events {eventId, eventType, data, metadata}, got an"
                            + " object");
        }

        @Test
        void for_a_missing_event_id_even_when_other_events_are_fine_and_nothing_is_written() {
            String body = events(event(UUID.randomUUID(), "A", "{}"), "{\"eventType\":\"B\",\"data\":{}}");

            JsonNode problem = problem(append(body), 400, "bad-request", "Bad request");

            assertThat(problem.get("detail").asText())
                    .isEqualTo("event at index 1: eventId is missing; give every event a UUID so that a retry is"
                            + " idempotent");
            nothingWritten();
        }

        @Test
        void for_an_event_id_that_is_not_a_uuid() {
            JsonNode problem = problem(
                    append("[{\"eventId\":\"42\",\"eventType\":\"A\",\"data\":{}}]"),
                    400,
                    "bad-request",
                    "Bad request");

            assertThat(problem.get("detail").asText())
                    .isEqualTo("event at index 0: eventId must be a UUID like 3f2c8a4e-6b1d-4e0f-9a7c-2d5e8b1f0c3a,"
                            + " got \"42\"");
            nothingWritten();
        }

        @Test
        void for_a_missing_event_type() {
            JsonNode problem = problem(
                    append("[{\"eventId\":\"" + UUID.randomUUID() + "\",\"data\":{}}]"),
                    400,
                    "bad-request",
                    "Bad request");

            assertThat(problem.get("detail").asText())
                    .isEqualTo("event at index 0: eventType must be a non-blank string, got nothing");
            nothingWritten();
        }

        @Test
        void for_metadata_that_is_not_an_object() {
            JsonNode problem = problem(
                    append("[{\"eventId\":\"" + UUID.randomUUID() + "\",\"eventType\":\"A\",\"data\":{},"
                            + "\"metadata\":[1]}]"),
                    400,
                    "bad-request",
                    "Bad request");

            assertThat(problem.get("detail").asText())
                    .isEqualTo("event at index 0: metadata must be a JSON object, got an array");
        }

        @Test
        void for_a_bad_expected_version_header() {
            JsonNode problem = problem(
                    append(events(event(UUID.randomUUID(), "A", "{}")), "Expected-Version", "soon"),
                    400,
                    "bad-expected-version",
                    "Bad Expected-Version header");

            assertThat(problem.get("detail").asText())
                    .isEqualTo("Expected-Version must be any (-2), no-stream (-1), stream-exists (-4) or a version"
                            + " number 0 or more, got 'soon'");
            assertThat(problem.get("found").asText()).isEqualTo("soon");
            nothingWritten();
        }

        @Test
        void for_bad_page_numbers() {
            server.append("order-1", 3);

            assertThat(problem(server.get("/streams/order-1/x/forward/20"), 400, "bad-request", "Bad request")
                            .get("detail")
                            .asText())
                    .isEqualTo("page start must be a version number 0 or more or 'head', got 'x'");
            assertThat(problem(server.get("/streams/order-1/0/forward/0"), 400, "bad-request", "Bad request")
                            .get("detail")
                            .asText())
                    .isEqualTo("a page holds 1-1000 events, got '0'");
            assertThat(problem(server.get("/streams/order-1/0/sideways/20"), 400, "bad-request", "Bad request")
                            .get("detail")
                            .asText())
                    .isEqualTo("a page goes 'forward' or 'backward', got 'sideways'");
            assertThat(problem(server.get("/streams/$all/7/forward/20"), 400, "bad-request", "Bad request")
                            .get("detail")
                            .asText())
                    .startsWith("a page of $all starts at a position written tx-pos");
            assertThat(problem(
                                    server.get("/streams/order-1/0/forward/20", "ES-LongPoll", "soon"),
                                    400,
                                    "bad-request",
                                    "Bad request")
                            .get("detail")
                            .asText())
                    .isEqualTo("ES-LongPoll must be a number of seconds 0-30, got 'soon'");
        }

        @Test
        void for_an_invalid_stream_id_from_the_store() {
            JsonNode problem = problem(
                    server.post(
                            "/streams/$mine",
                            events(event(UUID.randomUUID(), "A", "{}")),
                            "Content-Type",
                            "application/json"),
                    400,
                    "invalid-input",
                    "Invalid input");

            assertThat(problem.get("detail").asText())
                    .isEqualTo("stream id '$mine' starts with '$', which is reserved for the store");
        }

        @Test
        void for_an_event_type_the_store_refuses_and_nothing_is_written() {
            JsonNode problem = problem(
                    append(events(event(UUID.randomUUID(), "T".repeat(201), "{}"))),
                    400,
                    "invalid-input",
                    "Invalid input");

            assertThat(problem.get("detail").asText()).contains("event type must be 1-200 characters");
            nothingWritten();
        }

        @Test
        void for_bad_stream_metadata() {
            JsonNode problem = problem(
                    server.post("/streams/order-1/metadata", "{\"maxCount\":0}", "Content-Type", "application/json"),
                    400,
                    "bad-request",
                    "Bad request");

            assertThat(problem.get("detail").asText()).isEqualTo("maxCount must be an integer 1 or more, got 0");
        }
    }

    @Nested
    class Missing_things_are_404 {

        @Test
        void for_a_stream_that_does_not_exist() {
            JsonNode problem = problem(server.get("/streams/order-9"), 404, "stream-not-found", "Stream not found");

            assertThat(problem.get("detail").asText()).isEqualTo("stream order-9 does not exist");
            assertThat(problem.get("streamId").asText()).isEqualTo("order-9");
        }

        @Test
        void for_an_event_that_does_not_exist() {
            server.append("order-1", 3);

            JsonNode problem = problem(server.get("/streams/order-1/7"), 404, "event-not-found", "Event not found");

            assertThat(problem.get("detail").asText())
                    .isEqualTo("stream order-1 has no event at version 7 (its last version is 2)");
        }
    }

    @Nested
    class Conflicts_are_409 {

        @Test
        void for_a_wrong_expected_version_with_the_versions_as_fields() {
            server.append("order-1", 3);

            JsonNode problem = problem(
                    append(events(event(UUID.randomUUID(), "A", "{}")), "Expected-Version", "1"),
                    409,
                    "wrong-expected-version",
                    "Wrong expected version");

            assertThat(problem.get("detail").asText())
                    .isEqualTo("stream order-1: expected version 1 but it is at version 2");
            assertThat(problem.get("streamId").asText()).isEqualTo("order-1");
            assertThat(problem.get("expectedVersion").asText()).isEqualTo("1");
            assertThat(problem.get("actualVersion").asLong()).isEqualTo(2);
        }

        @Test
        void for_an_event_id_already_stored_in_another_stream() {
            UUID id = UUID.randomUUID();
            append(events(event(id, "A", "{}")));

            JsonNode problem = problem(
                    server.post("/streams/invoice-1", events(event(id, "A", "{}")), "Content-Type", "application/json"),
                    409,
                    "duplicate-event",
                    "Duplicate event id");

            assertThat(problem.get("eventId").asText()).isEqualTo(id.toString());
            assertThat(problem.get("existingStreamId").asText()).isEqualTo("order-1");
            assertThat(problem.get("existingVersion").asLong()).isZero();
            assertThat(server.store.streamInfo("invoice-1")).isEmpty();
        }

        @Test
        void for_no_stream_expected_on_an_existing_stream() {
            server.append("order-1", 1);

            JsonNode problem = problem(
                    append(events(event(UUID.randomUUID(), "A", "{}")), "Expected-Version", "no-stream"),
                    409,
                    "wrong-expected-version",
                    "Wrong expected version");

            assertThat(problem.get("expectedVersion").asText()).isEqualTo("no-stream");
            assertThat(problem.get("actualVersion").asLong()).isEqualTo(0);
        }
    }

    @Test
    void an_unknown_path_is_a_404_problem_too() {
        JsonNode problem = problem(server.get("/streams/order-1/0/forward/20/more"), 404, "http-404", "Not Found");

        assertThat(problem.get("detail").asText()).isNotBlank();
    }

    @Test
    void a_tombstoned_stream_is_410() {
        server.append("order-1", 1);
        server.delete("/streams/order-1", "ES-HardDelete", "true");

        JsonNode problem =
                problem(server.get("/streams/order-1/0/forward/20"), 410, "stream-deleted", "Stream deleted");

        assertThat(problem.get("detail").asText())
                .isEqualTo("stream order-1 is tombstoned (hard-deleted): it cannot be read or written again");
    }

    @Nested
    class Too_large_is_413 {

        @Test
        void for_an_event_over_the_store_limit_and_nothing_is_written() {
            String big = "\"" + "x".repeat(1024 * 1024 + 10) + "\"";
            UUID id = UUID.randomUUID();

            JsonNode problem = problem(append(events(event(id, "A", big))), 413, "event-too-large", "Event too large");

            assertThat(problem.get("detail").asText()).startsWith("event " + id + " is ");
            assertThat(problem.get("limitBytes").asInt()).isEqualTo(1024 * 1024);
            nothingWritten();
        }

        @Test
        void for_a_body_over_the_request_limit_and_nothing_is_written() {
            String big = "\"" + "x".repeat(AppendRequests.MAX_BODY_BYTES) + "\"";

            JsonNode problem = problem(
                    append(events(event(UUID.randomUUID(), "A", big))),
                    413,
                    "body-too-large",
                    "Request body too large");

            assertThat(problem.get("detail").asText())
                    .startsWith("a request body may have at most 4194304 bytes, got ");
            nothingWritten();
        }

        @Test
        void for_a_body_over_the_limit_before_it_is_sent_when_the_client_expects_100_continue() {
            String big = "\"" + "x".repeat(AppendRequests.MAX_BODY_BYTES) + "\"";

            HttpResponse<String> response = server.send(server.request(
                            "/streams/order-1", "Content-Type", "application/json")
                    .expectContinue(true)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(events(event(UUID.randomUUID(), "A", big))))
                    .build());

            problem(response, 413, "body-too-large", "Request body too large");
            nothingWritten();
        }
    }

    @Test
    void a_body_that_is_not_json_is_415() {
        JsonNode problem = problem(
                server.post("/streams/order-1", "hello", "Content-Type", "text/plain"),
                415,
                "unsupported-media-type",
                "Unsupported media type");

        assertThat(problem.get("detail").asText())
                .isEqualTo("the body must be sent as application/json or application/vnd.eventstore.events+json, got"
                        + " 'text/plain'");
        nothingWritten();
    }

    @Test
    void an_unexpected_failure_is_500_without_internals() throws Exception {
        EventStore real = EventStore.inMemory();
        EventStore failing = (EventStore) Proxy.newProxyInstance(
                EventStore.class.getClassLoader(), new Class<?>[] {EventStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("streamInfo")) {
                        throw new IllegalStateException("jdbc:postgresql://db/secret password=hunter2");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (FeedRoutesTest.Server broken = new FeedRoutesTest.Server(failing, Duration.ofSeconds(15))) {
            JsonNode problem = problem(broken.get("/streams/order-1"), 500, "internal-error", "Internal server error");

            assertThat(problem.toString()).doesNotContain("hunter2", "jdbc", "IllegalStateException");
            assertThat(problem.get("detail").asText())
                    .contains("report incident " + problem.get("incident").asText());
        }
    }
}
