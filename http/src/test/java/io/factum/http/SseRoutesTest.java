package io.factum.http;

import static io.factum.http.FeedRoutesTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.factum.core.EventData;
import io.factum.core.ExpectedVersion;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SseRoutesTest {

    record Event(String id, String type, JsonNode data) {}

    /** Reads a raw event stream line by line. */
    final class Subscription implements AutoCloseable {
        final HttpResponse<InputStream> response;
        final BufferedReader reader;
        final List<String> comments = new ArrayList<>();

        Subscription(String path, String... headers) throws Exception {
            String[] all = new String[headers.length + 2];
            all[0] = "Accept";
            all[1] = "text/event-stream";
            System.arraycopy(headers, 0, all, 2, headers.length);
            response = server.client.send(
                    server.request(path, all).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        }

        Event next() throws Exception {
            return CompletableFuture.supplyAsync(this::readEvent).get(5, TimeUnit.SECONDS);
        }

        List<Event> next(int count) throws Exception {
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                events.add(next());
            }
            return events;
        }

        String nextComment() throws Exception {
            return CompletableFuture.supplyAsync(() -> {
                        try {
                            String line;
                            while ((line = reader.readLine()) != null) {
                                if (line.startsWith(":")) {
                                    return line.substring(1).trim();
                                }
                            }
                            throw new AssertionError("the stream ended");
                        } catch (java.io.IOException e) {
                            throw new AssertionError(e);
                        }
                    })
                    .get(5, TimeUnit.SECONDS);
        }

        private Event readEvent() {
            try {
                String id = null;
                String type = null;
                StringBuilder data = new StringBuilder();
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (data.length() > 0) {
                            return new Event(id, type, StreamJson.MAPPER.readTree(data.toString()));
                        }
                    } else if (line.startsWith(":")) {
                        comments.add(line);
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("event:")) {
                        type = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).trim());
                    }
                }
                throw new AssertionError("the stream ended");
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void close() throws java.io.IOException {
            response.body().close();
        }
    }

    FeedRoutesTest.Server server;

    @BeforeEach
    void start() {
        server = new FeedRoutesTest.Server(Duration.ofMillis(300));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    void append(String stream, String type) {
        server.store.append(stream, ExpectedVersion.any(), EventData.of(type, "{\"in\":\"" + stream + "\"}"));
    }

    @Nested
    class A_stream_subscription {

        @Test
        void catches_up_then_follows_live_with_versions_as_ids() throws Exception {
            server.append("order-1", 3);
            try (Subscription subscription = new Subscription("/subscriptions/streams/order-1")) {
                assertThat(subscription.response.statusCode()).isEqualTo(200);
                assertThat(subscription.response.headers().firstValue("Content-Type"))
                        .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));

                assertThat(subscription.next(3)).extracting(Event::id).containsExactly("0", "1", "2");
                append("order-1", "Live");
                append("order-2", "Elsewhere");
                append("order-1", "Live");

                List<Event> live = subscription.next(2);
                assertThat(live).extracting(Event::id).containsExactly("3", "4");
                assertThat(live).extracting(Event::type).containsOnly("Live");
                assertThat(live.getFirst().data().get("streamId").asText()).isEqualTo("order-1");
                assertThat(live.getFirst().data().get("data").get("in").asText())
                        .isEqualTo("order-1");
            }
        }

        @Test
        void resumes_after_last_event_id_without_loss_or_duplicates() throws Exception {
            server.append("order-1", 5);
            List<String> seen = new ArrayList<>();
            try (Subscription subscription = new Subscription("/subscriptions/streams/order-1")) {
                subscription.next(3).forEach(e -> seen.add(e.id()));
            }
            server.append("order-1", 4);

            try (Subscription resumed =
                    new Subscription("/subscriptions/streams/order-1", "Last-Event-ID", seen.getLast())) {
                resumed.next(6).forEach(e -> seen.add(e.id()));
            }

            assertThat(seen).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8");
        }

        @Test
        void starts_with_new_events_only_from_end() throws Exception {
            server.append("order-1", 3);
            try (Subscription subscription = new Subscription("/subscriptions/streams/order-1?from=end")) {
                Thread.sleep(100);
                append("order-1", "New");

                assertThat(subscription.next().id()).isEqualTo("3");
            }
        }
    }

    @Nested
    class A_global_subscription {

        @Test
        void resumes_with_last_event_id_while_appends_go_on_without_loss_or_duplicates() throws Exception {
            Thread writer = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 60; i++) {
                    append(i % 2 == 0 ? "order-" + i : "invoice-" + i, "Written");
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            List<String> ids = new ArrayList<>();
            try (Subscription first = new Subscription("/subscriptions/all")) {
                first.next(20).forEach(e -> ids.add(e.id()));
            }
            try (Subscription second = new Subscription("/subscriptions/all", "Last-Event-ID", ids.getLast())) {
                second.next(15).forEach(e -> ids.add(e.id()));
            }
            try (Subscription third = new Subscription("/subscriptions/all?from=" + ids.getLast())) {
                third.next(25).forEach(e -> ids.add(e.id()));
            }
            writer.join();

            List<String> expected = server.store
                    .streamAll(io.factum.core.Position.START, io.factum.core.EventFilter.all())
                    .map(e -> e.position().toString())
                    .toList();
            assertThat(ids).containsExactlyElementsOf(expected);
        }

        @Test
        void of_a_category_gets_its_events_only_with_positions_as_ids() throws Exception {
            append("order-1", "A");
            append("invoice-1", "B");
            append("order-2", "C");
            try (Subscription subscription = new Subscription("/subscriptions/categories/order")) {
                List<Event> events = subscription.next(2);
                append("invoice-2", "D");
                append("order-3", "E");
                events.add(subscription.next());

                assertThat(events).extracting(Event::type).containsExactly("A", "C", "E");
                assertThat(events.getFirst().id())
                        .isEqualTo(events.getFirst().data().get("position").asText());
                assertThat(events.getFirst().id()).contains("/");
            }
        }
    }

    @Nested
    class The_connection {

        @Test
        void carries_a_heartbeat_comment_when_no_event_comes() throws Exception {
            try (Subscription subscription = new Subscription("/subscriptions/all")) {
                assertThat(subscription.nextComment()).isEqualTo("heartbeat");
            }
        }

        @Test
        void stops_serving_when_the_client_goes() throws Exception {
            Subscription subscription = new Subscription("/subscriptions/all");
            append("order-1", "A");
            subscription.next();
            assertThat(SseRoutes.liveSubscriptions()).isEqualTo(1);

            subscription.close();

            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (SseRoutes.liveSubscriptions() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(SseRoutes.liveSubscriptions()).isZero();
        }

        @Test
        void refuses_a_request_that_does_not_accept_an_event_stream_with_406() {
            HttpResponse<String> response = server.get("/subscriptions/all", "Accept", "application/json");

            assertThat(response.statusCode()).isEqualTo(406);
            assertThat(json(response).get("detail").asText())
                    .isEqualTo("a subscription is a Server-Sent Events stream; send Accept: text/event-stream, got"
                            + " Accept: application/json");
        }

        @Test
        void refuses_a_bad_last_event_id_with_400_before_streaming() {
            HttpResponse<String> response =
                    server.get("/subscriptions/streams/order-1", "Accept", "text/event-stream", "Last-Event-ID", "0/3");

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(json(response).get("detail").asText())
                    .isEqualTo("a stream subscription resumes after a stream version (a number 0 or more) or from"
                            + " 'end', got Last-Event-ID/from '0/3'");
        }

        @Test
        void refuses_a_tombstoned_stream_with_410() {
            server.append("order-1", 1);
            server.store.tombstoneStream("order-1", ExpectedVersion.any());

            HttpResponse<String> response = server.get("/subscriptions/streams/order-1", "Accept", "text/event-stream");

            assertThat(response.statusCode()).isEqualTo(410);
        }
    }
}
