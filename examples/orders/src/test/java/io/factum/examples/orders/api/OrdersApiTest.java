package io.factum.examples.orders.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.factum.core.ExpectedVersion;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.subscription.ParkedEvent;
import io.factum.examples.orders.app.OrdersApp;
import io.factum.examples.orders.ordering.OrderEvent;
import io.factum.examples.orders.payments.PaymentProvider;
import io.javalin.Javalin;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API end to end: a real OrdersApp on a temporary SQLite file, the API on a free port. */
class OrdersApiTest {

    static final String ADDRESS =
            "{\"street\":\"12 Analytical Row\",\"city\":\"London\",\"postalCode\":\"N1 9GU\",\"country\":\"GB\"}";
    static final String OTHER_ADDRESS =
            "{\"street\":\"1 Engine Lane\",\"city\":\"Oxford\",\"postalCode\":\"OX1 2JD\",\"country\":\"GB\"}";

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    @TempDir
    Path dir;

    OrdersApp app;
    Javalin web;
    HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        // the provider never answers and the deadline is far: a confirmed order stays CONFIRMED during a test
        app = OrdersApp.builder()
                .sqlite(dir.resolve("orders.db"))
                .paymentProvider(PaymentProvider.always(PaymentProvider.Answer.NEVER_ANSWER))
                .paymentTimeout(Duration.ofHours(1))
                .start();
        web = OrdersApi.start(app, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        web.stop();
        app.close();
    }

    // ---- a small client

    record Response(int status, HttpResponse<String> raw, JsonNode body) {
        Optional<String> header(String name) {
            return raw.headers().firstValue(name);
        }

        String text() {
            return raw.body();
        }

        String contentType() {
            return header("Content-Type").orElse("");
        }

        List<String> fieldsNamed() {
            List<String> fields = new ArrayList<>();
            body.path("errors").forEach(error -> fields.add(error.path("field").asText()));
            return fields;
        }
    }

    Response post(String path, String body, String... headers) {
        var request = HttpRequest.newBuilder(uri(path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + web.port() + path);
    }

    Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
            return new Response(response.statusCode(), response, body);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- test data

    UUID registerCustomer() {
        Response response = post(
                "/api/customers",
                // one email address per customer: each test customer has an address of their own
                "{\"name\":\"Ada Lovelace\",\"email\":\"ada+" + UUID.randomUUID() + "@example.com\",\"address\":"
                        + ADDRESS + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        return UUID.fromString(response.body().path("customerId").asText());
    }

    UUID createOrder(UUID customerId) {
        Response response = post("/api/orders", "{\"customerId\":\"" + customerId + "\"}");
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        return UUID.fromString(response.body().path("orderId").asText());
    }

    Response addItem(UUID orderId, String productId, int quantity, String unitPrice, String... headers) {
        return post(
                "/api/orders/" + orderId + "/add-item",
                "{\"productId\":\"" + productId + "\",\"quantity\":" + quantity + ",\"unitPrice\":" + unitPrice + "}",
                headers);
    }

    long streamVersion(UUID orderId) {
        return app.orders().load(orderId.toString()).version();
    }

    static void assertProblem(Response response, int status) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().path("status").asInt()).isEqualTo(status);
        assertThat(response.body().path("type").asText()).startsWith("urn:factum:orders:");
    }

    @Nested
    class Customers {

        @Test
        void registers_a_customer_and_shows_them_with_their_orders() {
            Response registered = post(
                    "/api/customers",
                    "{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\",\"address\":" + ADDRESS + "}");
            assertThat(registered.status()).isEqualTo(201);
            String customerId = registered.body().path("customerId").asText();
            assertThat(registered.header("Location")).contains("/api/customers/" + customerId);
            assertThat(registered.body().path("position").asText()).matches("\\d+/\\d+");

            Response created = post("/api/orders", "{\"customerId\":\"" + customerId + "\"}");
            Response customer = get("/api/customers/" + customerId + "?minPosition="
                    + created.body().path("position").asText());

            assertThat(customer.status()).as(customer.text()).isEqualTo(200);
            assertThat(customer.body().path("name").asText()).isEqualTo("Ada Lovelace");
            assertThat(customer.body().path("email").asText()).isEqualTo("ada@example.com");
            assertThat(customer.body().path("address").path("city").asText()).isEqualTo("London");
            assertThat(customer.body().path("orders").get(0).path("orderId").asText())
                    .isEqualTo(created.body().path("orderId").asText());
            assertThat(customer.body().path("orders").get(0).path("status").asText())
                    .isEqualTo("PENDING");
        }

        @Test
        void names_every_bad_field_of_a_registration() {
            Response response = post(
                    "/api/customers",
                    "{\"name\":\" \",\"email\":\"not-an-email\",\"address\":{\"street\":\"x\",\"city\":7,"
                            + "\"postalCode\":\"\",\"country\":\"GB\"}}");

            assertProblem(response, 400);
            assertThat(response.fieldsNamed())
                    .containsExactlyInAnyOrder("name", "email", "address.city", "address.postalCode");
            assertThat(response.body().path("detail").asText()).contains("address.city must be a string");
        }

        @Test
        void moves_house_corrects_an_address_and_forgets_a_customer() {
            UUID customerId = registerCustomer();

            Response moved =
                    post("/api/customers/" + customerId + "/move-house", "{\"address\":" + OTHER_ADDRESS + "}");
            assertThat(moved.status()).as(moved.text()).isEqualTo(200);
            assertThat(moved.body().path("version").asLong()).isEqualTo(1);

            Response corrected = post(
                    "/api/customers/" + customerId + "/correct-address",
                    "{\"address\":" + OTHER_ADDRESS.replace("1 Engine", "11 Engine") + "}");
            assertThat(corrected.status()).as(corrected.text()).isEqualTo(200);
            assertThat(corrected.body().path("version").asLong()).isEqualTo(2);
            Response shown = get("/api/customers/" + customerId + "?minPosition="
                    + corrected.body().path("position").asText());
            assertThat(shown.body().path("address").path("street").asText()).isEqualTo("11 Engine Lane");

            Response forgotten = post("/api/customers/" + customerId + "/forget", "");
            assertThat(forgotten.status()).as(forgotten.text()).isEqualTo(200);
            Response after = get("/api/customers/" + customerId + "?minPosition="
                    + forgotten.body().path("position").asText());
            assertThat(after.body().path("forgotten").asBoolean()).isTrue();
            assertThat(after.body().path("name").asText()).isNotEqualTo("Ada Lovelace");
        }

        @Test
        void refuses_moving_to_the_same_address_with_the_rule_in_words() {
            UUID customerId = registerCustomer();

            Response response = post("/api/customers/" + customerId + "/move-house", "{\"address\":" + ADDRESS + "}");

            assertProblem(response, 422);
            assertThat(response.body().path("rule").asText()).isEqualTo("same-address");
            assertThat(response.body().path("detail").asText())
                    .isEqualTo("customer " + customerId
                            + " already lives at this address; to fix a typo, correct the address");
        }

        @Test
        void answers_404_for_an_unknown_customer() {
            UUID unknown = UUID.randomUUID();

            assertProblem(post("/api/customers/" + unknown + "/move-house", "{\"address\":" + ADDRESS + "}"), 404);
            assertProblem(get("/api/customers/" + unknown), 404);
        }
    }

    @Nested
    class Orders {

        @Test
        void creates_an_order_with_a_location() {
            UUID customerId = registerCustomer();

            Response response = post("/api/orders", "{\"customerId\":\"" + customerId + "\"}");

            assertThat(response.status()).isEqualTo(201);
            String orderId = response.body().path("orderId").asText();
            assertThat(response.header("Location")).contains("/api/orders/" + orderId);
            assertThat(response.body().path("version").asLong()).isZero();
            assertThat(response.body().path("position").asText()).matches("\\d+/\\d+");
        }

        @Test
        void refuses_an_order_for_a_bad_or_unknown_customer() {
            Response malformed = post("/api/orders", "{\"customerId\":\"nobody\"}");
            assertProblem(malformed, 400);
            assertThat(malformed.fieldsNamed()).containsExactly("customerId");

            Response missing = post("/api/orders", "{}");
            assertProblem(missing, 400);
            assertThat(missing.fieldsNamed()).containsExactly("customerId");

            UUID unknown = UUID.randomUUID();
            Response unregistered = post("/api/orders", "{\"customerId\":\"" + unknown + "\"}");
            assertProblem(unregistered, 422);
            assertThat(unregistered.body().path("detail").asText())
                    .isEqualTo("customer " + unknown + " is not registered; an order needs a registered customer");
        }

        @Test
        void adds_items_and_reads_its_own_write_with_amounts_of_two_places() {
            UUID customerId = registerCustomer();
            UUID orderId = createOrder(customerId);

            Response first = addItem(orderId, "BOOK-1", 2, "12.5");
            Response second = addItem(orderId, "PEN-7", 1, "3.10");
            assertThat(first.status()).as(first.text()).isEqualTo(200);
            assertThat(first.body().path("version").asLong()).isEqualTo(1);
            assertThat(second.body().path("version").asLong()).isEqualTo(2);

            Response order = get("/api/orders/" + orderId + "?minPosition="
                    + second.body().path("position").asText());

            assertThat(order.status()).as(order.text()).isEqualTo(200);
            assertThat(order.header("ETag")).contains("\"2\"");
            JsonNode body = order.body();
            assertThat(body.path("orderId").asText()).isEqualTo(orderId.toString());
            assertThat(body.path("customerId").asText()).isEqualTo(customerId.toString());
            assertThat(body.path("status").asText()).isEqualTo("PENDING");
            assertThat(body.path("itemCount").asInt()).isEqualTo(2);
            assertThat(body.path("version").asLong()).isEqualTo(2);
            assertThat(Instant.parse(body.path("lastUpdated").asText()))
                    .isBefore(Instant.now().plusSeconds(1));
            assertThat(order.text()).contains("\"totalAmount\":28.10");
            assertThat(order.text())
                    .contains("{\"productId\":\"BOOK-1\",\"quantity\":2,\"unitPrice\":12.50}")
                    .contains("{\"productId\":\"PEN-7\",\"quantity\":1,\"unitPrice\":3.10}");
        }

        @Test
        void removes_an_item_confirms_and_cancels() {
            UUID orderId = createOrder(registerCustomer());
            addItem(orderId, "BOOK-1", 1, "10.00");
            addItem(orderId, "PEN-7", 1, "2.00");

            Response removed = post("/api/orders/" + orderId + "/remove-item", "{\"productId\":\"PEN-7\"}");
            assertThat(removed.status()).as(removed.text()).isEqualTo(200);
            Response confirmed = post("/api/orders/" + orderId + "/confirm", "");
            assertThat(confirmed.status()).as(confirmed.text()).isEqualTo(200);
            assertThat(confirmed.body().path("version").asLong()).isEqualTo(4);
            Response shown = get("/api/orders/" + orderId + "?minPosition="
                    + confirmed.body().path("position").asText());
            assertThat(shown.body().path("status").asText()).isEqualTo("CONFIRMED");
            assertThat(shown.text()).contains("\"totalAmount\":10.00");

            Response cancelled = post("/api/orders/" + orderId + "/cancel", "{\"reason\":\"changed my mind\"}");
            assertThat(cancelled.status()).as(cancelled.text()).isEqualTo(200);
            Response after = get("/api/orders/" + orderId + "?minPosition="
                    + cancelled.body().path("position").asText());
            assertThat(after.body().path("status").asText()).isEqualTo("CANCELLED");
        }

        @Test
        void corrects_a_price_and_the_total_follows() {
            UUID orderId = createOrder(registerCustomer());
            addItem(orderId, "BOOK-1", 2, "12.50");

            Response corrected = post(
                    "/api/orders/" + orderId + "/correct-price",
                    "{\"productId\":\"BOOK-1\",\"unitPrice\":11.25,\"reason\":\"typo at entry\"}");

            assertThat(corrected.status()).as(corrected.text()).isEqualTo(200);
            Response shown = get("/api/orders/" + orderId + "?minPosition="
                    + corrected.body().path("position").asText());
            assertThat(shown.text()).contains("\"totalAmount\":22.50").contains("\"unitPrice\":11.25");
        }

        @Test
        void refuses_numbers_and_texts_beyond_what_the_read_models_keep() {
            // failed before: unitPrice 1e300 was accepted, the OrderSummary projection overflowed converting
            // it to cents and parked the event, and the read model went on showing the order without it
            UUID orderId = createOrder(registerCustomer());

            Response huge = addItem(orderId, "BOOK-1", 1, "1e300");
            Response many = addItem(orderId, "BOOK-1", 10_001, "5.00");
            Response longId = addItem(orderId, "B".repeat(101), 1, "5.00");

            assertProblem(huge, 400);
            assertThat(huge.fieldsNamed()).containsExactly("unitPrice");
            assertThat(huge.body().path("detail").asText()).contains("must be at most 1000000.00, got 1E+300");
            assertProblem(many, 400);
            assertThat(many.fieldsNamed()).containsExactly("quantity");
            assertProblem(longId, 400);
            assertThat(longId.fieldsNamed()).containsExactly("productId");
            assertThat(streamVersion(orderId)).isZero();
            assertThat(addItem(orderId, "B".repeat(100), 10_000, "1000000.00").status())
                    .isEqualTo(200);
            Response longName = post(
                    "/api/customers",
                    "{\"name\":\"" + "A".repeat(401) + "\",\"email\":\"ada@example.com\",\"address\":"
                            + "{\"street\":\"x\",\"city\":\"" + "C".repeat(201) + "\",\"postalCode\":\"N1\","
                            + "\"country\":\"GB\"}}");
            assertProblem(longName, 400);
            assertThat(longName.fieldsNamed()).containsExactlyInAnyOrder("name", "address.city");
        }

        @Test
        void an_event_the_summary_cannot_apply_holds_back_its_order_and_the_status_says_so() {
            // failed before: the summary parked the event it could not apply and then applied the order's
            // later events, showing an order the stream never had
            UUID orderId = createOrder(registerCustomer());
            UUID other = createOrder(registerCustomer());
            // an item today's bounds refuse, as an older version of the system could have written it
            app.store()
                    .append(
                            app.orders().streamOf(orderId.toString()),
                            ExpectedVersion.exactly(0),
                            app.serializer()
                                    .serialize(
                                            new OrderEvent.ItemAdded(orderId, "HUGE-1", 1, new BigDecimal("1e300")),
                                            UUID.randomUUID(),
                                            EventMetadata.startingWith(UUID.randomUUID(), Instant.now())));
            Response later = addItem(orderId, "BOOK-1", 1, "10.00");
            Response elsewhere = addItem(other, "BOOK-1", 2, "10.00");
            assertThat(later.status()).as(later.text()).isEqualTo(200);

            Response shown = get("/api/orders/" + orderId + "?minPosition="
                    + later.body().path("position").asText());
            Response shownElsewhere = get("/api/orders/" + other + "?minPosition="
                    + elsewhere.body().path("position").asText());

            assertThat(shown.body().path("items"))
                    .as("the order as before its unreadable event")
                    .isEmpty();
            assertThat(shownElsewhere.text()).contains("\"totalAmount\":20.00");
            assertThat(app.orderSummaries().parked())
                    .extracting(ParkedEvent::attempts)
                    .as("the poison tried, the later event held back untried")
                    .containsExactly(5, 0);
            assertThat(app.orderSummaries().status().parked()).isEqualTo(2);
        }

        @Test
        void names_every_bad_field_of_an_item_and_writes_nothing() {
            UUID orderId = createOrder(registerCustomer());
            long before = streamVersion(orderId);

            Response response = post(
                    "/api/orders/" + orderId + "/add-item",
                    "{\"productId\":\" \",\"quantity\":\"two\",\"unitPrice\":\"x\"}");

            assertProblem(response, 400);
            assertThat(response.fieldsNamed()).containsExactlyInAnyOrder("productId", "quantity", "unitPrice");
            assertThat(streamVersion(orderId)).isEqualTo(before);
        }

        @Test
        void maps_the_bus_validation_of_a_complete_body() {
            UUID orderId = createOrder(registerCustomer());

            Response response = post("/api/orders/" + orderId + "/cancel", "{}");

            assertProblem(response, 400);
            assertThat(response.fieldsNamed()).containsExactly("reason");
            assertThat(response.body().path("detail").asText()).contains("reason is required");
        }

        @Test
        void answers_a_broken_rule_with_422_in_words_and_writes_nothing() {
            UUID orderId = createOrder(registerCustomer());
            long before = streamVersion(orderId);

            Response zero = addItem(orderId, "BOOK-1", 0, "12.50");
            Response empty = post("/api/orders/" + orderId + "/confirm", "");

            assertProblem(zero, 422);
            assertThat(zero.body().path("rule").asText()).isEqualTo("quantity-positive");
            assertThat(zero.body().path("detail").asText()).isEqualTo("quantity must be at least 1, got 0");
            assertProblem(empty, 422);
            assertThat(empty.body().path("detail").asText())
                    .isEqualTo("order " + orderId + " has no items; add at least one before confirming");
            assertThat(streamVersion(orderId)).isEqualTo(before);
        }

        @Test
        void answers_404_for_an_unknown_or_malformed_order_id() {
            UUID unknown = UUID.randomUUID();

            assertProblem(get("/api/orders/" + unknown), 404);
            assertProblem(addItem(unknown, "BOOK-1", 1, "1.00"), 404);
            assertProblem(post("/api/orders/" + unknown + "/confirm", ""), 404);
            Response malformed = get("/api/orders/not-a-uuid");
            assertProblem(malformed, 404);
            assertThat(malformed.body().path("detail").asText())
                    .isEqualTo("there is no order 'not-a-uuid': order ids are UUIDs");
        }

        @Test
        void answers_400_for_a_body_that_is_not_json() {
            UUID orderId = createOrder(registerCustomer());

            Response response = post("/api/orders/" + orderId + "/add-item", "{productId:");

            assertProblem(response, 400);
            assertThat(response.body().path("detail").asText()).startsWith("the request body is not JSON");
        }
    }

    @Nested
    class Conditional_commands {

        @Test
        void runs_a_command_whose_if_match_is_current() {
            UUID orderId = createOrder(registerCustomer());

            Response response = addItem(orderId, "BOOK-1", 1, "5.00", "If-Match", "\"0\"");

            assertThat(response.status()).as(response.text()).isEqualTo(200);
            assertThat(response.body().path("version").asLong()).isEqualTo(1);
        }

        @Test
        void refuses_a_stale_if_match_with_409_and_writes_nothing() {
            UUID orderId = createOrder(registerCustomer());
            addItem(orderId, "BOOK-1", 1, "5.00");

            Response response = addItem(orderId, "PEN-7", 1, "1.00", "If-Match", "\"0\"");

            assertProblem(response, 409);
            assertThat(response.body().path("detail").asText())
                    .isEqualTo(
                            "If-Match expected version 0 but it is at 1; read it again and decide on the newer state");
            assertThat(response.body().path("actualVersion").asLong()).isEqualTo(1);
            assertThat(streamVersion(orderId)).isEqualTo(1);
        }

        @Test
        void lets_exactly_one_of_two_racing_clients_with_the_same_if_match_through() throws Exception {
            UUID orderId = createOrder(registerCustomer());
            for (int round = 0; round < 40; round++) {
                String ifMatch = "\"" + round + "\"";
                var start = new java.util.concurrent.CyclicBarrier(2);
                List<java.util.concurrent.Future<Response>> racers = new ArrayList<>();
                try (var clients = java.util.concurrent.Executors.newFixedThreadPool(2)) {
                    for (String product : List.of("LEFT-" + round, "RIGHT-" + round)) {
                        racers.add(clients.submit(() -> {
                            start.await();
                            return addItem(orderId, product, 1, "1.00", "If-Match", ifMatch);
                        }));
                    }
                }
                List<Integer> statuses = new ArrayList<>();
                for (var racer : racers) {
                    statuses.add(racer.get().status());
                }

                assertThat(statuses).as("round " + round).containsExactlyInAnyOrder(200, 409);
                assertThat(streamVersion(orderId)).isEqualTo(round + 1);
            }
        }

        @Test
        void many_clients_adding_different_items_at_once_all_get_through() throws Exception {
            // failed before: 17 of 80 got 409, as a conflict was decided again at once, at most 5 times
            UUID orderId = createOrder(registerCustomer());
            int clients = 80;
            var start = new java.util.concurrent.CyclicBarrier(clients);
            List<java.util.concurrent.Future<Response>> adds = new ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(clients)) {
                for (int i = 0; i < clients; i++) {
                    String product = "ITEM-" + i;
                    adds.add(pool.submit(() -> {
                        start.await();
                        return addItem(orderId, product, 1, "1.00");
                    }));
                }
            }
            List<Integer> statuses = new ArrayList<>();
            for (var add : adds) {
                statuses.add(add.get().status());
            }

            assertThat(statuses).containsOnly(200);
            assertThat(streamVersion(orderId)).isEqualTo(clients);
        }

        @Test
        void answers_404_for_an_if_match_on_an_order_that_does_not_exist() {
            Response response = addItem(UUID.randomUUID(), "BOOK-1", 1, "5.00", "If-Match", "\"3\"");

            assertProblem(response, 404);
        }

        @Test
        void refuses_a_malformed_if_match() {
            UUID orderId = createOrder(registerCustomer());

            Response response = addItem(orderId, "BOOK-1", 1, "5.00", "If-Match", "zero");

            assertProblem(response, 400);
            assertThat(response.fieldsNamed()).containsExactly("If-Match");
            assertThat(streamVersion(orderId)).isZero();
        }
    }

    @Nested
    class Idempotent_commands {

        @Test
        void answers_a_retried_command_with_the_first_answer_and_emits_nothing_new() {
            UUID orderId = createOrder(registerCustomer());
            Response first = addItem(orderId, "BOOK-1", 1, "5.00", "Idempotency-Key", "add-book-1");
            long after = streamVersion(orderId);

            Response retry = addItem(orderId, "BOOK-1", 1, "5.00", "Idempotency-Key", "add-book-1");

            assertThat(retry.status()).isEqualTo(200);
            assertThat(retry.body()).isEqualTo(first.body());
            assertThat(retry.header("Idempotent-Replayed")).contains("true");
            assertThat(streamVersion(orderId)).isEqualTo(after).isEqualTo(1);
        }

        @Test
        void answers_a_retry_with_its_old_if_match_with_the_first_answer() {
            UUID orderId = createOrder(registerCustomer());
            String[] headers = {"Idempotency-Key", "k-1", "If-Match", "\"0\""};
            Response first = addItem(orderId, "BOOK-1", 1, "5.00", headers);

            Response retry = addItem(orderId, "BOOK-1", 1, "5.00", headers);

            assertThat(retry.status()).as(retry.text()).isEqualTo(200);
            assertThat(retry.body()).isEqualTo(first.body());
            assertThat(streamVersion(orderId)).isEqualTo(1);
        }

        @Test
        void refuses_a_key_reused_for_another_request_and_keeps_the_first_effect() {
            UUID orderId = createOrder(registerCustomer());
            addItem(orderId, "BOOK-1", 1, "5.00", "Idempotency-Key", "add-1");

            // failed before: answered 200 with the first answer, Idempotent-Replayed, and dropped the new request
            Response reused = addItem(orderId, "BOOK-1", 3, "5.00", "Idempotency-Key", "add-1");

            assertProblem(reused, 422);
            assertThat(reused.body().path("type").asText()).isEqualTo("urn:factum:orders:idempotency-key-reused");
            assertThat(reused.text()).contains("'add-1' was first used for another request");
            assertThat(streamVersion(orderId)).isEqualTo(1);
            Response retry = addItem(orderId, "BOOK-1", 1, "5.00", "Idempotency-Key", "add-1");
            assertThat(retry.status()).isEqualTo(200);
            assertThat(retry.header("Idempotent-Replayed")).contains("true");
        }

        @Test
        void refuses_a_create_key_reused_for_another_customer() {
            String key = "new-order-" + UUID.randomUUID();
            post("/api/orders", "{\"customerId\":\"" + registerCustomer() + "\"}", "Idempotency-Key", key);

            Response reused =
                    post("/api/orders", "{\"customerId\":\"" + registerCustomer() + "\"}", "Idempotency-Key", key);

            assertProblem(reused, 422);
            assertThat(reused.body().path("type").asText()).isEqualTo("urn:factum:orders:idempotency-key-reused");
        }

        @Test
        void creates_one_order_for_a_retried_create() {
            UUID customerId = registerCustomer();
            String body = "{\"customerId\":\"" + customerId + "\"}";

            Response first = post("/api/orders", body, "Idempotency-Key", "new-order-1");
            Response retry = post("/api/orders", body, "Idempotency-Key", "new-order-1");

            assertThat(retry.status()).isEqualTo(201);
            assertThat(retry.body()).isEqualTo(first.body());
            UUID orderId = UUID.fromString(first.body().path("orderId").asText());
            assertThat(streamVersion(orderId)).isZero();
            Response list = get("/api/orders?customerId=" + customerId + "&minPosition="
                    + first.body().path("position").asText());
            assertThat(list.body().path("orders")).hasSize(1);
        }
    }

    @Nested
    class Queries {

        @Test
        void lists_orders_by_customer_and_status() {
            UUID ada = registerCustomer();
            UUID other = registerCustomer();
            UUID pending = createOrder(ada);
            UUID confirmed = createOrder(ada);
            createOrder(other);
            addItem(confirmed, "BOOK-1", 1, "5.00");
            Response last = post("/api/orders/" + confirmed + "/confirm", "");
            String fresh = "&minPosition=" + last.body().path("position").asText();

            Response all = get("/api/orders?customerId=" + ada + fresh);
            Response confirmedOnly = get("/api/orders?customerId=" + ada + "&status=CONFIRMED" + fresh);

            assertThat(all.status()).as(all.text()).isEqualTo(200);
            assertThat(all.body().path("orders").findValuesAsText("orderId"))
                    .containsExactlyInAnyOrder(pending.toString(), confirmed.toString());
            assertThat(confirmedOnly.body().path("orders").findValuesAsText("orderId"))
                    .containsExactly(confirmed.toString());
        }

        @Test
        void names_bad_list_filters() {
            Response response = get("/api/orders?customerId=someone&status=LOST");

            assertProblem(response, 400);
            assertThat(response.fieldsNamed()).containsExactlyInAnyOrder("customerId", "status");
        }

        @Test
        void refuses_a_malformed_min_position() {
            Response response = get("/api/orders/" + UUID.randomUUID() + "?minPosition=soon");

            assertProblem(response, 400);
            assertThat(response.fieldsNamed()).containsExactly("minPosition");
        }

        @Test
        void answers_503_with_retry_after_when_the_read_model_does_not_get_there_in_time() {
            UUID orderId = createOrder(registerCustomer());
            Javalin impatient = Javalin.create(config -> {
                        config.jetty.host = "127.0.0.1";
                        config.jetty.port = 0;
                        new OrdersApi(app, Duration.ofMillis(200)).configure(config);
                    })
                    .start();
            try {
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + impatient.port()
                                + "/api/orders/" + orderId + "?minPosition=999999/999999"))
                        .build();

                Response response = send(request);

                assertProblem(response, 503);
                assertThat(response.header("Retry-After")).contains("1");
                assertThat(response.body().path("detail").asText())
                        .startsWith("the read model did not reach position 999999/999999 within 200 ms");
            } finally {
                impatient.stop();
            }
        }
    }

    @Nested
    class History_and_as_of {

        @Test
        void shows_the_events_of_an_order_in_order() {
            UUID orderId = createOrder(registerCustomer());
            addItem(orderId, "BOOK-1", 2, "12.50");
            post(
                    "/api/orders/" + orderId + "/correct-price",
                    "{\"productId\":\"BOOK-1\",\"unitPrice\":11.25,\"reason\":\"typo\"}");

            Response history = get("/api/orders/" + orderId + "/history");

            assertThat(history.status()).as(history.text()).isEqualTo(200);
            JsonNode events = history.body().path("events");
            assertThat(events.findValuesAsText("type"))
                    .containsExactly("OrderCreated", "ItemAdded", "ItemPriceCorrected");
            assertThat(events.findValues("version"))
                    .extracting(JsonNode::asLong)
                    .containsExactly(0L, 1L, 2L);
            assertThat(events.get(2).path("data").path("previousUnitPrice").decimalValue())
                    .isEqualByComparingTo("12.50");
            assertThat(events.get(2).path("data").path("reason").asText()).isEqualTo("typo");
            assertThat(events.get(0).path("metadata").isObject()).isTrue();
            assertThat(Instant.parse(events.get(0).path("recordedAt").asText())).isNotNull();
            assertProblem(get("/api/orders/" + UUID.randomUUID() + "/history"), 404);
        }

        @Test
        void shows_an_order_as_of_a_version_and_an_instant() throws InterruptedException {
            UUID orderId = createOrder(registerCustomer());
            addItem(orderId, "BOOK-1", 2, "12.50");
            Thread.sleep(20);
            Instant between = Instant.now();
            Thread.sleep(20);
            addItem(orderId, "PEN-7", 1, "3.00");

            Response atVersion = get("/api/orders/" + orderId + "/as-of?version=1");
            Response atInstant = get("/api/orders/" + orderId + "/as-of?at=" + between);
            Response now = get("/api/orders/" + orderId + "/as-of?version=2");

            assertThat(atVersion.status()).as(atVersion.text()).isEqualTo(200);
            assertThat(atVersion.body().path("version").asLong()).isEqualTo(1);
            assertThat(atVersion.body().path("itemCount").asInt()).isEqualTo(1);
            assertThat(atVersion.text()).contains("\"totalAmount\":25.00");
            assertThat(atInstant.body()).isEqualTo(atVersion.body());
            assertThat(now.body().path("version").asLong()).isEqualTo(2);
            assertThat(now.text()).contains("\"totalAmount\":28.00");
        }

        @Test
        void a_retrospective_correction_tells_what_was_recorded_then_from_what_was_in_effect_then()
                throws InterruptedException {
            UUID orderId = createOrder(registerCustomer());
            addItem(orderId, "BOOK-1", 2, "12.50");
            Thread.sleep(20);
            Instant agreed = Instant.now(); // a lower price agreed on the phone, entered later
            Thread.sleep(20);
            Instant beforeEntry = Instant.now();
            Thread.sleep(20);

            Response corrected = post(
                    "/api/orders/" + orderId + "/correct-price",
                    "{\"productId\":\"BOOK-1\",\"unitPrice\":10.00,\"reason\":\"agreed on the phone\","
                            + "\"effectiveAt\":\"" + agreed + "\"}");

            assertThat(corrected.status()).as(corrected.text()).isEqualTo(200);
            // in effect before the entry, as known now: the agreed price
            assertThat(get("/api/orders/" + orderId + "/as-of?effective=" + beforeEntry)
                            .text())
                    .contains("\"totalAmount\":20.00");
            // as the books said before the entry, about that time: the old price
            assertThat(get("/api/orders/" + orderId + "/as-of?at=" + beforeEntry + "&effective=" + beforeEntry)
                            .text())
                    .contains("\"totalAmount\":25.00");
            assertThat(get("/api/orders/" + orderId + "/as-of?at=" + beforeEntry)
                            .text())
                    .contains("\"totalAmount\":25.00");
            // in effect before the agreement: the old price, though the correction is recorded
            assertThat(get("/api/orders/" + orderId + "/as-of?effective=" + agreed.minusMillis(1))
                            .text())
                    .contains("\"totalAmount\":25.00");
            // the event keeps both times
            JsonNode correction = get("/api/orders/" + orderId + "/history")
                    .body()
                    .path("events")
                    .get(2);
            assertThat(Instant.parse(
                            correction.path("metadata").path("effectiveAt").asText()))
                    .isEqualTo(agreed);
            assertThat(Instant.parse(correction.path("recordedAt").asText())).isAfter(beforeEntry);
            // a correction cannot take effect in the future
            Response future = post(
                    "/api/orders/" + orderId + "/correct-price",
                    "{\"productId\":\"BOOK-1\",\"unitPrice\":9.00,\"reason\":\"later\"," + "\"effectiveAt\":\""
                            + Instant.now().plus(Duration.ofDays(1)) + "\"}");
            assertProblem(future, 400);
            assertThat(future.fieldsNamed()).containsExactly("effectiveAt");
        }

        @Test
        void answers_errors_of_a_temporal_query() {
            UUID orderId = createOrder(registerCustomer());

            assertProblem(get("/api/orders/" + orderId + "/as-of"), 400);
            assertProblem(get("/api/orders/" + orderId + "/as-of?version=x"), 400);
            assertProblem(get("/api/orders/" + orderId + "/as-of?at=yesterday"), 400);
            assertProblem(get("/api/orders/" + orderId + "/as-of?at=2000-01-01T00:00:00Z"), 404);
            assertProblem(get("/api/orders/" + UUID.randomUUID() + "/as-of?version=0"), 404);
            // failed before: a version past the last one answered the current state with 200
            Response beyond = get("/api/orders/" + orderId + "/as-of?version=999");
            assertProblem(beyond, 404);
            assertThat(beyond.text()).contains("has no version 999; its last version is 0");
        }
    }
}
