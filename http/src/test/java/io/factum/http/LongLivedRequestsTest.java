package io.factum.http;

import static io.factum.http.FeedRoutesTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Live subscriptions and long polls share a limit per client and one in all; what is over is refused. */
class LongLivedRequestsTest {

    private final EventStore store = EventStore.inMemory();
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<HttpResponse<InputStream>> open = new ArrayList<>();
    private Javalin app = Javalin.create();
    private FactumHttp http = FactumHttp.builder(store).build();

    private void start(HttpLimits limits) {
        store.append("order-1", ExpectedVersion.any(), EventData.of("Placed", "{}"));
        http = FactumHttp.builder(store)
                .security(HttpSecurity.builder().anonymous(Role.ADMIN).build())
                .limits(limits)
                .build();
        app = http.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() throws Exception {
        for (HttpResponse<InputStream> response : open) {
            response.body().close();
        }
        app.stop();
        store.close();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path));
    }

    /** A subscription left open; its status once the headers came. */
    private int subscribe() throws Exception {
        HttpResponse<InputStream> response = client.send(
                request("/subscriptions/streams/order-1?from=end")
                        .header("Accept", "text/event-stream")
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        open.add(response);
        return response.statusCode();
    }

    private HttpResponse<String> refusedSubscription() throws Exception {
        return client.send(
                request("/subscriptions/all")
                        .header("Accept", "text/event-stream")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A long poll of a page that stays empty: it waits {@code seconds} unless refused. */
    private CompletableFuture<HttpResponse<String>> longPoll(int seconds) {
        return client.sendAsync(
                request("/streams/order-1/1/forward/10")
                        .header("ES-LongPoll", Integer.toString(seconds))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Nested
    class One_client {

        @Test
        void is_refused_with_429_past_its_share_of_subscriptions_and_long_polls_together() throws Exception {
            // given
            start(HttpLimits.defaults().withMaxLongLivedRequestsPerClient(2));
            assertThat(subscribe()).isEqualTo(200);
            assertThat(subscribe()).isEqualTo(200);

            // when
            HttpResponse<String> subscription = refusedSubscription();
            HttpResponse<String> poll = longPoll(5).get(10, TimeUnit.SECONDS);

            // then
            for (HttpResponse<String> refused : List.of(subscription, poll)) {
                assertThat(refused.statusCode()).isEqualTo(429);
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
                assertThat(refused.headers().firstValue("Content-Type"))
                        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
                assertThat(json(refused).get("type").asText())
                        .isEqualTo("urn:factum:problem:too-many-long-lived-requests");
                assertThat(json(refused).get("detail").asText())
                        .isEqualTo("this client (127.0.0.1) holds 2 subscriptions and long polls already, the most"
                                + " one client may hold at once; close one, or retry after 5 s");
                assertThat(json(refused).get("limit").asInt()).isEqualTo(2);
            }
        }

        @Test
        void gets_its_place_back_when_a_long_poll_ends() throws Exception {
            start(HttpLimits.defaults().withMaxLongLivedRequestsPerClient(1));

            HttpResponse<String> first = longPoll(1).get(10, TimeUnit.SECONDS);
            HttpResponse<String> second = longPoll(1).get(10, TimeUnit.SECONDS);

            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(second.statusCode()).isEqualTo(200);
        }

        @Test
        void is_not_counted_for_a_poll_answered_at_once() throws Exception {
            start(HttpLimits.defaults().withMaxLongLivedRequestsPerClient(1));
            assertThat(subscribe()).isEqualTo(200);

            // a page with events does not wait, so it needs no place
            HttpResponse<String> page = client.send(
                    request("/streams/order-1/0/forward/10")
                            .header("ES-LongPoll", "5")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(page.statusCode()).isEqualTo(200);
        }
    }

    @Nested
    class A_subscription {

        @Test
        void ends_at_the_request_timeout_with_a_comment_saying_so() throws Exception {
            // failed before: the request timeout did not reach subscriptions, which ran until the client went
            start(HttpLimits.defaults().withRequestTimeout(Duration.ofSeconds(1)));
            HttpResponse<InputStream> response = client.send(
                    request("/subscriptions/streams/order-1")
                            .header("Accept", "text/event-stream")
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            open.add(response);

            String stream = CompletableFuture.supplyAsync(() -> {
                        try {
                            return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .get(10, TimeUnit.SECONDS);

            assertThat(stream)
                    .contains("event: Placed")
                    .contains(": the subscription reached the server's time limit of 1 s; reconnect with"
                            + " Last-Event-ID to go on");
            awaitInUse(0);
        }
    }

    @Nested
    class All_clients {

        @Test
        void are_refused_with_503_past_the_total() throws Exception {
            start(HttpLimits.defaults().withMaxLongLivedRequests(2));
            assertThat(subscribe()).isEqualTo(200);
            CompletableFuture<HttpResponse<String>> waiting = longPoll(30);
            awaitInUse(2);

            HttpResponse<String> refused = refusedSubscription();

            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(json(refused).get("type").asText()).isEqualTo("urn:factum:problem:long-lived-requests-full");
            assertThat(json(refused).get("detail").asText())
                    .isEqualTo("the server serves 2 subscriptions and long polls already, the most it serves at"
                            + " once; retry after 5 s, or on another instance");
            assertThat(waiting).isNotDone();
            store.append("order-1", ExpectedVersion.any(), EventData.of("Shipped", "{}"));
            assertThat(waiting.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    /** Waits until the server holds {@code count}: a long poll's client cannot see that it was admitted. */
    private void awaitInUse(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (http.longLived().inUse() != count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(http.longLived().inUse()).isEqualTo(count);
    }
}
