package io.factum.http;

import static io.factum.http.FeedRoutesTest.eventNumbers;
import static io.factum.http.FeedRoutesTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamState;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AppendRoutesTest {

    static String event(UUID id, String type, String data) {
        return "{\"eventId\":\"" + id + "\",\"eventType\":\"" + type + "\",\"data\":" + data + "}";
    }

    static String events(String... events) {
        return "[" + String.join(",", events) + "]";
    }

    FeedRoutesTest.Server server;

    @BeforeEach
    void start() {
        server = new FeedRoutesTest.Server();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpResponse<String> post(String stream, String body, String expectedVersion) {
        return server.post(
                "/streams/" + stream, body, "Content-Type", "application/json", "Expected-Version", expectedVersion);
    }

    List<RecordedEvent> stored(String stream) {
        return server.store.readStream(stream, ReadDirection.FORWARD, 0, 100).events();
    }

    @Nested
    class Appending {

        @Test
        void creates_the_events_and_answers_201_with_the_first_event_location() {
            UUID first = UUID.randomUUID();
            HttpResponse<String> response = post(
                    "order-1",
                    events(
                            event(first, "OrderPlaced", "{\"total\":42}"),
                            "{\"eventId\":\"" + UUID.randomUUID()
                                    + "\",\"eventType\":\"OrderPaid\",\"data\":{},\"metadata\":{\"by\":\"ann\"}}"),
                    "no-stream");

            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
            assertThat(response.headers().firstValue("Location")).hasValue(server.url("/streams/order-1/0"));
            JsonNode body = json(response);
            assertThat(body.get("streamId").asText()).isEqualTo("order-1");
            assertThat(body.get("version").asLong()).isEqualTo(1);
            List<RecordedEvent> stored = stored("order-1");
            assertThat(body.get("position").asText())
                    .isEqualTo(stored.getLast().position().toString());
            assertThat(stored).extracting(RecordedEvent::type).containsExactly("OrderPlaced", "OrderPaid");
            assertThat(stored.getFirst().eventId()).isEqualTo(first);
            assertThat(stored.getFirst().data()).isEqualTo("{\"total\":42}");
            assertThat(stored.getLast().metadata()).isEqualTo("{\"by\":\"ann\"}");
        }

        @Test
        void accepts_the_eventstore_events_media_type() {
            HttpResponse<String> response = server.post(
                    "/streams/order-1",
                    events(event(UUID.randomUUID(), "OrderPlaced", "{}")),
                    "Content-Type",
                    "application/vnd.eventstore.events+json; charset=utf-8");

            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        }

        @Test
        void takes_expected_versions_as_words_and_as_eventstore_numbers() {
            assertThat(post("order-1", events(event(UUID.randomUUID(), "A", "{}")), "-1")
                            .statusCode())
                    .isEqualTo(201);
            assertThat(post("order-1", events(event(UUID.randomUUID(), "A", "{}")), "0")
                            .statusCode())
                    .isEqualTo(201);
            assertThat(post("order-1", events(event(UUID.randomUUID(), "A", "{}")), "stream-exists")
                            .statusCode())
                    .isEqualTo(201);
            assertThat(post("order-1", events(event(UUID.randomUUID(), "A", "{}")), "-4")
                            .statusCode())
                    .isEqualTo(201);
            assertThat(post("order-1", events(event(UUID.randomUUID(), "A", "{}")), "any")
                            .statusCode())
                    .isEqualTo(201);
            assertThat(post("order-1", events(event(UUID.randomUUID(), "A", "{}")), "-2")
                            .statusCode())
                    .isEqualTo(201);
            assertThat(stored("order-1")).hasSize(6);
        }

        @Test
        void is_idempotent_when_the_same_request_is_posted_again() {
            String body = events(event(UUID.randomUUID(), "A", "{}"), event(UUID.randomUUID(), "B", "{}"));

            HttpResponse<String> first = post("order-1", body, "no-stream");
            HttpResponse<String> again = post("order-1", body, "no-stream");

            assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
            assertThat(json(again).get("version")).isEqualTo(json(first).get("version"));
            assertThat(again.headers().firstValue("Location"))
                    .isEqualTo(first.headers().firstValue("Location"));
            assertThat(stored("order-1")).hasSize(2);
        }

        @Test
        void makes_the_events_readable_in_the_feed() {
            post("order-1", events(event(UUID.randomUUID(), "A", "{}"), event(UUID.randomUUID(), "B", "{}")), "any");

            assertThat(eventNumbers(json(server.get("/streams/order-1")))).containsExactly(1L, 0L);
        }
    }

    @Nested
    class EventStoreDB_expected_version {

        HttpResponse<String> postWith(String stream, String... headers) {
            String[] all = new String[headers.length + 2];
            all[0] = "Content-Type";
            all[1] = "application/json";
            System.arraycopy(headers, 0, all, 2, headers.length);
            return server.post("/streams/" + stream, events(event(UUID.randomUUID(), "OrderPlaced", "{}")), all);
        }

        @Test
        void es_expected_version_is_honoured_with_eventstoredbs_answer() {
            assertThat(postWith("order-1", "ES-ExpectedVersion", "-1").statusCode())
                    .isEqualTo(201);

            // failed before: the header was ignored and the append answered 201
            HttpResponse<String> stale = postWith("order-1", "ES-ExpectedVersion", "5");

            assertThat(stale.statusCode()).isEqualTo(400);
            assertThat(stale.headers().firstValue("ES-CurrentVersion")).hasValue("0");
            assertThat(stale.body()).contains("Wrong expected EventNumber").contains("wrong-expected-version");
            assertThat(stored("order-1")).hasSize(1);
            assertThat(postWith("order-1", "ES-ExpectedVersion", "0").statusCode())
                    .isEqualTo(201);
            assertThat(postWith("order-1", "ES-ExpectedVersion", "-2").statusCode())
                    .isEqualTo(201);
            assertThat(postWith("order-1", "ES-ExpectedVersion", "-1").statusCode())
                    .isEqualTo(400);
            assertThat(stored("order-1")).hasSize(3);
        }

        @Test
        void our_header_keeps_409_and_tells_the_current_version_too() {
            postWith("order-1");

            HttpResponse<String> stale = postWith("order-1", "Expected-Version", "5");

            assertThat(stale.statusCode()).isEqualTo(409);
            assertThat(stale.headers().firstValue("ES-CurrentVersion")).hasValue("0");
        }

        @Test
        void both_headers_that_disagree_are_a_bad_request_and_write_nothing() {
            HttpResponse<String> both = postWith("order-1", "Expected-Version", "no-stream", "ES-ExpectedVersion", "3");

            assertThat(both.statusCode()).isEqualTo(400);
            assertThat(both.body()).contains("bad-expected-version").contains("disagree");
            assertThat(postWith("order-1", "Expected-Version", "-1", "ES-ExpectedVersion", "no-stream")
                            .statusCode())
                    .isEqualTo(201);
            assertThat(postWith("order-2", "ES-ExpectedVersion", "soon").statusCode())
                    .isEqualTo(400);
            assertThat(stored("order-1")).hasSize(1);
        }
    }

    @Nested
    class Stream_metadata {

        @Test
        void is_set_and_read_back_and_limits_what_the_feed_shows() {
            server.append("order-1", 5);

            HttpResponse<String> set = server.post(
                    "/streams/order-1/metadata",
                    "{\"maxCount\":2,\"maxAge\":3600,\"custom\":{\"owner\":\"sales\"}}",
                    "Content-Type",
                    "application/json");
            assertThat(set.statusCode()).as(set.body()).isEqualTo(200);

            JsonNode read = json(server.get("/streams/order-1/metadata"));
            assertThat(read.get("maxCount").asLong()).isEqualTo(2);
            assertThat(read.get("maxAge").asLong()).isEqualTo(3600);
            assertThat(read.has("truncateBefore")).isFalse();
            assertThat(read.get("custom").get("owner").asText()).isEqualTo("sales");
            assertThat(eventNumbers(json(server.get("/streams/order-1")))).containsExactly(4L, 3L);
        }

        @Test
        void sets_truncate_before() {
            server.append("order-1", 5);

            server.post("/streams/order-1/metadata", "{\"truncateBefore\":3}", "Content-Type", "application/json");

            assertThat(eventNumbers(json(server.get("/streams/order-1")))).containsExactly(4L, 3L);
        }
    }

    @Nested
    class Deleting {

        @Test
        void soft_deletes_so_that_reads_find_no_stream_and_a_later_append_continues() {
            server.append("order-1", 3);

            HttpResponse<String> deleted = server.delete("/streams/order-1", "Expected-Version", "2");

            assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
            assertThat(server.get("/streams/order-1").statusCode()).isEqualTo(404);
            assertThat(post("order-1", events(event(UUID.randomUUID(), "A", "{}")), "any")
                            .statusCode())
                    .isEqualTo(201);
            assertThat(eventNumbers(json(server.get("/streams/order-1")))).containsExactly(3L);
        }

        @Test
        void tombstones_with_es_hard_delete_so_that_the_stream_is_gone_for_good() {
            server.append("order-1", 3);

            HttpResponse<String> deleted = server.delete("/streams/order-1", "ES-HardDelete", "true");

            assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
            assertThat(server.store.streamInfo("order-1").orElseThrow().state()).isEqualTo(StreamState.TOMBSTONED);
            assertThat(server.get("/streams/order-1").statusCode()).isEqualTo(410);
            assertThat(post("order-1", events(event(UUID.randomUUID(), "A", "{}")), "any")
                            .statusCode())
                    .isEqualTo(410);
        }
    }
}
