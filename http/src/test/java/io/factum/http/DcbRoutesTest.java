package io.factum.http;

import static io.factum.http.FeedRoutesTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.factum.core.EventQuery;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DcbRoutesTest {

    FeedRoutesTest.Server server;

    @BeforeEach
    void start() {
        server = new FeedRoutesTest.Server();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static String event(String type, String... tags) {
        return "{\"eventId\":\"" + UUID.randomUUID() + "\",\"eventType\":\"" + type + "\",\"data\":{},\"tags\":[\""
                + String.join("\",\"", tags) + "\"]}";
    }

    HttpResponse<String> appendToStreams(String body) {
        return server.post("/streams", body, "Content-Type", "application/json");
    }

    static String reserve(String order, String after) {
        return "{\"streams\":[{\"streamId\":\"" + order + "\",\"expectedVersion\":\"no-stream\",\"events\":["
                + event("StockReserved", "product:p1") + "]},{\"streamId\":\"stock-p1\",\"expectedVersion\":\"any\","
                + "\"events\":[" + event("StockTaken", "product:p1") + "]}],"
                + "\"condition\":{\"failIfEventsMatch\":[{\"tags\":[\"product:p1\"]}],\"after\":\"" + after + "\"}}";
    }

    @Test
    void appends_to_several_streams_at_once_and_answers_201_with_each_result() {
        HttpResponse<String> response = appendToStreams(reserve("order-1", "0/0"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        JsonNode body = json(response);
        assertThat(body.get("results")).hasSize(2);
        assertThat(body.get("results").get(0).get("streamId").asText()).isEqualTo("order-1");
        assertThat(body.get("results").get(1).get("version").asLong()).isZero();
        assertThat(body.get("position").asText())
                .isEqualTo(server.store.headPosition().toString());
        assertThat(server.store
                        .read(EventQuery.tags("product:p1"), Position.START, 10)
                        .events())
                .extracting(RecordedEvent::type)
                .containsExactly("StockReserved", "StockTaken");
    }

    @Test
    void a_failed_condition_is_a_409_problem_naming_the_query_and_the_position() {
        appendToStreams(reserve("order-1", "0/0"));

        HttpResponse<String> response = appendToStreams(reserve("order-2", "0/0"));

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json(response);
        assertThat(problem.get("type").asText()).endsWith("append-condition-failed");
        assertThat(problem.get("query").asText()).isEqualTo("events of tags [product:p1]");
        assertThat(problem.get("after").asText()).isEqualTo("0/0");
        assertThat(problem.get("matchedPosition").asText()).isEqualTo("0/1");
        assertThat(problem.get("detail").asText()).contains("the condition failed");
        assertThat(server.store.streamInfo("order-2")).isEmpty();
    }

    @Test
    void a_wrong_expected_version_of_one_stream_is_a_409_and_nothing_is_written() {
        appendToStreams(reserve("order-1", "0/0"));
        String body = "{\"streams\":[{\"streamId\":\"order-9\",\"events\":[" + event("A", "t:1")
                + "]},{\"streamId\":\"order-1\",\"expectedVersion\":\"no-stream\",\"events\":[" + event("B", "t:1")
                + "]}]}";

        HttpResponse<String> response = appendToStreams(body);

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(json(response).get("type").asText()).endsWith("wrong-expected-version");
        assertThat(server.store.streamInfo("order-9")).isEmpty();
    }

    @Test
    void bad_input_is_a_400_that_says_what_was_expected() {
        HttpResponse<String> noStreams = appendToStreams("{\"streams\":[]}");
        assertThat(noStreams.statusCode()).isEqualTo(400);
        assertThat(json(noStreams).get("detail").asText())
                .isEqualTo("streams must be a non-empty array of {streamId, expectedVersion, events}, got an array");

        HttpResponse<String> badTag = appendToStreams(
                "{\"streams\":[{\"streamId\":\"a-1\",\"events\":[" + event("A", "bad\\u0007tag") + "]}]}");
        assertThat(badTag.statusCode()).isEqualTo(400);
        assertThat(json(badTag).get("detail").asText()).contains("a tag must not contain control characters");

        HttpResponse<String> emptyItem = appendToStreams("{\"streams\":[{\"streamId\":\"a-1\",\"events\":["
                + event("A", "t") + "]}],\"condition\":{\"failIfEventsMatch\":[{}]}}");
        assertThat(emptyItem.statusCode()).isEqualTo(400);
        assertThat(json(emptyItem).get("detail").asText())
                .startsWith("a query item must name at least one event type or tag");
        assertThat(server.store.headPosition()).isEqualTo(Position.START);
    }

    @Test
    void reads_by_query_with_the_position_to_use_next() {
        appendToStreams(reserve("order-1", "0/0"));
        server.post(
                "/streams/other-1", "[" + event("Unrelated", "product:p2") + "]", "Content-Type", "application/json");

        HttpResponse<String> byTag = server.get("/streams/$query?tag=product:p1&count=1");
        assertThat(byTag.statusCode()).as(byTag.body()).isEqualTo(200);
        JsonNode page = json(byTag);
        assertThat(page.get("events")).hasSize(1);
        assertThat(page.get("events").get(0).get("tags").get(0).asText()).isEqualTo("product:p1");
        assertThat(page.get("next").asText()).isEqualTo("0/1");
        assertThat(page.get("endOfLog").asBoolean()).isFalse();

        String query =
                URLEncoder.encode("[{\"types\":[\"StockTaken\"]},{\"tags\":[\"product:p2\"]}]", StandardCharsets.UTF_8);
        JsonNode both = json(server.get("/streams/$query?query=" + query + "&after=0/1"));
        assertThat(both.get("events"))
                .extracting(e -> e.get("eventType").asText())
                .containsExactly("StockTaken", "Unrelated");
        assertThat(both.get("endOfLog").asBoolean()).isTrue();
    }
}
