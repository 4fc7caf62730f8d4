package io.factum.examples.orders.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.RecordedEvent;
import io.factum.examples.orders.app.OrdersApp;
import io.factum.examples.orders.app.OrdersMain;
import io.factum.examples.orders.payments.PaymentProvider;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI over plain HTTP (no browser): each task's form post, the page it leads to (rendered after
 * the task's own position), the words shown next to a form when a task is refused, and escaping.
 */
class OrdersWebTest {

    @TempDir
    Path dir;

    OrdersApp app;
    Javalin web;
    String base;
    final HttpClient http =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeEach
    void start() {
        // the provider never answers and the deadline is far: a confirmed order stays CONFIRMED here
        app = OrdersApp.builder()
                .sqlite(dir.resolve("orders.db"))
                .paymentProvider(PaymentProvider.always(PaymentProvider.Answer.NEVER_ANSWER))
                .paymentTimeout(Duration.ofHours(1))
                .start();
        web = OrdersMain.serve(app, "127.0.0.1", 0, "admin-password-for-tests");
        base = "http://127.0.0.1:" + web.port();
    }

    @AfterEach
    void stop() {
        web.stop();
        app.close();
    }

    record Page(int status, String body, String location) {}

    Page get(String path) throws IOException, InterruptedException {
        var response = http.send(
                HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
        return new Page(response.statusCode(), response.body(), "");
    }

    Page post(String path, Map<String, String> form) throws IOException, InterruptedException {
        return post(path, form, Map.of());
    }

    Page post(String path, Map<String, String> form, Map<String, String> headers)
            throws IOException, InterruptedException {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        var request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String location = response.headers()
                .firstValue("Location")
                .or(() -> response.headers().firstValue("HX-Location"))
                .orElse("");
        return new Page(response.statusCode(), response.body(), location);
    }

    /** Posts a task that must succeed and follows its redirect to the page it leads to. */
    Page task(String path, Map<String, String> form) throws IOException, InterruptedException {
        Page answer = post(path, form);
        assertThat(answer.status()).as(answer.body()).isEqualTo(303);
        assertThat(answer.location()).contains("?after=");
        Page next = get(answer.location());
        assertThat(next.status()).as(next.body()).isEqualTo(200);
        return next;
    }

    static Map<String, String> customer(String name) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("name", name);
        // one email address per customer (a second registration of one is refused): the first name's
        form.put("email", name.split(" ")[0].toLowerCase(java.util.Locale.ROOT) + "@example.com");
        form.putAll(address("12 Analytical Row", "London"));
        return form;
    }

    static Map<String, String> address(String street, String city) {
        return Map.of("street", street, "city", city, "postalCode", "N1 9GU", "country", "GB");
    }

    /** Registers a customer and, as a browser would, goes to their page (rendered once the read model has it). */
    String registered(String name) throws IOException, InterruptedException {
        Page answer = post("/customers", customer(name));
        assertThat(answer.status()).isEqualTo(303);
        assertThat(get(answer.location()).status()).isEqualTo(200);
        return answer.location()
                .substring("/customers/".length(), answer.location().indexOf('?'));
    }

    String startedOrder(String customerId) throws IOException, InterruptedException {
        Page answer = post("/customers/" + customerId + "/orders", Map.of());
        assertThat(answer.status()).isEqualTo(303);
        assertThat(get(answer.location()).status()).isEqualTo(200);
        return answer.location()
                .substring("/orders/".length(), answer.location().indexOf('?'));
    }

    static int count(String text, String part) {
        int found = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            found++;
        }
        return found;
    }

    List<String> types(String stream) {
        try (Stream<RecordedEvent> events = app.store().streamEvents(stream)) {
            return events.map(RecordedEvent::type).toList();
        }
    }

    @Test
    void no_other_site_may_frame_the_pages() throws Exception {
        var response =
                http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(response.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp).contains("frame-ancestors 'none'", "form-action 'self'"));
    }

    @Test
    void every_page_names_its_icon_and_the_icon_is_served() throws Exception {
        // failed before: the browser's console showed a 404 for /favicon.ico on every page
        assertThat(get("/").body()).contains("<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">");
        var icon = http.send(
                HttpRequest.newBuilder(URI.create(base + "/favicon.svg")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(icon.statusCode()).isEqualTo(200);
        assertThat(icon.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("image/svg+xml"));
        assertThat(icon.body()).startsWith("<svg");
    }

    @Test
    void links_the_app_and_its_admin_pages() throws Exception {
        String orderId = startedOrder(registered("Ada Lovelace"));

        assertThat(get("/").body()).contains("<a href=\"/admin\" hx-boost=\"false\" class=\"admin\" id=\"admin-link\"");
        assertThat(get("/orders/" + orderId).body())
                .contains("href=\"/admin/stream?id=order-" + orderId + "\"")
                .contains("href=\"/admin/event?stream=order-" + orderId + "&amp;version=0\"");
        // and the admin pages link back
        var admin = http.send(
                HttpRequest.newBuilder(URI.create(base + "/admin"))
                        .header(
                                "Authorization",
                                "Basic "
                                        + java.util.Base64.getEncoder()
                                                .encodeToString("admin:admin-password-for-tests"
                                                        .getBytes(StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(admin.body())
                .contains("<a href=\"/\" class=\"application\" id=\"application-link\">← Orders app</a>");
    }

    @Nested
    class Monotonic_reads {

        @Test
        void a_page_carries_the_position_it_shows_in_a_cookie_of_the_app_and_a_header() throws Exception {
            String orderId = startedOrder(registered("Ada Lovelace"));

            var response = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/orders/" + orderId))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            String position =
                    response.headers().firstValue(BrowserPositions.HEADER).orElseThrow();
            assertThat(response.headers().allValues("Set-Cookie")).anySatisfy(cookie -> assertThat(cookie)
                    .startsWith(BrowserPositions.COOKIE + "=" + position)
                    .contains("Path=/", "HttpOnly", "SameSite=Strict"));
        }

        @Test
        void a_browser_that_saw_a_position_is_never_shown_an_older_page() throws Exception {
            // given: a browser that saw a position the read model has not reached (its read models paused)
            String orderId = startedOrder(registered("Ada Lovelace"));
            app.orderSummaries().pause();
            app.customerDirectory().pause();
            var added = app.send(new io.factum.examples.orders.ordering.OrderCommand.AddItem(
                    UUID.fromString(orderId), "BOOK-1", 1, new java.math.BigDecimal("1.00")));
            String seen = ((io.factum.core.command.CommandResult.Accepted) added)
                    .position()
                    .toString();

            // when: its next page is asked with only its cookie
            var stale = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/orders/" + orderId))
                            .header("Cookie", BrowserPositions.COOKIE + "=" + seen)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            // then: it waits, and says the page is not up to date rather than showing the order without it
            assertThat(stale.statusCode()).isEqualTo(503);
            assertThat(stale.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(stale.body()).contains("not up to date yet");

            // when the read model goes on, the same request shows the item
            app.orderSummaries().resume();
            app.customerDirectory().resume();
            var fresh = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/orders/" + orderId))
                            .header("Cookie", BrowserPositions.COOKIE + "=" + seen)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(fresh.statusCode()).isEqualTo(200);
            assertThat(fresh.body()).contains("BOOK-1");
        }

        @Test
        void a_cookie_from_a_store_that_is_gone_is_forgotten_instead_of_refusing_every_page() throws Exception {
            String orderId = startedOrder(registered("Ada Lovelace"));

            var response = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/orders/" + orderId))
                            .header("Cookie", BrowserPositions.COOKIE + "=0/999999")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            // then: the page is shown, and the cookie now holds a position of this store
            assertThat(response.statusCode()).isEqualTo(200);
            String position =
                    response.headers().firstValue(BrowserPositions.HEADER).orElseThrow();
            assertThat(io.factum.core.Position.parse(position)).isLessThan(io.factum.core.Position.parse("0/999999"));
            assertThat(response.headers().allValues("Set-Cookie")).anySatisfy(cookie -> assertThat(cookie)
                    .startsWith(BrowserPositions.COOKIE + "=" + position + ";"));
        }
    }

    @Nested
    class Customers {

        @Test
        void registers_a_customer_and_shows_them_at_once() throws Exception {
            // when
            Page page = task("/customers", customer("Ada Lovelace"));

            // then
            assertThat(page.body())
                    .contains("Customer registered.", "Ada Lovelace", "12 Analytical Row, N1 9GU London, GB");
            assertThat(get("/customers").body()).contains("Ada Lovelace", "ada@example.com");
        }

        @Test
        void names_every_missing_field_next_to_the_form_and_keeps_what_was_entered() throws Exception {
            // when
            Map<String, String> form = new LinkedHashMap<>(customer(""));
            form.put("email", "not an email");
            form.put("city", "");
            Page page = post("/customers", form);

            // then
            assertThat(page.status()).isEqualTo(422);
            assertThat(page.body())
                    .contains("Name must not be blank", "Email must be an email address like ada@example.com")
                    .contains("City must not be blank")
                    .contains("value=\"12 Analytical Row\"");
            assertThat(get("/customers").body()).contains("No customers yet.");
        }

        @Test
        void escapes_a_name_with_markup_on_every_page() throws Exception {
            // given
            String id = registered("<script>alert('x')</script>");
            String orderId = startedOrder(id);

            // then
            for (String path : List.of(
                    "/customers/" + id, "/customers", "/orders/" + orderId, "/", "/customers/" + id + "/forget")) {
                String body = get(path).body();
                assertThat(body).as(path).contains("&lt;script&gt;alert(");
                assertThat(body).as(path).doesNotContain("<script>alert");
            }
        }

        @Test
        void moving_house_and_fixing_a_typo_are_two_tasks_with_two_events() throws Exception {
            // given
            String id = registered("Ada Lovelace");

            // when
            Page moved = task("/customers/" + id + "/move-house", address("1 Engine Lane", "Oxford"));
            Page corrected = task("/customers/" + id + "/correct-address", address("1 Engine Lane", "Oxford City"));

            // then
            assertThat(moved.body()).contains("the customer moved house", "1 Engine Lane, N1 9GU Oxford, GB");
            assertThat(corrected.body()).contains("Address corrected.", "1 Engine Lane, N1 9GU Oxford City, GB");
            assertThat(types("customer-" + id))
                    .containsExactly("CustomerRegistered", "CustomerMovedHouse", "CustomerAddressCorrected");
        }

        @Test
        void refuses_a_form_another_sites_page_posts_and_forgets_no_one() throws Exception {
            // failed before: any page the clerk's browser opened could post here (no token, no origin check)
            String id = registered("Ada Lovelace");

            Page foreign = post(
                    "/customers/" + id + "/forget", Map.of("confirm", "yes"), Map.of("Origin", "http://evil.example"));
            Page crossSite = post(
                    "/customers/" + id + "/forget", Map.of("confirm", "yes"), Map.of("Sec-Fetch-Site", "cross-site"));

            assertThat(foreign.status()).isEqualTo(403);
            assertThat(crossSite.status()).isEqualTo(403);
            assertThat(foreign.body()).contains("cross-site-request");
            Page page = get("/customers/" + id);
            assertThat(page.body()).contains("Ada Lovelace").doesNotContain("[erased]");
        }

        @Test
        void forgets_a_customer_only_once_confirmed() throws Exception {
            // given
            String id = registered("Ada Lovelace");
            assertThat(get("/customers/" + id + "/forget").body()).contains("Forget Ada Lovelace?");

            // when not confirmed
            Page refused = post("/customers/" + id + "/forget", Map.of());

            // then
            assertThat(refused.status()).isEqualTo(422);
            assertThat(refused.body()).contains("tick the box to confirm");

            // when confirmed
            Page forgotten = task("/customers/" + id + "/forget", Map.of("confirm", "yes"));

            // then
            assertThat(forgotten.body())
                    .contains("The customer was forgotten", "[erased]")
                    .doesNotContain("Ada Lovelace")
                    .doesNotContain("Start an order");
        }

        @Test
        void shows_the_not_found_page_for_an_unknown_or_malformed_id() throws Exception {
            Page unknown = get("/customers/" + UUID.randomUUID());
            Page malformed = get("/customers/42");

            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.body()).contains("there is no customer");
            assertThat(malformed.status()).isEqualTo(404);
            assertThat(malformed.body()).contains("there is nothing at '42': ids are UUIDs");
        }
    }

    @Nested
    class Orders {

        @Test
        void adds_items_corrects_a_price_and_shows_each_new_total_at_once() throws Exception {
            // given
            String orderId = startedOrder(registered("Ada Lovelace"));

            // when
            task(
                    "/orders/" + orderId + "/add-item",
                    Map.of("productId", "BOOK-1", "quantity", "2", "unitPrice", "12.50"));
            Page two = task(
                    "/orders/" + orderId + "/add-item",
                    Map.of("productId", "PEN-3", "quantity", "1", "unitPrice", "3.20"));
            Page corrected = task(
                    "/orders/" + orderId + "/correct-price",
                    Map.of("productId", "BOOK-1", "unitPrice", "10.00", "reason", "catalogue price"));

            // then
            assertThat(two.body()).contains("Item added.", "<strong id=\"order-total\">28.20</strong>");
            assertThat(corrected.body())
                    .contains("Price corrected.", "<strong id=\"order-total\">23.20</strong>")
                    .contains("ItemPriceCorrected", "Price of BOOK-1 corrected from 12.50 to 10.00: catalogue price");
        }

        @Test
        void shows_a_broken_rule_and_unreadable_input_in_words_next_to_the_form() throws Exception {
            // given
            String orderId = startedOrder(registered("Ada Lovelace"));

            // when
            Page empty = post("/orders/" + orderId + "/confirm", Map.of());
            Page words = post(
                    "/orders/" + orderId + "/add-item",
                    Map.of("productId", "BOOK-1", "quantity", "two", "unitPrice", "1,50"));
            Page zero = post(
                    "/orders/" + orderId + "/add-item",
                    Map.of("productId", "BOOK-1", "quantity", "0", "unitPrice", "1.50"));
            Page noReason = post("/orders/" + orderId + "/cancel", Map.of("reason", " "));

            // then
            assertThat(empty.status()).isEqualTo(422);
            assertThat(empty.body()).contains("has no items; add at least one before confirming");
            assertThat(words.status()).isEqualTo(422);
            assertThat(words.body())
                    .contains("Quantity must be a whole number, got 'two'")
                    .contains("Unit price must be an amount like 12.50, got '1,50'");
            assertThat(zero.body()).contains("quantity must be at least 1, got 0");
            assertThat(noReason.status()).isEqualTo(422);
            assertThat(types("order-" + orderId)).containsExactly("OrderCreated");
        }

        @Test
        void confirms_and_cancels_with_a_reason_and_lists_orders_by_status() throws Exception {
            // given
            String customer = registered("Ada Lovelace");
            String confirmed = startedOrder(customer);
            String cancelled = startedOrder(customer);
            task(
                    "/orders/" + confirmed + "/add-item",
                    Map.of("productId", "BOOK-1", "quantity", "1", "unitPrice", "9.99"));

            // when
            Page confirmedPage = task("/orders/" + confirmed + "/confirm", Map.of());
            Page cancelledPage = task("/orders/" + cancelled + "/cancel", Map.of("reason", "changed my mind"));

            // then
            assertThat(confirmedPage.body())
                    .contains(
                            "Order confirmed.",
                            "<span class=\"badge badge-confirmed\" id=\"order-status\" data-status=\"CONFIRMED\">Confirmed</span>");
            assertThat(cancelledPage.body())
                    .contains("Cancelled: changed my mind")
                    .doesNotContain("Cancel the order</button>");
            String list = get("/?status=CANCELLED").body();
            assertThat(list).contains(cancelled.substring(0, 8)).doesNotContain(confirmed.substring(0, 8));
            assertThat(get("/").body()).contains("Confirmed (1)", "Cancelled (1)", "Pending (0)", "All (2)");
        }

        @Test
        void shows_the_timeline_and_the_order_as_of_an_earlier_version() throws Exception {
            // given
            String orderId = startedOrder(registered("Ada Lovelace"));
            task(
                    "/orders/" + orderId + "/add-item",
                    Map.of("productId", "BOOK-1", "quantity", "2", "unitPrice", "12.50"));
            task(
                    "/orders/" + orderId + "/add-item",
                    Map.of("productId", "PEN-3", "quantity", "1", "unitPrice", "3.20"));

            // when
            Page page = get("/orders/" + orderId + "?version=1");

            // then
            assertThat(page.body())
                    .contains("OrderCreated", "ItemAdded", "Added 2 × BOOK-1 at 12.50", "a person (user web)")
                    .contains("As of version <strong id=\"as-of-version\">1</strong>")
                    .contains("total <strong id=\"as-of-total\">25.00</strong>")
                    .contains("<strong id=\"order-total\">28.20</strong>");
        }

        @Test
        void shows_a_retrospective_correction_with_the_time_it_took_effect() throws Exception {
            // given: the demo data's chess set, whose price was corrected back to when it was added
            io.factum.examples.orders.app.DemoData.loadOnce(app);
            String orderId = java.util
                    .UUID
                    .nameUUIDFromBytes(
                            "factum-orders-demo order alan corrected".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .toString();

            // when
            Page page = get("/orders/" + orderId);

            // then: the correction is recorded after the item and in effect from when the item was added
            assertThat(page.body())
                    .contains("Price of CHESS-SET corrected from 89.00 to 79.00")
                    .contains("<span class=\"effective\">in effect from ");
            assertThat(app.orders()
                            .loadEffectiveAt(orderId, app.orders().clock().instant())
                            .state()
                            .total())
                    .isEqualByComparingTo("79.00");
        }

        @Test
        void answers_an_htmx_task_with_the_next_page_in_hx_location() throws Exception {
            // given
            String orderId = startedOrder(registered("Ada Lovelace"));

            // when
            Page answer = post(
                    "/orders/" + orderId + "/add-item",
                    Map.of("productId", "BOOK-1", "quantity", "1", "unitPrice", "1.00"),
                    Map.of("HX-Request", "true"));

            // then
            assertThat(answer.status()).isEqualTo(204);
            assertThat(answer.location())
                    .startsWith("/orders/" + orderId + "?after=")
                    .endsWith("&done=add-item");
        }

        @Test
        void asks_before_removing_an_item_and_removes_it_once_confirmed() throws Exception {
            // given
            String orderId = startedOrder(registered("Ada Lovelace"));
            task(
                    "/orders/" + orderId + "/add-item",
                    Map.of("productId", "BOOK-1", "quantity", "2", "unitPrice", "12.50"));

            // when: the removal is asked for, the page asks first and nothing is removed
            Page asked = get("/orders/" + orderId + "/remove-item?productId=BOOK-1");
            Page unconfirmed = post("/orders/" + orderId + "/remove-item", Map.of("productId", "BOOK-1"));

            // then
            assertThat(asked.status()).isEqualTo(200);
            assertThat(asked.body())
                    .contains("Remove BOOK-1 from order", "2 × BOOK-1 at 12.50 (25.00)", "Keep it")
                    .contains("<input type=\"hidden\" name=\"confirm\" value=\"yes\">");
            assertThat(unconfirmed.status()).isEqualTo(303);
            assertThat(unconfirmed.location()).isEqualTo("/orders/" + orderId + "/remove-item?productId=BOOK-1");
            assertThat(types("order-" + orderId)).containsExactly("OrderCreated", "ItemAdded");

            // a confirmed removal posted by another site's page is refused, and nothing is removed
            Page foreign = post(
                    "/orders/" + orderId + "/remove-item",
                    Map.of("productId", "BOOK-1", "confirm", "yes"),
                    Map.of("Origin", "http://evil.example"));
            assertThat(foreign.status()).isEqualTo(403);
            assertThat(foreign.body()).contains("cross-site-request");
            assertThat(types("order-" + orderId)).containsExactly("OrderCreated", "ItemAdded");

            // when confirmed
            Page removed = task("/orders/" + orderId + "/remove-item", Map.of("productId", "BOOK-1", "confirm", "yes"));

            // then
            assertThat(removed.body()).contains("Item removed.", "No items yet.");
            assertThat(types("order-" + orderId)).containsExactly("OrderCreated", "ItemAdded", "ItemRemoved");
        }

        @Test
        void searches_the_orders_by_customer_number_or_product_and_pages_through_them() throws Exception {
            // given: 23 orders of Ada, one of Grace with a product of its own
            String ada = registered("Ada Lovelace");
            String grace = registered("Grace Hopper");
            for (int i = 0; i < OrdersWeb.PAGE_SIZE + 3; i++) {
                startedOrder(ada);
            }
            String graces = startedOrder(grace);
            task(
                    "/orders/" + graces + "/add-item",
                    Map.of("productId", "COBOL-1", "quantity", "1", "unitPrice", "9.00"));

            // when / then: by the customer's name, the order's number and a product
            assertThat(get("/?q=grace").body())
                    .contains(graces, "Page 1 of 1 · 1 order")
                    .doesNotContain(ada);
            String number = "#" + graces.substring(0, 8).toUpperCase(java.util.Locale.ROOT);
            assertThat(get("/?q=" + URLEncoder.encode(number, StandardCharsets.UTF_8))
                            .body())
                    .contains(graces, number);
            assertThat(get("/?q=cobol").body()).contains(graces, "1 order<");
            assertThat(get("/?q=nobody").body()).contains("No order matches “nobody”.");

            // and in pages of 20, the search and the status kept in the links
            Page first = get("/?q=ada");
            Page second = get("/?q=ada&page=2");
            assertThat(first.body())
                    .contains("Page 1 of 2 · 23 orders", "href=\"/?q=ada&amp;page=2\"")
                    .doesNotContain("id=\"previous-page\"");
            assertThat(second.body())
                    .contains("Page 2 of 2 · 23 orders", "href=\"/?q=ada\" rel=\"prev\"")
                    .doesNotContain("id=\"next-page\"");
            assertThat(count(first.body(), "<tr>\n  <td><a href=\"/orders/")).isEqualTo(20);
            assertThat(count(second.body(), "<tr>\n  <td><a href=\"/orders/")).isEqualTo(3);
            assertThat(get("/?status=PENDING&q=ada").body()).contains("href=\"/?status=PENDING&amp;q=ada&amp;page=2\"");
        }

        @Test
        void shows_the_not_found_page_for_an_unknown_order() throws Exception {
            Page page = get("/orders/" + UUID.randomUUID());

            assertThat(page.status()).isEqualTo(404);
            assertThat(page.body()).contains("there is no order");
        }
    }
}
