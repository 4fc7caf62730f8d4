package io.factum.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.rometools.rome.feed.synd.SyndEntry;
import com.rometools.rome.feed.synd.SyndFeed;
import com.rometools.rome.feed.synd.SyndLink;
import com.rometools.rome.io.SyndFeedInput;
import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.javalin.Javalin;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FeedRoutesTest {

    /**
     * An app with the feeds, appends, subscriptions and problem handlers, built from the default builder.
     * It mounts those parts alone (not {@link FactumHttp#configure}) so that these tests do not depend on
     * the security rules.
     */
    static final class Server implements AutoCloseable {
        final EventStore store;
        final Javalin app;
        final HttpClient client = HttpClient.newHttpClient();

        Server() {
            this(Duration.ofSeconds(SseRoutes.HEARTBEAT_SECONDS));
        }

        Server(Duration heartbeat) {
            this(EventStore.inMemory(), heartbeat);
        }

        Server(EventStore store, Duration heartbeat) {
            this.store = store;
            FactumHttp http = FactumHttp.builder(store)
                    .security(HttpSecurity.builder().anonymous(Role.ADMIN).build())
                    .build();
            app = Javalin.create(config -> {
                        config.jetty.host = "127.0.0.1";
                        config.jetty.port = 0;
                        http.configureServer(config);
                        Rooms rooms = new Rooms(config.routes, http);
                        DcbRoutes.install(rooms, http);
                        FeedRoutes.install(rooms, http);
                        SseRoutes.install(rooms, http, heartbeat);
                    })
                    .start();
        }

        String url(String path) {
            return path.startsWith("http") ? path : "http://127.0.0.1:" + app.port() + path;
        }

        HttpResponse<String> get(String path, String... headers) {
            return send(request(path, headers).GET().build());
        }

        HttpResponse<String> post(String path, String body, String... headers) {
            return send(request(path, headers)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build());
        }

        HttpResponse<String> delete(String path, String... headers) {
            return send(request(path, headers).DELETE().build());
        }

        HttpRequest.Builder request(String path, String... headers) {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url(path)));
            if (headers.length > 0) {
                builder.headers(headers);
            }
            return builder;
        }

        HttpResponse<String> send(HttpRequest request) {
            try {
                return client.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new AssertionError("request " + request + " failed: " + e, e);
            }
        }

        void append(String streamId, int count) {
            List<EventData> events = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                events.add(EventData.of("Counted", "{\"n\":" + i + "}"));
            }
            store.append(streamId, ExpectedVersion.any(), events);
        }

        @Override
        public void close() {
            app.stop();
            store.close();
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return StreamJson.MAPPER.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    static Optional<String> link(JsonNode feed, String relation) {
        for (JsonNode link : feed.get("links")) {
            if (link.get("relation").asText().equals(relation)) {
                return Optional.of(link.get("uri").asText());
            }
        }
        return Optional.empty();
    }

    static List<Long> eventNumbers(JsonNode feed) {
        List<Long> numbers = new ArrayList<>();
        feed.get("entries")
                .forEach(entry -> numbers.add(entry.get("eventNumber").asLong()));
        return numbers;
    }

    Server server;

    @BeforeEach
    void start() {
        server = new Server();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Nested
    class Atom_feeds {

        SyndFeed atom(String url) throws Exception {
            HttpResponse<String> response = server.get(url, "Accept", "application/atom+xml");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/atom+xml"));
            return new SyndFeedInput().build(new StringReader(response.body()));
        }

        Optional<String> atomLink(SyndFeed feed, String rel) {
            return feed.getLinks().stream()
                    .filter(l -> l.getRel().equals(rel))
                    .map(SyndLink::getHref)
                    .findFirst();
        }

        List<Long> versions(SyndFeed feed) {
            return feed.getEntries().stream()
                    .map(SyndEntry::getTitle)
                    .map(title -> Long.parseLong(title.substring(0, title.indexOf('@'))))
                    .toList();
        }

        @Test
        void reads_a_stream_of_45_events_from_the_start_by_following_last_then_previous() throws Exception {
            server.append("order-1", 45);

            SyndFeed head = atom("/streams/order-1");
            assertThat(versions(head)).hasSize(20).first().isEqualTo(44L);

            List<Long> seen = new ArrayList<>();
            String next = atomLink(head, "last").orElseThrow();
            for (int page = 0; page < 3; page++) {
                SyndFeed feed = atom(next);
                seen.addAll(versions(feed).reversed());
                next = atomLink(feed, "previous").orElseThrow();
            }
            assertThat(seen).hasSize(45);
            for (int i = 0; i < 45; i++) {
                assertThat(seen.get(i)).isEqualTo(i);
            }
            SyndFeed beyond = atom(next);
            assertThat(beyond.getEntries()).isEmpty();
        }

        @Test
        void reads_a_stream_backward_from_the_head_by_following_next() throws Exception {
            server.append("order-1", 45);

            List<Long> seen = new ArrayList<>();
            Optional<String> next = Optional.of("/streams/order-1");
            while (next.isPresent()) {
                SyndFeed feed = atom(next.get());
                seen.addAll(versions(feed));
                next = atomLink(feed, "next");
            }

            assertThat(seen).hasSize(45).first().isEqualTo(44L);
            assertThat(seen).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        }

        @Test
        void has_the_eventstore_links_and_an_entry_per_event_with_its_json_as_content() throws Exception {
            server.append("order-1", 3);

            SyndFeed head = atom("/streams/order-1");

            assertThat(head.getLinks())
                    .extracting(SyndLink::getRel)
                    .contains("self", "first", "last", "previous", "metadata")
                    .doesNotContain("next");
            assertThat(atomLink(head, "metadata")).hasValue(server.url("/streams/order-1/metadata"));
            SyndEntry newest = head.getEntries().getFirst();
            assertThat(newest.getTitle()).isEqualTo("2@order-1");
            assertThat(newest.getLink()).isEqualTo(server.url("/streams/order-1/2"));
            JsonNode content =
                    StreamJson.MAPPER.readTree(newest.getContents().getFirst().getValue());
            assertThat(content.get("eventType").asText()).isEqualTo("Counted");
            assertThat(content.get("data").get("n").asInt()).isEqualTo(2);
        }
    }

    @Nested
    class Json_feeds {

        @Test
        void a_stream_id_with_a_slash_is_addressed_percent_encoded() {
            server.append("invoice/2026-1", 1);

            HttpResponse<String> response = server.get("/streams/invoice%2F2026-1");

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(json(response).get("streamId").asText()).isEqualTo("invoice/2026-1");
            assertThat(server.get("/streams/invoice%2F2026-1/0").statusCode()).isEqualTo(200);
        }

        @Test
        void are_the_default_and_carry_every_field_of_an_entry() {
            server.append("order-1", 2);

            HttpResponse<String> response = server.get("/streams/order-1");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
            JsonNode feed = json(response);
            assertThat(feed.get("streamId").asText()).isEqualTo("order-1");
            assertThat(feed.get("headOfStream").asBoolean()).isTrue();
            JsonNode entry = feed.get("entries").get(0);
            var event = server.store
                    .readStream("order-1", io.factum.core.ReadDirection.BACKWARD, Long.MAX_VALUE, 1)
                    .events()
                    .getFirst();
            assertThat(entry.get("eventId").asText()).isEqualTo(event.eventId().toString());
            assertThat(entry.get("eventType").asText()).isEqualTo("Counted");
            assertThat(entry.get("eventNumber").asLong()).isEqualTo(1);
            assertThat(entry.get("streamId").asText()).isEqualTo("order-1");
            assertThat(entry.get("position").asText())
                    .isEqualTo(event.position().toString());
            assertThat(entry.get("updated").asText())
                    .isEqualTo(event.recordedAt().toString());
            assertThat(entry.get("data").get("n").asInt()).isEqualTo(1);
            assertThat(entry.get("metadata").isObject()).isTrue();
            assertThat(link(entry, "edit")).hasValue(server.url("/streams/order-1/1"));
        }

        @Test
        void are_served_as_the_eventstore_atom_json_type_when_asked() {
            server.append("order-1", 1);

            HttpResponse<String> response =
                    server.get("/streams/order-1", "Accept", "application/vnd.eventstore.atom+json");

            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/vnd.eventstore.atom+json"));
            assertThat(eventNumbers(json(response))).containsExactly(0L);
        }

        @Test
        void follow_forward_pages_with_previous_through_the_whole_stream() {
            server.append("order-1", 45);

            List<Long> seen = new ArrayList<>();
            String next = "/streams/order-1/0/forward/20";
            for (int page = 0; page < 3; page++) {
                JsonNode feed = json(server.get(next));
                seen.addAll(eventNumbers(feed).reversed());
                next = link(feed, "previous").orElseThrow();
            }

            assertThat(seen).hasSize(45).doesNotHaveDuplicates();
            assertThat(next).isEqualTo(server.url("/streams/order-1/45/forward/20"));
        }

        @Test
        void page_the_global_log_by_position_keys() {
            server.append("order-1", 30);
            server.append("invoice-1", 15);

            JsonNode head = json(server.get("/streams/$all"));
            assertThat(head.get("entries")).hasSize(20);
            assertThat(head.get("entries").get(0).get("streamId").asText()).isEqualTo("invoice-1");

            List<String> positions = new ArrayList<>();
            String next = link(head, "last").orElseThrow();
            assertThat(next).endsWith("/streams/$all/0-0/forward/20");
            for (int page = 0; page < 3; page++) {
                JsonNode feed = json(server.get(next));
                feed.get("entries").forEach(e -> positions.add(e.get("position").asText()));
                next = link(feed, "previous").orElseThrow();
            }
            assertThat(positions).hasSize(45).doesNotHaveDuplicates();

            List<String> backward = new ArrayList<>();
            Optional<String> older = Optional.of("/streams/$all");
            while (older.isPresent()) {
                JsonNode feed = json(server.get(older.get()));
                feed.get("entries").forEach(e -> backward.add(e.get("position").asText()));
                older = link(feed, "next");
            }
            assertThat(backward).hasSize(45).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(positions);
        }

        @Test
        void find_the_global_log_with_its_dollar_percent_encoded_too() {
            server.append("order-1", 2);

            HttpResponse<String> response = server.get("/streams/%24all");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json(response).get("streamId").asText()).isEqualTo("$all");
            assertThat(json(response).get("entries")).hasSize(2);
        }

        @Test
        void serve_a_single_event_cacheable_for_good() {
            server.append("order-1", 3);

            HttpResponse<String> response = server.get("/streams/order-1/1");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Cache-Control")).hasValue(FeedRoutes.IMMUTABLE);
            JsonNode entry = json(response);
            assertThat(entry.get("eventNumber").asLong()).isEqualTo(1);
            assertThat(entry.get("data").get("n").asInt()).isEqualTo(1);
        }
    }

    @Nested
    class Caching {

        @Test
        void marks_full_forward_pages_and_backward_pages_below_the_head_immutable() {
            server.append("order-1", 45);

            assertThat(server.get("/streams/order-1/0/forward/20").headers().firstValue("Cache-Control"))
                    .hasValue(FeedRoutes.IMMUTABLE);
            assertThat(server.get("/streams/order-1/20/forward/20").headers().firstValue("Cache-Control"))
                    .hasValue(FeedRoutes.IMMUTABLE);
            assertThat(server.get("/streams/order-1/24/backward/20").headers().firstValue("Cache-Control"))
                    .hasValue(FeedRoutes.IMMUTABLE);
            assertThat(server.get("/streams/order-1/4/backward/20").headers().firstValue("Cache-Control"))
                    .hasValue(FeedRoutes.IMMUTABLE);
        }

        @Test
        void makes_the_head_page_and_incomplete_pages_revalidate() {
            server.append("order-1", 45);

            for (String page : List.of(
                    "/streams/order-1",
                    "/streams/order-1/40/forward/20",
                    "/streams/order-1/head/backward/20",
                    "/streams/order-1/50/backward/20")) {
                HttpResponse<String> response = server.get(page);
                assertThat(response.headers().firstValue("Cache-Control"))
                        .as(page)
                        .hasValue(FeedRoutes.REVALIDATE);
                assertThat(response.headers().firstValue("ETag")).as(page).hasValueSatisfying(etag -> assertThat(etag)
                        .startsWith("\"44;"));
            }
        }

        @Test
        void answers_304_to_a_matching_if_none_match_until_the_stream_moves_on() {
            server.append("order-1", 3);
            String etag =
                    server.get("/streams/order-1").headers().firstValue("ETag").orElseThrow();

            HttpResponse<String> unchanged = server.get("/streams/order-1", "If-None-Match", etag);
            assertThat(unchanged.statusCode()).isEqualTo(304);
            assertThat(unchanged.body()).isEmpty();

            server.append("order-1", 1);
            HttpResponse<String> changed = server.get("/streams/order-1", "If-None-Match", etag);
            assertThat(changed.statusCode()).isEqualTo(200);
            assertThat(changed.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);
        }

        @Test
        void changes_the_etag_when_new_metadata_changes_what_the_head_page_shows() {
            server.append("order-1", 5);
            String etag =
                    server.get("/streams/order-1").headers().firstValue("ETag").orElseThrow();

            server.post("/streams/order-1/metadata", "{\"maxCount\":2}", "Content-Type", "application/json");
            HttpResponse<String> response = server.get("/streams/order-1", "If-None-Match", etag);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(eventNumbers(json(response))).containsExactly(4L, 3L);
        }

        @Test
        void gives_each_media_type_its_own_etag() {
            server.append("order-1", 3);

            String json =
                    server.get("/streams/order-1").headers().firstValue("ETag").orElseThrow();
            String atom = server.get("/streams/order-1", "Accept", "application/atom+xml")
                    .headers()
                    .firstValue("ETag")
                    .orElseThrow();

            assertThat(json).isNotEqualTo(atom);
            assertThat(server.get("/streams/order-1", "Accept", "application/atom+xml", "If-None-Match", json)
                            .statusCode())
                    .isEqualTo(200);
        }

        @Test
        void caches_full_global_log_pages_for_good_but_not_the_head() {
            server.append("order-1", 25);

            assertThat(server.get("/streams/$all/0-0/forward/20").headers().firstValue("Cache-Control"))
                    .hasValue(FeedRoutes.IMMUTABLE);
            assertThat(server.get("/streams/$all").headers().firstValue("Cache-Control"))
                    .hasValue(FeedRoutes.REVALIDATE);
        }
    }

    @Nested
    class Long_polling {

        @Test
        void waits_on_an_empty_forward_page_until_an_event_is_appended() throws Exception {
            server.append("order-1", 2);
            long started = System.nanoTime();

            CompletableFuture<HttpResponse<String>> polled = server.client.sendAsync(
                    server.request("/streams/order-1/2/forward/20", "ES-LongPoll", "10")
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            Thread.sleep(300);
            assertThat(polled).isNotDone();
            server.append("order-1", 1);

            HttpResponse<String> response = polled.get();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(eventNumbers(json(response))).containsExactly(2L);
        }

        @Test
        void waits_on_the_head_page_with_a_matching_etag_until_the_stream_moves_on() throws Exception {
            server.append("order-1", 2);
            String etag =
                    server.get("/streams/order-1").headers().firstValue("ETag").orElseThrow();

            CompletableFuture<HttpResponse<String>> polled = server.client.sendAsync(
                    server.request("/streams/order-1", "ES-LongPoll", "10", "If-None-Match", etag)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            Thread.sleep(300);
            assertThat(polled).isNotDone();
            server.append("order-1", 1);

            HttpResponse<String> response = polled.get();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(eventNumbers(json(response))).first().isEqualTo(2L);
        }

        @Test
        void answers_the_empty_page_when_the_time_passes() {
            server.append("order-1", 2);
            long started = System.nanoTime();

            HttpResponse<String> response = server.get("/streams/order-1/2/forward/20", "ES-LongPoll", "1");

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json(response).get("entries")).isEmpty();
        }
    }
}
