package io.factum.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.WrongExpectedVersionException;
import io.factum.core.observation.Observed;
import io.factum.core.subscription.Subscription;
import io.factum.core.subscription.SubscriptionState;
import io.factum.core.subscription.SubscriptionStatus;
import io.javalin.Javalin;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class OpsRoutesTest {

    private static final String KEY = "ops-test-key-0123456789";

    private final HttpClient client = HttpClient.newHttpClient();
    private EventStore store;
    private Javalin app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.stop();
        }
        if (store != null) {
            store.close();
        }
    }

    private Javalin start(FactumHttp.Builder builder) {
        app = builder.security(HttpSecurity.builder().apiKey(KEY, Role.ADMIN).build())
                .build()
                .start("127.0.0.1", 0);
        return app;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                        .header("X-API-Key", KEY)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Nested
    class Metrics {

        @Test
        void serves_the_prometheus_text_with_http_append_and_store_figures() throws Exception {
            // given
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            store = Observed.store(EventStore.inMemory(), Observed.withMetrics(registry), registry);
            store.append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{\"total\":12}"));
            try {
                store.append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}"));
            } catch (WrongExpectedVersionException expected) {
                // counted as a conflict
            }
            start(FactumHttp.builder(store).meterRegistry(registry).storeStats(() -> Map.of("xmin horizon age", 7L)));
            get("/health/live");

            // when
            HttpResponse<String> response = get("/metrics");

            // then
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue(OpsRoutes.PROMETHEUS_CONTENT_TYPE);
            assertThat(response.body())
                    .contains(
                            "http_server_requests_seconds_count{error=\"none\",method=\"GET\",route=\"/health/live\",status=\"200\"} 1")
                    .contains("factum_appends_seconds_count{category=\"order\",error=\"none\",outcome=\"ok\"} 1")
                    .contains(
                            "factum_appends_seconds_count{category=\"order\",error=\"WrongExpectedVersionException\",outcome=\"conflict\"} 1")
                    .contains("factum_append_events_count 1")
                    .contains("factum_append_bytes_sum 14.0")
                    .contains("factum_head_position 1.0")
                    .contains("factum_store_xmin_horizon_age 7.0");
        }

        @Test
        void counts_refused_requests_without_the_raw_path() throws Exception {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            store = EventStore.inMemory();
            start(FactumHttp.builder(store).meterRegistry(registry));
            client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/streams/secret-stream"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(get("/metrics").body())
                    .contains("route=\"/streams/{id}\",status=\"401\"")
                    .doesNotContain("secret-stream");
        }

        @Test
        void answers_404_with_a_problem_without_a_prometheus_registry() throws Exception {
            MeterRegistry registry = new SimpleMeterRegistry();
            store = EventStore.inMemory();
            start(FactumHttp.builder(store).meterRegistry(registry));

            HttpResponse<String> response = get("/metrics");

            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(response.body())
                    .contains("the meter registry is a SimpleMeterRegistry, not a PrometheusMeterRegistry");
        }
    }

    @Nested
    class Health {

        @Test
        void live_and_ready_are_up_while_the_store_answers() throws Exception {
            store = EventStore.inMemory();
            start(FactumHttp.builder(store));

            assertThat(get("/health/live").body()).contains("\"status\":\"UP\"");
            HttpResponse<String> ready = get("/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\":\"UP\"").contains("\"store\":{");
        }

        @Test
        void ready_says_degraded_while_a_subscription_has_parked_events() throws Exception {
            // failed before: UP, and nothing said that a read model lacked an event
            store = EventStore.inMemory();
            start(FactumHttp.builder(store)
                    .readSide(new ReadSideRegistry()
                            .subscription(subscription("order_summary", SubscriptionState.LIVE, 2))
                            .subscription(subscription("customers", SubscriptionState.LIVE, 0))));

            HttpResponse<String> ready = get("/health/ready");

            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body())
                    .startsWith("{\"status\":\"DEGRADED\"")
                    .contains("\"parkedEvents\":{")
                    .contains("\"parked\":{\"order_summary\":2}")
                    .doesNotContain("customers");
        }

        @Test
        void ready_can_be_down_while_events_are_parked() throws Exception {
            store = EventStore.inMemory();
            start(FactumHttp.builder(store)
                    .parkedEventsMakeUnready(true)
                    .readSide(new ReadSideRegistry()
                            .subscription(subscription("order_summary", SubscriptionState.LIVE, 1))));

            HttpResponse<String> ready = get("/health/ready");

            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).startsWith("{\"status\":\"DOWN\"").contains("\"order_summary\":1");
        }

        @Test
        void ready_is_down_while_a_subscription_failed() throws Exception {
            store = EventStore.inMemory();
            start(FactumHttp.builder(store).readSide(new ReadSideRegistry().subscription(failed("search-index"))));

            HttpResponse<String> ready = get("/health/ready");

            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("\"readSide\":{").contains("search-index");
        }

        @Test
        void ready_and_metrics_answer_while_the_store_hangs() throws Exception {
            // failed before: both read the store on the request's thread, and waited for as long as it hung
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            EventStore inner = EventStore.inMemory();
            inner.append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}"));
            AtomicBoolean hang = new AtomicBoolean();
            CountDownLatch release = new CountDownLatch(1);
            EventStore hanging = (EventStore) Proxy.newProxyInstance(
                    EventStore.class.getClassLoader(), new Class<?>[] {EventStore.class}, (proxy, method, args) -> {
                        if (hang.get() && method.getName().equals("headPosition")) {
                            release.await();
                        }
                        try {
                            return method.invoke(inner, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            store = Observed.store(hanging, Observed.withMetrics(registry), registry);
            start(FactumHttp.builder(store)
                    .meterRegistry(registry)
                    .healthTimeout(Duration.ofMillis(200))
                    .storeStats(() -> {
                        if (hang.get()) {
                            try {
                                release.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        return Map.of("xmin horizon age", 3L);
                    }));
            assertThat(get("/metrics").body()).contains("factum_head_position 1.0");
            try {
                hang.set(true);

                HttpResponse<String> ready = getWithin("/health/ready", Duration.ofSeconds(10));
                HttpResponse<String> metrics = getWithin("/metrics", Duration.ofSeconds(10));

                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body())
                        .contains("\"store\":{\"status\":\"DOWN\",\"error\":\"no answer within 200 ms\"}");
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.body())
                        .as("the last values read")
                        .contains("factum_head_position 1.0")
                        .contains("factum_store_xmin_horizon_age 3.0");
            } finally {
                release.countDown();
            }
            assertThat(get("/health/ready").statusCode()).isEqualTo(200);
        }

        private HttpResponse<String> getWithin(String path, Duration timeout) throws Exception {
            return client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                            .header("X-API-Key", KEY)
                            .timeout(timeout)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        @Test
        void ready_is_down_while_the_stores_writes_fail_though_reads_work() throws Exception {
            // failed before: a SQLite store on a full disk reads fine, and the probe said UP
            store = EventStore.inMemory();
            java.util.concurrent.atomic.AtomicReference<Optional<String>> problem =
                    new java.util.concurrent.atomic.AtomicReference<>(Optional.of("the disk holding it is full"));
            start(FactumHttp.builder(store).writeProblem(problem::get));

            HttpResponse<String> failing = get("/health/ready");
            problem.set(Optional.empty());
            HttpResponse<String> recovered = get("/health/ready");

            assertThat(failing.statusCode()).isEqualTo(503);
            assertThat(failing.body())
                    .contains("\"store\":{\"status\":\"DOWN\",\"error\":\"writes fail: the disk holding it is full\"}");
            assertThat(recovered.statusCode()).isEqualTo(200);
        }

        @Test
        void ready_is_down_when_the_store_fails() throws Exception {
            store = EventStore.inMemory();
            start(FactumHttp.builder(store));
            store.close();

            HttpResponse<String> ready = get("/health/ready");

            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).startsWith("{\"status\":\"DOWN\"").contains("StoreException");
        }
    }

    /** A subscription that reports FAILED, without running one. */
    private static Subscription failed(String name) {
        return subscription(name, SubscriptionState.FAILED, 1);
    }

    private static Subscription subscription(String name, SubscriptionState state, int parked) {
        SubscriptionStatus status = new SubscriptionStatus(
                name,
                state,
                Position.START,
                Position.START,
                Position.START,
                0,
                Duration.ZERO,
                0,
                parked,
                Optional.of("IllegalStateException: index down"));
        return (Subscription) Proxy.newProxyInstance(
                Subscription.class.getClassLoader(),
                new Class<?>[] {Subscription.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "name" -> name;
                    case "status" -> status;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> state + " subscription " + name;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void names_store_figures_as_meters() {
        assertThat(OpsRoutes.meterName("xmin horizon age")).isEqualTo("factum.store.xmin.horizon.age");
        assertThat(OpsRoutes.meterName(" Lag (ms) ")).isEqualTo("factum.store.lag.ms");
    }
}
