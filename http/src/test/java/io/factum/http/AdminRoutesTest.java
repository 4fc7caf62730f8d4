package io.factum.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventFilter;
import io.factum.core.Position;
import io.factum.core.subscription.CheckpointStore;
import io.factum.core.subscription.ConsumerGroup;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.RetryPolicy;
import io.factum.core.subscription.Subscription;
import io.factum.core.subscription.SubscriptionState;
import io.factum.http.AdminTestApp.FakeProjection;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AdminRoutesTest {

    private static final String SCRIPT = "<script>alert('x')</script>";

    private AdminTestApp app;

    @BeforeEach
    void start() {
        app = new AdminTestApp().start();
    }

    @AfterEach
    void stop() {
        app.close();
    }

    @Nested
    class The_store_page {

        @Test
        void shows_the_head_position_the_estimate_and_the_stores_figures() throws Exception {
            // given
            app.append("order-1", "OrderPlaced", "{\"total\":10}");
            app.append("order-2", "OrderPlaced", "{\"total\":20}");

            // when
            HttpResponse<String> page = app.get("/admin");

            // then
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            assertThat(page.body())
                    .contains("Head position", "Events (estimate: the head position)")
                    .contains("xmin horizon age", "42")
                    .contains("order-1", "order-2")
                    .contains("/admin/static/" + AdminRoutes.HTMX);
        }

        @Test
        void serves_the_vendored_htmx() throws Exception {
            HttpResponse<String> script = app.get("/admin/static/" + AdminRoutes.HTMX);

            assertThat(script.statusCode()).isEqualTo(200);
            assertThat(script.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
            assertThat(script.body()).contains("htmx");
        }
    }

    @Nested
    class The_streams_page {

        @Test
        void lists_recent_streams_by_id_prefix_or_category() throws Exception {
            app.append("order-1", "OrderPlaced", "{}");
            app.append("order-2", "OrderPlaced", "{}");
            app.append("customer-7", "CustomerRegistered", "{}");

            HttpResponse<String> byCategory = app.get("/admin/streams?q=order");
            HttpResponse<String> byPrefix = app.get("/admin/streams?q=cust");

            assertThat(byCategory.statusCode()).isEqualTo(200);
            assertThat(byCategory.body()).contains("order-1", "order-2").doesNotContain("customer-7");
            assertThat(byPrefix.body()).contains("customer-7").doesNotContain("order-1");
            assertThat(byCategory.body()).contains("Looked at the last 3 events of the log (at most 10000)");
        }

        @Test
        void finds_a_stream_by_its_exact_id_however_old() throws Exception {
            app.append("order-1", "OrderPlaced", "{}");

            HttpResponse<String> page = app.get("/admin/streams?q=order-1");

            assertThat(page.body()).contains("Exact match", "/admin/stream?id=order-1");
        }

        @Test
        void escapes_a_stream_id_that_holds_markup() throws Exception {
            app.append("evil-" + SCRIPT, "Hacked", "{}");

            HttpResponse<String> list = app.get("/admin/streams");
            HttpResponse<String> stream = app.get("/admin/stream?id=" + AdminTestApp.encode("evil-" + SCRIPT));

            assertThat(list.body()).doesNotContain(SCRIPT).contains("&lt;script&gt;");
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.body()).doesNotContain(SCRIPT).contains("evil-&lt;script&gt;");
        }
    }

    @Nested
    class A_stream_page {

        @Test
        void shows_the_events_newest_first_a_page_at_a_time() throws Exception {
            for (int i = 0; i < AdminPages.PAGE_SIZE + 5; i++) {
                app.append("order-1", "Step" + i, "{}");
            }

            HttpResponse<String> newest = app.get("/admin/stream?id=order-1");
            HttpResponse<String> older = app.get("/admin/stream?id=order-1&from=4");

            assertThat(newest.statusCode()).isEqualTo(200);
            assertThat(newest.body()).contains("last version 24", "Step24", "Step5", "older →");
            assertThat(newest.body()).doesNotContain(">Step4<");
            assertThat(older.body()).contains("Step4", "Step0", "← newer").doesNotContain(">Step5<");
        }

        @Test
        void answers_404_for_a_stream_that_does_not_exist() throws Exception {
            HttpResponse<String> page = app.get("/admin/stream?id=nothing-here");

            assertThat(page.statusCode()).isEqualTo(404);
            assertThat(page.body()).contains("there is no stream 'nothing-here'");
        }
    }

    @Nested
    class An_event_page {

        @Test
        void shows_the_data_and_metadata_pretty_printed_and_escaped() throws Exception {
            UUID correlation = UUID.randomUUID();
            app.append(
                    "order-1",
                    correlation,
                    correlation,
                    UUID.randomUUID(),
                    "OrderPlaced",
                    "{\"note\":\"" + SCRIPT + "\",\"total\":10}");

            HttpResponse<String> page = app.get("/admin/event?stream=order-1&version=0");

            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).doesNotContain(SCRIPT);
            assertThat(page.body())
                    .contains("\"note\" : \"&lt;script&gt;alert('x')&lt;/script&gt;\"")
                    .contains("\"total\" : 10")
                    .contains("\"correlationId\" : \"" + correlation + "\"")
                    .contains("/admin/correlation?id=" + correlation);
        }

        @Test
        void answers_404_for_a_version_the_stream_does_not_have() throws Exception {
            app.append("order-1", "OrderPlaced", "{}");

            assertThat(app.get("/admin/event?stream=order-1&version=5").statusCode())
                    .isEqualTo(404);
            assertThat(app.get("/admin/event?stream=order-1&version=x").statusCode())
                    .isEqualTo(404);
        }
    }

    @Nested
    class The_correlation_page {

        @Test
        void shows_which_event_caused_which() throws Exception {
            // given a command that placed an order, whose event caused a payment, whose event caused a shipment
            UUID correlation = UUID.randomUUID();
            UUID placed = UUID.randomUUID();
            UUID paid = UUID.randomUUID();
            app.append("order-1", correlation, correlation, placed, "OrderPlaced", "{}");
            app.append("payment-1", correlation, placed, paid, "PaymentTaken", "{}");
            app.append("shipment-1", correlation, paid, UUID.randomUUID(), "ShipmentBooked", "{}");
            app.append("order-2", "OrderPlaced", "{}");

            // when
            HttpResponse<String> page = app.get("/admin/correlation?id=" + correlation);

            // then
            assertThat(page.statusCode()).isEqualTo(200);
            String body = page.body();
            assertThat(body).contains("the message that started the chain");
            assertThat(body).contains("PaymentTaken (payment-1 @ 0)", "OrderPlaced (order-1 @ 0)");
            assertThat(body.indexOf("OrderPlaced")).isLessThan(body.indexOf("PaymentTaken"));
            assertThat(body.indexOf("PaymentTaken")).isLessThan(body.indexOf("ShipmentBooked"));
            assertThat(body).doesNotContain("order-2");
        }
    }

    @Nested
    class The_projections_page {

        @Test
        void shows_a_subscriptions_state_lag_and_parked_events_and_replays_one() throws Exception {
            // given a subscription that parks the poison event while its handler is broken
            AtomicBoolean broken = new AtomicBoolean(true);
            AtomicInteger handled = new AtomicInteger();
            app.append("order-1", "OrderPlaced", "{}");
            app.append("order-1", "Poison", "{}");
            CheckpointStore checkpoints = CheckpointStore.inMemory();
            try (Subscription audit = Subscription.handler("audit", app.store, checkpoints, event -> {
                        if (broken.get() && event.type().equals("Poison")) {
                            throw new IllegalStateException("cannot handle <b>" + event.type() + "</b>");
                        }
                        handled.incrementAndGet();
                    })
                    .retry(new RetryPolicy(1, Duration.ZERO, Duration.ZERO))
                    .start()) {
                app.readSide.checkpoints(checkpoints).subscription(audit);
                assertThat(audit.awaitPosition(app.store.headPosition(), Duration.ofSeconds(10)))
                        .isTrue();
                assertThat(audit.parked()).hasSize(1);

                // when
                HttpResponse<String> page = app.get("/admin/projections");

                // then
                assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
                assertThat(page.body())
                        .contains("audit", "LIVE", "Lag (events)", "Lag (seconds)", "Parked by audit")
                        .contains("cannot handle &lt;b&gt;Poison&lt;/b&gt;")
                        .contains("hx-post=\"/admin/subscriptions/replay\"");

                // when the handler is fixed and the event replayed
                broken.set(false);
                String position = audit.parked().getFirst().position().toString();
                HttpResponse<String> replayed = app.htmxPost(
                        "/admin/subscriptions/replay", Map.of("subscription", "audit", "position", position));

                // then
                assertThat(replayed.statusCode()).isEqualTo(200);
                assertThat(replayed.body()).contains("it is no longer parked").doesNotContain("<html");
                assertThat(audit.parked()).isEmpty();
                assertThat(handled.get()).isEqualTo(2);
            }
        }

        @Test
        void says_so_when_a_replay_names_nothing_parked() throws Exception {
            CheckpointStore checkpoints = CheckpointStore.inMemory();
            try (Subscription audit = Subscription.handler("audit", app.store, checkpoints, event -> {})
                    .start()) {
                app.readSide.subscription(audit);

                HttpResponse<String> unknown = app.htmxPost(
                        "/admin/subscriptions/replay", Map.of("subscription", "nobody", "position", "0/1"));
                HttpResponse<String> nothingParked = app.htmxPost(
                        "/admin/subscriptions/replay",
                        Map.of(
                                "subscription",
                                "audit",
                                "position",
                                Position.of(1).toString()));

                assertThat(unknown.body()).contains("no subscription named 'nobody' is registered");
                assertThat(nothingParked.body()).contains("class=\"action-result bad\"");
            }
        }

        @Test
        void runs_the_rebuild_callback_and_shows_the_rebuild_in_progress() throws Exception {
            // given version 1 of "orders" active, and a callback that starts version 2
            app.readSide.subscription(new FakeProjection("orders", 1, 1, SubscriptionState.LIVE));
            AtomicInteger calls = new AtomicInteger();
            app.readSide.rebuilder("orders", () -> {
                calls.incrementAndGet();
                app.readSide.subscription(new FakeProjection("orders", 2, 1, SubscriptionState.CATCHING_UP));
            });
            assertThat(app.get("/admin/projections").body())
                    .contains("class=\"rebuild\"", "v1 LIVE")
                    .doesNotContain("rebuild in progress");

            // when
            HttpResponse<String> rebuilt = app.htmxPost("/admin/projections/rebuild", Map.of("projection", "orders"));

            // then
            assertThat(rebuilt.statusCode()).isEqualTo(200);
            assertThat(rebuilt.body()).contains("rebuild of 'orders' started");
            assertThat(calls.get()).isEqualTo(1);
            String page = app.get("/admin/projections").body();
            assertThat(page).contains("v1 LIVE", "v2 CATCHING_UP", "rebuild in progress");
            assertThat(page).contains("<td class=\"active-version\">v1</td>").doesNotContain("class=\"rebuild\"");
        }

        @Test
        void answers_404_to_a_rebuild_without_a_callback_and_redirects_a_plain_form_post() throws Exception {
            app.readSide.subscription(new FakeProjection("orders", 1, 1, SubscriptionState.LIVE));

            HttpResponse<String> missing = app.htmxPost("/admin/projections/rebuild", Map.of("projection", "orders"));

            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.body()).contains("no rebuild callback is registered for projection 'orders'");
            assertThat(app.get("/admin/projections").body()).contains("no rebuild callback registered");
            HttpResponse<String> plain = app.post("/admin/projections/rebuild", Map.of("projection", "orders"), false);
            assertThat(plain.statusCode()).isEqualTo(303);
            assertThat(plain.headers().firstValue("Location")).hasValue("/admin/projections");
        }

        @Test
        void shows_consumer_group_members_and_their_buckets() throws Exception {
            LeaseStore leases = LeaseStore.inMemory(Clock.systemUTC());
            CheckpointStore checkpoints = CheckpointStore.inMemory(leases);
            app.append("order-1", "OrderPlaced", "{}");
            try (ConsumerGroup member = ConsumerGroup.builder("shipping", "node-a", app.store, checkpoints, leases)
                    .buckets(4)
                    .filter(EventFilter.all())
                    .handler(event -> {})
                    .start()) {
                app.readSide.leases(leases).group(member);
                assertThat(member.awaitPosition(app.store.headPosition(), Duration.ofSeconds(10)))
                        .isTrue();

                String page = app.get("/admin/projections").body();

                assertThat(page).contains("Group shipping", "node-a", "0, 1, 2, 3", "Member (lease store)");
            }
        }
    }
}
