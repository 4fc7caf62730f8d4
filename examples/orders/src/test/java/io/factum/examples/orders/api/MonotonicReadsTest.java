package io.factum.examples.orders.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.core.Position;
import io.factum.core.subscription.Subscription;
import io.factum.examples.orders.app.OrdersApp;
import io.factum.examples.orders.payments.PaymentProvider;
import io.factum.examples.orders.web.OrdersWeb;
import io.javalin.Javalin;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Monotonic reads across instances: two OrdersApps (A and B) on one PostgreSQL database, each with the JSON
 * API on a port of its own, like two instances behind a load balancer. A client writes through one and
 * reads through the other, sending back the {@code Factum-Position} of the last answer it got; it never sees
 * an older state. The instances share the read models' tables and checkpoints: what can lag is an
 * instance's subscription (B then answers from the checkpoint in the database) or the read model itself
 * (B then waits, and answers 503 if it does not get there in time).
 */
class MonotonicReadsTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADDRESS =
            "{\"street\":\"12 Analytical Row\",\"city\":\"London\",\"postalCode\":\"N1 9GU\",\"country\":\"GB\"}";

    private static EmbeddedPostgres server;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> running = new ArrayList<>();
    private String url = "";
    private Instance a;
    private Instance b;

    /** One instance: the app and its API. */
    private record Instance(String name, OrdersApp app, Javalin web) {}

    /** What the client keeps: the last position it was answered with. */
    private Position last = Position.START;

    @BeforeAll
    static void startServer() throws IOException {
        server = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopServer() throws IOException {
        server.close();
    }

    @BeforeEach
    void startInstances() throws SQLException {
        String database = "orders_" + DATABASES.incrementAndGet();
        try (Connection connection = server.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        }
        url = server.getJdbcUrl("postgres", database);
        a = start("A", url, Duration.ofSeconds(10));
        b = start("B", url, Duration.ofSeconds(10));
    }

    private Instance start(String name, String url, Duration readWait) {
        // no payment ever answers: orders stay as the test leaves them, whichever instance runs the process
        OrdersApp app = OrdersApp.builder()
                .postgres(url)
                .paymentProvider(PaymentProvider.always(PaymentProvider.Answer.NEVER_ANSWER))
                .paymentTimeout(Duration.ofHours(1))
                .start();
        running.add(app);
        OrdersApi api = new OrdersApi(app, readWait);
        Javalin web = Javalin.create(config -> {
                    config.jetty.host = "127.0.0.1";
                    config.jetty.port = 0;
                    api.configure(config);
                    OrdersWeb.of(app).configure(config);
                })
                .start();
        running.add(web::stop);
        return new Instance(name, app, web);
    }

    @AfterEach
    void stopInstances() throws Exception {
        for (AutoCloseable closeable : running.reversed()) {
            closeable.close();
        }
    }

    @Test
    void a_client_that_sends_back_the_position_never_sees_an_older_state_on_the_other_instance() {
        String customer = post(
                        a,
                        "/api/customers",
                        "{\"name\":\"Ada\",\"email\":\"ada@example.com\",\"address\":" + ADDRESS + "}")
                .body()
                .path("customerId")
                .asText();
        String order = post(b, "/api/orders", "{\"customerId\":\"" + customer + "\"}")
                .body()
                .path("orderId")
                .asText();

        for (int item = 1; item <= 12; item++) {
            // writes go to one instance, reads to the other, in turn
            Instance writer = item % 2 == 0 ? a : b;
            Instance reader = writer == a ? b : a;
            Answer added = post(
                    writer,
                    "/api/orders/" + order + "/add-item",
                    "{\"productId\":\"P-" + item + "\",\"quantity\":1,\"unitPrice\":2.50}");
            assertThat(added.status()).isEqualTo(200);
            assertThat(added.position())
                    .isEqualTo(Position.parse(added.body().path("position").asText()));

            Answer read = get(reader, "/api/orders/" + order);

            assertThat(read.status()).as("read through %s", reader.name()).isEqualTo(200);
            assertThat(read.body().path("itemCount").asInt()).isEqualTo(item);
            assertThat(read.position()).isGreaterThanOrEqualTo(added.position());
            // and the customer's read model too, through the other instance
            Answer customerView = get(writer, "/api/customers/" + customer);
            assertThat(customerView.body().path("orders")).hasSize(1);
        }
    }

    @Test
    void an_instance_whose_subscriptions_stopped_answers_from_the_read_model_the_other_one_moves() {
        String customer = register(a);
        stopSubscriptions(b);

        String order = post(a, "/api/orders", "{\"customerId\":\"" + customer + "\"}")
                .body()
                .path("orderId")
                .asText();
        Position created = last;
        Answer read = get(b, "/api/orders/" + order);

        // B's own subscription did not move, the read model in the database did: B waits for that, not
        // for itself, and answers with the position the read model reflects
        assertThat(b.app().orderSummaries().status().processedThrough()).isLessThan(created);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body().path("status").asText()).isEqualTo("PENDING");
        assertThat(read.position()).isGreaterThanOrEqualTo(created);
    }

    @Test
    void a_read_model_behind_is_waited_for_and_never_answered_stale() throws Exception {
        String customer = register(a);
        String order = post(a, "/api/orders", "{\"customerId\":\"" + customer + "\"}")
                .body()
                .path("orderId")
                .asText();
        assertThat(get(b, "/api/orders/" + order).body().path("itemCount").asInt())
                .isZero();
        // the read model falls behind: no instance applies events any more
        stopSubscriptions(a);
        stopSubscriptions(b);
        post(a, "/api/orders/" + order + "/add-item", "{\"productId\":\"P-1\",\"quantity\":3,\"unitPrice\":2.50}");

        // when: the client reads through B with the position of its write
        CompletableFuture<Answer> waiting = CompletableFuture.supplyAsync(() -> get(b, "/api/orders/" + order));
        // and, while B waits (up to 10 s), a third instance starts and catches the read model up
        start("C", url, Duration.ofSeconds(10));

        // then: B answered with the new state, never the one without the item
        Answer read = waiting.get(30, TimeUnit.SECONDS);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body().path("itemCount").asInt()).isEqualTo(1);
    }

    @Test
    void a_read_model_that_does_not_get_there_in_time_is_refused_with_503_and_retry_after() {
        Instance impatient = start("D", url, Duration.ofMillis(300));
        String customer = register(a);
        String order = post(a, "/api/orders", "{\"customerId\":\"" + customer + "\"}")
                .body()
                .path("orderId")
                .asText();
        get(impatient, "/api/orders/" + order);
        for (Instance instance : List.of(a, b, impatient)) {
            stopSubscriptions(instance);
        }
        post(a, "/api/orders/" + order + "/add-item", "{\"productId\":\"P-1\",\"quantity\":3,\"unitPrice\":2.50}");
        Position write = last;

        Answer refused = get(impatient, "/api/orders/" + order);

        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.raw().headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.raw().headers().firstValue("Content-Type")).hasValue(OrdersApi.PROBLEM_JSON);
        assertThat(refused.body().path("type").asText()).isEqualTo("urn:factum:orders:read-model-behind");
        assertThat(refused.body().path("minPosition").asText()).isEqualTo(write.toString());
        assertThat(refused.raw().headers().firstValue(OrdersApi.POSITION_HEADER))
                .isEmpty();

        // when another instance catches the read model up, the same request is answered
        start("E", url, Duration.ofSeconds(10));
        Answer answered = get(b, "/api/orders/" + order);
        assertThat(answered.status()).isEqualTo(200);
        assertThat(answered.body().path("itemCount").asInt()).isEqualTo(1);
        assertThat(get(impatient, "/api/orders/" + order).status()).isEqualTo(200);
    }

    @Test
    void a_browser_whose_next_page_lands_on_the_other_instance_is_never_shown_an_older_page() throws Exception {
        // given: a browser (it keeps cookies; both instances are on 127.0.0.1, as behind one address)
        HttpClient browser = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        String customer = register(a);
        String order = post(a, "/api/orders", "{\"customerId\":\"" + customer + "\"}")
                .body()
                .path("orderId")
                .asText();
        stopSubscriptions(b);

        // when: it adds an item through A's form, and its next page comes from B without ?after=
        HttpResponse<String> added = browser.send(
                HttpRequest.newBuilder(uri(a, "/orders/" + order + "/add-item"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("productId=P-1&quantity=2&unitPrice=2.50"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(added.statusCode()).isEqualTo(303);
        Position done = Position.parse(
                added.headers().firstValue(OrdersApi.POSITION_HEADER).orElseThrow());
        HttpResponse<String> page = browser.send(
                HttpRequest.newBuilder(uri(b, "/orders/" + order)).build(), HttpResponse.BodyHandlers.ofString());

        // then: B, whose own subscriptions stopped, shows the item (from the read model A moved)
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("P-1", "<strong id=\"order-total\">5.00</strong>");
        assertThat(Position.parse(
                        page.headers().firstValue(OrdersApi.POSITION_HEADER).orElseThrow()))
                .isGreaterThanOrEqualTo(done);

        // when: the read model falls behind everywhere and the browser adds another item through A
        stopSubscriptions(a);
        browser.send(
                HttpRequest.newBuilder(uri(a, "/orders/" + order + "/add-item"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("productId=P-2&quantity=1&unitPrice=1.00"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> behind = browser.send(
                HttpRequest.newBuilder(uri(b, "/orders/" + order)).build(), HttpResponse.BodyHandlers.ofString());

        // then: B says the page is not up to date (after its wait), never shows the order without P-2
        assertThat(behind.statusCode()).isEqualTo(503);
        assertThat(behind.body()).contains("not up to date yet").doesNotContain("P-1");

        // and once another instance caught the read model up, B shows both
        start("C", url, Duration.ofSeconds(10));
        HttpResponse<String> caughtUp = browser.send(
                HttpRequest.newBuilder(uri(b, "/orders/" + order)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(caughtUp.statusCode()).isEqualTo(200);
        assertThat(caughtUp.body()).contains("P-1", "P-2", "<strong id=\"order-total\">6.00</strong>");
    }

    /** Stops every subscription of an instance (a batch being applied is committed first); its API goes on. */
    private static void stopSubscriptions(Instance instance) {
        instance.app().subscriptions().forEach(Subscription::close);
    }

    // ---- the client

    private String register(Instance instance) {
        return post(
                        instance,
                        "/api/customers",
                        "{\"name\":\"Ada\",\"email\":\"ada@example.com\",\"address\":" + ADDRESS + "}")
                .body()
                .path("customerId")
                .asText();
    }

    private record Answer(int status, HttpResponse<String> raw, JsonNode body) {
        Position position() {
            return Position.parse(raw.headers()
                    .firstValue(OrdersApi.POSITION_HEADER)
                    .orElseThrow(() -> new AssertionError("no " + OrdersApi.POSITION_HEADER + " on " + raw)));
        }
    }

    private Answer post(Instance instance, String path, String body) {
        return send(
                instance,
                HttpRequest.newBuilder(uri(instance, path))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .header("Content-Type", "application/json"));
    }

    private Answer get(Instance instance, String path) {
        return send(instance, HttpRequest.newBuilder(uri(instance, path)).GET());
    }

    private static URI uri(Instance instance, String path) {
        return URI.create("http://127.0.0.1:" + instance.web().port() + path);
    }

    /** Sends the last position the client got, and keeps the one answered. */
    private synchronized Answer send(Instance instance, HttpRequest.Builder request) {
        request.header(OrdersApi.POSITION_HEADER, last.toString());
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Answer answer = new Answer(
                    response.statusCode(),
                    response,
                    response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body()));
            response.headers()
                    .firstValue(OrdersApi.POSITION_HEADER)
                    .map(Position::parse)
                    .ifPresent(position -> {
                        assertThat(position)
                                .as("%s answered an older position than the client sent", instance.name())
                                .isGreaterThanOrEqualTo(last);
                        last = position;
                    });
            return answer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
