package io.factum.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.core.Position;
import io.factum.core.subscription.Subscription;
import io.factum.examples.orders.app.OrdersApp;
import io.factum.examples.orders.app.OrdersMain;
import io.factum.examples.orders.payments.PaymentProvider;
import io.javalin.Javalin;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The gateway in front of the reference orders system: two instances (A and B) on one PostgreSQL
 * database, each served as {@link OrdersMain} serves it (JSON API, web UI, admin pages, health), taken in
 * turn by the gateway. Through the gateway, a client gets what Factum's HTTP surfaces promise: a retried
 * command answered alike and applied once, a stale {@code If-Match} refused, reads that never go back in
 * time (whichever instance answers), the services' problems and own credentials untouched.
 */
class GatewayTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "edge-key-for-tests";
    private static final String ADMIN_PASSWORD = "admin-password-for-tests";
    private static final String ADDRESS =
            "{\"street\":\"12 Analytical Row\",\"city\":\"London\",\"postalCode\":\"N1 9GU\",\"country\":\"GB\"}";

    private static EmbeddedPostgres server;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> running = new ArrayList<>();
    private Instance a;
    private Instance b;
    private Gateway gateway;

    /** What the client keeps: the newest position it was answered with. */
    private Position last = Position.START;

    /** One orders instance: the app and its HTTP server. */
    private record Instance(OrdersApp app, Javalin web) {
        URI uri() {
            return URI.create("http://127.0.0.1:" + web.port());
        }
    }

    @BeforeAll
    static void startDatabase() throws IOException {
        server = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopDatabase() throws IOException {
        server.close();
    }

    @BeforeEach
    void start() throws SQLException {
        String database = "orders_" + DATABASES.incrementAndGet();
        try (Connection connection = server.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        }
        String url = server.getJdbcUrl("postgres", database);
        a = instance(url);
        b = instance(url);
        gateway = Gateway.builder()
                .listen("127.0.0.1", 0)
                .service("orders", List.of(a.uri(), b.uri()))
                .route("/", "orders")
                .apiKey(KEY)
                .requestsPerSecond(1000)
                .readinessInterval(Duration.ofMillis(200))
                .start();
        running.add(gateway);
    }

    private Instance instance(String url) {
        // no payment ever answers: orders stay as the test leaves them, whichever instance runs the process
        OrdersApp app = OrdersApp.builder()
                .postgres(url)
                .paymentProvider(PaymentProvider.always(PaymentProvider.Answer.NEVER_ANSWER))
                .paymentTimeout(Duration.ofHours(1))
                .start();
        running.add(app);
        Javalin web = OrdersMain.serve(app, "127.0.0.1", 0, ADMIN_PASSWORD);
        running.add(web::stop);
        return new Instance(app, web);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : running.reversed()) {
            closeable.close();
        }
    }

    @Nested
    class Commands {

        @Test
        void a_command_retried_with_its_idempotency_key_is_answered_alike_and_applied_once() {
            String order = order(customer());

            // the retry goes to the other instance: the store, shared, recognises it
            HttpResponse<String> first = addItem(order, "BOOK-1", "Idempotency-Key", "add-book-once");
            HttpResponse<String> retry = addItem(order, "BOOK-1", "Idempotency-Key", "add-book-once");

            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(retry.statusCode()).isEqualTo(200);
            assertThat(json(retry).path("version")).isEqualTo(json(first).path("version"));
            assertThat(json(retry).path("position")).isEqualTo(json(first).path("position"));
            assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
            assertThat(json(read(order)).path("itemCount").asInt()).isEqualTo(1);
        }

        @Test
        void a_command_with_a_stale_if_match_is_refused_with_the_services_409_problem() {
            String order = order(customer());
            String etag = read(order).headers().firstValue("ETag").orElseThrow();

            HttpResponse<String> accepted = addItem(order, "BOOK-1", "If-Match", etag);
            HttpResponse<String> stale = addItem(order, "PEN-7", "If-Match", etag);

            assertThat(accepted.statusCode()).isEqualTo(200);
            assertThat(stale.statusCode()).isEqualTo(409);
            assertThat(stale.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(json(stale).path("type").asText()).isEqualTo("urn:factum:orders:version-conflict");
            assertThat(json(stale).path("detail").asText())
                    .isEqualTo(
                            "If-Match expected version 0 but it is at 1; read it again and decide on the newer state");
        }

        @Test
        void a_refused_command_gets_the_same_problem_through_the_gateway_as_from_the_instance() {
            // an empty order cannot be confirmed: a business rule, 422
            String confirm = "/api/orders/" + order(customer()) + "/confirm";

            HttpResponse<String> direct = send(HttpRequest.newBuilder(a.uri().resolve(confirm))
                    .header("Content-Type", "application/json")
                    .POST(body("")));
            HttpResponse<String> through =
                    send(api(confirm).header("Content-Type", "application/json").POST(body("")));

            assertThat(through.statusCode()).isEqualTo(direct.statusCode()).isEqualTo(422);
            assertThat(through.headers().firstValue("Content-Type"))
                    .isEqualTo(direct.headers().firstValue("Content-Type"))
                    .hasValue("application/problem+json");
            assertThat(through.body()).isEqualTo(direct.body()).contains("has no items");
        }
    }

    @Nested
    class Reads {

        @Test
        void a_client_that_sends_back_its_position_never_reads_an_older_state_whichever_instance_answers() {
            // B applies no events itself: it answers from the read model A keeps, once that has the position
            b.app().subscriptions().forEach(Subscription::close);
            String order = order(customer());

            for (int item = 1; item <= 6; item++) {
                HttpResponse<String> added = addItem(order, "P-" + item, "Idempotency-Key", "item-" + item);
                assertThat(added.statusCode()).isEqualTo(200);
                Position written = position(added);

                // the writes and reads go to A and B in turn, so each read goes where the last write did not;
                // it carries the position of the write (the client's last)
                HttpResponse<String> read = read(order);

                assertThat(read.statusCode()).isEqualTo(200);
                assertThat(json(read).path("itemCount").asInt()).isEqualTo(item);
                assertThat(position(read)).isGreaterThanOrEqualTo(written);
            }
        }
    }

    @Nested
    class Credentials {

        @Test
        void the_api_needs_the_gateway_key_and_the_admin_pages_still_need_the_services_own_password() {
            HttpResponse<String> noKey = send(HttpRequest.newBuilder(uri("/api/orders")));
            HttpResponse<String> noPassword = send(HttpRequest.newBuilder(uri("/admin")));
            HttpResponse<String> withPassword = send(HttpRequest.newBuilder(uri("/admin"))
                    .header(
                            "Authorization",
                            "Basic "
                                    + Base64.getEncoder()
                                            .encodeToString(
                                                    ("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8))));

            assertThat(noKey.statusCode()).isEqualTo(401);
            assertThat(json(noKey).path("type").asText()).isEqualTo("urn:factum:gateway:key-needed");
            // the service's own 401, with its challenge, passed through
            assertThat(noPassword.statusCode()).isEqualTo(401);
            assertThat(noPassword.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(challenge -> assertThat(challenge).startsWith("Basic"));
            assertThat(withPassword.statusCode()).isEqualTo(200);
        }

        @Test
        void
                a_form_posted_by_a_page_through_the_gateway_passes_the_services_same_origin_check_and_another_sites_does_not() {
            String order = order(customer());
            String form = "productId=P-1&quantity=1&unitPrice=2.50";

            HttpResponse<String> ours = send(HttpRequest.newBuilder(uri("/orders/" + order + "/add-item"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Origin", "http://127.0.0.1:" + gateway.port())
                    .POST(body(form)));
            HttpResponse<String> theirs = send(HttpRequest.newBuilder(uri("/orders/" + order + "/add-item"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Origin", "https://evil.example")
                    .header("Sec-Fetch-Site", "cross-site")
                    .POST(body(form)));

            assertThat(ours.statusCode()).isEqualTo(303);
            assertThat(theirs.statusCode()).isEqualTo(403);
            assertThat(json(theirs).path("type").asText()).endsWith("cross-site-request");
        }
    }

    @Nested
    class Instances {

        @Test
        void reads_go_on_when_one_instance_stops_and_with_none_left_the_gateway_answers_503_with_retry_after() {
            String customer = customer();
            b.web().stop();

            // with its position, as the instance that answers may not have applied the registration yet
            // (failed before, now and then: 404 from the instance that had not)
            for (int read = 0; read < 4; read++) {
                HttpResponse<String> answer =
                        send(api("/api/customers/" + customer).header("Factum-Position", last.toString()));
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            }

            a.web().stop();
            HttpResponse<String> none = send(api("/api/customers/" + customer));

            assertThat(none.statusCode()).isEqualTo(503);
            assertThat(none.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(none.headers().firstValue("Content-Type")).hasValue(ProblemErrorHandler.PROBLEM_JSON);
            assertThat(json(none).path("type").asText()).isEqualTo("urn:factum:gateway:no-ready-instance");
        }
    }

    // ---- the client

    private String customer() {
        HttpResponse<String> registered = send(api("/api/customers")
                .header("Content-Type", "application/json")
                .POST(body("{\"name\":\"Ada\",\"email\":\"ada@example.com\",\"address\":" + ADDRESS + "}")));
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        return json(registered).path("customerId").asText();
    }

    private String order(String customer) {
        HttpResponse<String> created = send(api("/api/orders")
                .header("Content-Type", "application/json")
                .POST(body("{\"customerId\":\"" + customer + "\"}")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return json(created).path("orderId").asText();
    }

    private HttpResponse<String> addItem(String order, String product, String header, String value) {
        return send(api("/api/orders/" + order + "/add-item")
                .header("Content-Type", "application/json")
                .header(header, value)
                .POST(body("{\"productId\":\"" + product + "\",\"quantity\":1,\"unitPrice\":5.00}")));
    }

    /** Reads an order at least as new as the last answer the client got (read-your-writes). */
    private HttpResponse<String> read(String order) {
        return send(api("/api/orders/" + order).header("Factum-Position", last.toString()));
    }

    private static Position position(HttpResponse<String> answer) {
        return Position.parse(answer.headers()
                .firstValue("Factum-Position")
                .orElseThrow(() -> new AssertionError("no Factum-Position on " + answer + ": " + answer.body())));
    }

    private HttpRequest.Builder api(String path) {
        return HttpRequest.newBuilder(uri(path)).header(EdgeHandler.KEY_HEADER, KEY);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }

    private static HttpRequest.BodyPublisher body(String text) {
        return HttpRequest.BodyPublishers.ofString(text);
    }

    /** Sends a request and keeps the newest position answered. */
    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            answer.headers()
                    .firstValue("Factum-Position")
                    .map(Position::parse)
                    .filter(position -> position.compareTo(last) > 0)
                    .ifPresent(position -> last = position);
            return answer;
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
