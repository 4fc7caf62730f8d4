package io.factum.examples.orders.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamNotFoundException;
import io.factum.core.aggregate.Loaded;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandResult;
import io.factum.core.command.FieldViolation;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.ReadModelQuery;
import io.factum.examples.orders.app.OrdersApp;
import io.factum.examples.orders.customers.Address;
import io.factum.examples.orders.customers.CustomerCommand;
import io.factum.examples.orders.ordering.Order;
import io.factum.examples.orders.ordering.OrderCommand;
import io.factum.examples.orders.ordering.OrderEvent;
import io.factum.examples.orders.ordering.OrderStatus;
import io.factum.examples.orders.readmodel.CustomerDirectory;
import io.factum.examples.orders.readmodel.CustomerListing;
import io.factum.examples.orders.readmodel.CustomerView;
import io.factum.examples.orders.readmodel.OrderSearch;
import io.factum.examples.orders.readmodel.OrderSummaries;
import io.factum.examples.orders.readmodel.OrderSummary;
import io.factum.examples.orders.web.WebViews.AsOf;
import io.factum.examples.orders.web.WebViews.Feedback;
import io.factum.examples.orders.web.WebViews.LineView;
import io.factum.examples.orders.web.WebViews.TimelineEntry;
import io.factum.http.CrossSiteRequests;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The task-based web UI of an {@link OrdersApp} at {@code /}: lists of orders (by status) and customers,
 * and one form per task (register a customer, "moved house" and "fix a typo in the address", forget;
 * start an order, add and remove items, correct a price, confirm, cancel). Each task sends one command;
 * on success the browser is sent to the page with the command's position ({@code ?after=}), and that page
 * is rendered from the read model once it has reached the position (read-your-writes). Every page keeps
 * the position it showed in a cookie of the app and waits for it on the next one, so a browser never goes
 * back in time, whichever instance of the app answers (monotonic reads). An invalid entry
 * or a broken business rule is shown in words next to the form, with status 422, and nothing is written.
 * An order's page shows its timeline from the event stream and the order as of any earlier version.
 *
 * <p>Forms work without JavaScript (a post answered by 303 See Other); with htmx ({@code hx-boost}) the
 * answer names the next page in {@code HX-Location} and htmx swaps it in. The pages load htmx from the
 * admin pages' route ({@code /admin/static/...}), so mount {@code FactumHttp} on the same application.
 * Thread-safe.
 */
public final class OrdersWeb {

    /** How long a page waits for the read model to reach the position of the task just done. */
    static final Duration READ_WAIT = Duration.ofSeconds(5);

    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final Map<String, String> LABELS = Map.ofEntries(
            Map.entry("name", "Name"),
            Map.entry("email", "Email"),
            Map.entry("address", "Address"),
            Map.entry("address.street", "Street"),
            Map.entry("address.city", "City"),
            Map.entry("address.postalCode", "Postal code"),
            Map.entry("address.country", "Country"),
            Map.entry("productId", "Product"),
            Map.entry("quantity", "Quantity"),
            Map.entry("unitPrice", "Unit price"),
            Map.entry("reason", "Reason"));

    /** Orders on one page of the list. */
    static final int PAGE_SIZE = 20;

    private static final String UNKNOWN_CUSTOMER = "(unknown customer)";
    private static final int MAX_CUSTOMERS = 10_000;

    /** The app's icon: a receipt with a tick, in the header's green. */
    private static final String FAVICON = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">            <rect x="5" y="2" width="22" height="28" rx="3" fill="#23352a"/>            <path d="M10 9h12M10 14h12M10 19h6" stroke="#d3ecd9" stroke-width="2" stroke-linecap="round"/>            <circle cx="22" cy="22" r="6" fill="#8fd19e"/>            <path d="M19 22l2 2 4-4" stroke="#23352a" stroke-width="2" fill="none" stroke-linecap="round"/>            </svg>""";

    private final OrdersApp app;
    private final BrowserPositions positions;
    private final TemplateEngine templates;
    private final ObjectMapper json = new ObjectMapper();

    private OrdersWeb(OrdersApp app) {
        this.app = app;
        this.positions = new BrowserPositions(app.store(), READ_WAIT);
        this.templates = TemplateEngine.createPrecompiled(
                null, ContentType.Html, OrdersWeb.class.getClassLoader(), "io.factum.examples.orders.web");
    }

    /** The web UI of {@code app}. */
    public static OrdersWeb of(OrdersApp app) {
        return new OrdersWeb(app);
    }

    /** Adds the UI's pages and task routes to a Javalin application being configured. */
    public void configure(JavalinConfig config) {
        // a form another site's page posts in the clerk's browser is refused (CSRF), and no other site may
        // frame these pages (clickjacking)
        config.routes.before(CrossSiteRequests.guard());
        config.routes.before(ctx -> CrossSiteRequests.FRAME_HEADERS.forEach(ctx::header));
        config.routes.exception(UnknownPath.class, (e, ctx) -> notFound(ctx, String.valueOf(e.getMessage())));
        config.routes.exception(BrowserPositions.NotUpToDate.class, (e, ctx) -> {
            ctx.status(HttpStatus.SERVICE_UNAVAILABLE);
            ctx.header("Retry-After", "1");
            render(ctx, "stale.jte", new WebViews.StalePage(String.valueOf(e.getMessage())));
        });
        config.routes.get("/favicon.svg", ctx -> {
            ctx.header("Cache-Control", "public, max-age=86400");
            ctx.contentType("image/svg+xml");
            ctx.result(FAVICON);
        });
        config.routes.get("/", this::ordersPage);
        config.routes.get("/customers", this::customersPage);
        config.routes.get(
                "/customers/new", ctx -> render(ctx, "newCustomer.jte", new WebViews.NewCustomerPage(Feedback.NONE)));
        config.routes.post("/customers", this::registerCustomer);
        config.routes.get("/customers/{id}", ctx -> customerPage(ctx, Feedback.NONE));
        config.routes.post("/customers/{id}/move-house", ctx -> changeAddress(ctx, "move-house"));
        config.routes.post("/customers/{id}/correct-address", ctx -> changeAddress(ctx, "correct-address"));
        config.routes.get("/customers/{id}/forget", this::forgetPage);
        config.routes.post("/customers/{id}/forget", this::forget);
        config.routes.post("/customers/{id}/orders", this::startOrder);
        config.routes.get("/orders/{id}", ctx -> orderPage(ctx, Feedback.NONE));
        config.routes.post("/orders/{id}/add-item", this::addItem);
        config.routes.get("/orders/{id}/remove-item", this::removeItemPage);
        config.routes.post("/orders/{id}/remove-item", this::removeItem);
        config.routes.post("/orders/{id}/correct-price", this::correctPrice);
        config.routes.post("/orders/{id}/confirm", ctx -> {
            UUID id = pathId(ctx);
            orderTask(ctx, id, "confirm", new OrderCommand.ConfirmOrder(id), List.of());
        });
        config.routes.post("/orders/{id}/cancel", ctx -> {
            UUID id = pathId(ctx);
            orderTask(ctx, id, "cancel", new OrderCommand.CancelOrder(id, blankToNull(form(ctx, "reason"))), List.of());
        });
    }

    // ---- pages

    private void ordersPage(Context ctx) {
        Optional<OrderStatus> status = Optional.empty();
        String wanted = ctx.queryParam("status");
        if (wanted != null && !wanted.isBlank()) {
            try {
                status = Optional.of(OrderStatus.valueOf(wanted.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                notFound(ctx, "there is no order status '" + wanted + "'");
                return;
            }
        }
        String search =
                Optional.ofNullable(ctx.queryParam("q")).map(String::strip).orElse("");
        int page = pageNumber(ctx.queryParam("page"));
        OrderSearch filter = status.map(OrderSearch.all()::inStatus).orElse(OrderSearch.all());
        // the list and the counts in one query, so one snapshot of the read model: they always agree
        ListAndCounts found = read(
                ctx,
                app.orderSummaries(),
                (connection, active) -> new ListAndCounts(
                        OrderSummaries.find(filter).run(connection, active),
                        OrderSummaries.countByStatus().run(connection, active)));
        List<OrderSummary> orders = found.orders();
        Map<UUID, String> names = customerNames(ctx);
        // the search runs over the read model's list in the app: order number, customer name or product
        String needle = search.toLowerCase(Locale.ROOT);
        List<WebViews.OrderRow> rows = new ArrayList<>();
        for (OrderSummary order : orders) {
            String name = names.getOrDefault(order.customerId(), UNKNOWN_CUSTOMER);
            WebViews.OrderRow row =
                    new WebViews.OrderRow(order, name, amount(order.totalAmount()), time(order.lastUpdated()));
            if (needle.isEmpty() || row.matches(needle)) {
                rows.add(row);
            }
        }
        int pages = Math.max(1, (rows.size() + PAGE_SIZE - 1) / PAGE_SIZE);
        int shown = Math.min(page, pages);
        List<WebViews.OrderRow> onPage =
                rows.subList((shown - 1) * PAGE_SIZE, Math.min(rows.size(), shown * PAGE_SIZE));
        render(
                ctx,
                "orders.jte",
                new WebViews.OrdersPage(status, search, found.counts(), onPage, rows.size(), shown, pages));
    }

    private record ListAndCounts(List<OrderSummary> orders, Map<OrderStatus, Long> counts) {}

    private static int pageNumber(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return 1;
        }
        try {
            return Math.max(1, Math.min(Integer.parseInt(text.strip()), 100_000));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private void customersPage(Context ctx) {
        render(
                ctx,
                "customers.jte",
                new WebViews.CustomersPage(read(ctx, app.customerDirectory(), CustomerDirectory.all(500))));
    }

    private void customerPage(Context ctx, Feedback feedback) {
        UUID id = pathId(ctx);
        Optional<CustomerView> customer = read(ctx, app.customerDirectory(), CustomerDirectory.byId(id));
        if (customer.isEmpty()) {
            notFound(ctx, "there is no customer " + id);
            return;
        }
        if (!feedback.errors().isEmpty()) {
            ctx.status(HttpStatus.UNPROCESSABLE_CONTENT);
        }
        render(ctx, "customer.jte", new WebViews.CustomerPage(customer.get(), notice(ctx), feedback));
    }

    private void forgetPage(Context ctx) {
        UUID id = pathId(ctx);
        Optional<CustomerView> customer = read(ctx, app.customerDirectory(), CustomerDirectory.byId(id));
        if (customer.isEmpty()) {
            notFound(ctx, "there is no customer " + id);
            return;
        }
        render(ctx, "forget.jte", new WebViews.ForgetPage(customer.get()));
    }

    private void orderPage(Context ctx, Feedback feedback) {
        UUID id = pathId(ctx);
        Optional<OrderSummary> found = read(ctx, app.orderSummaries(), OrderSummaries.byId(id));
        if (found.isEmpty()) {
            notFound(ctx, "there is no order " + id);
            return;
        }
        OrderSummary order = found.get();
        String customerName = customerName(ctx, order.customerId());
        List<TimelineEntry> timeline = timeline(id, customerName);
        long streamVersion =
                timeline.isEmpty() ? order.version() : timeline.getLast().version();
        Optional<AsOf> asOf = Optional.empty();
        String version = ctx.queryParam("version");
        if (version != null && !version.isBlank()) {
            asOf = asOf(id, version.strip(), streamVersion, timeline);
        }
        if (!feedback.errors().isEmpty()) {
            ctx.status(HttpStatus.UNPROCESSABLE_CONTENT);
        }
        render(
                ctx,
                "order.jte",
                new WebViews.OrderPage(
                        order,
                        customerName,
                        amount(order.totalAmount()),
                        order.lines().stream()
                                .map(l -> line(l.productId(), l.quantity(), l.unitPrice()))
                                .toList(),
                        timeline,
                        streamVersion,
                        asOf,
                        notice(ctx),
                        feedback));
    }

    /** The order at {@code version}, folded from its stream by the repository (not from the read model). */
    private Optional<AsOf> asOf(UUID id, String version, long streamVersion, List<TimelineEntry> timeline) {
        long wanted;
        try {
            wanted = Long.parseLong(version);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (wanted < 0 || wanted > streamVersion) {
            return Optional.empty();
        }
        Loaded<Order> loaded = app.orders().loadAtVersion(id.toString(), wanted);
        Order state = loaded.state();
        String recordedAt = timeline.stream()
                .filter(e -> e.version() == loaded.version())
                .map(TimelineEntry::recordedAt)
                .findFirst()
                .orElse("");
        return Optional.of(new AsOf(
                loaded.version(),
                state.status().name(),
                state.lines().stream()
                        .map(l -> line(l.productId(), l.quantity(), l.unitPrice()))
                        .toList(),
                amount(state.total()),
                recordedAt));
    }

    private List<TimelineEntry> timeline(UUID id, String customerName) {
        try (Stream<RecordedEvent> events =
                app.store().streamEvents(app.orders().streamOf(id.toString()))) {
            return events.map(event -> entry(event, customerName)).toList();
        } catch (StreamNotFoundException e) {
            return List.of();
        }
    }

    private TimelineEntry entry(RecordedEvent recorded, String customerName) {
        JsonNode metadata;
        try {
            metadata = json.readTree(recorded.metadata());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "event " + recorded.eventId() + " has metadata that is not JSON: " + e.getOriginalMessage(), e);
        }
        String correlation = metadata.path("correlationId").asText("");
        String causation = metadata.path("causationId").asText("");
        // a command a person sent starts its transaction (correlation = causation); one the fulfilment
        // process sent carries the transaction's correlation and is caused by the event it reacted to
        boolean fromProcess = !correlation.isEmpty() && !correlation.equals(causation);
        String description = app.serializer().deserializeEvents(recorded, OrderEvent.class).stream()
                .map(event -> describe(event, customerName))
                .reduce((a, b) -> a + "; " + b)
                .orElse("");
        return new TimelineEntry(
                recorded.streamVersion(),
                recorded.type(),
                time(recorded.recordedAt()),
                // a retrospective event: in effect from an earlier time than it was recorded
                metadata.hasNonNull("effectiveAt")
                        ? time(java.time.Instant.parse(
                                metadata.path("effectiveAt").asText()))
                        : "",
                description,
                fromProcess ? "the fulfilment process" : "a person",
                recorded.streamId(),
                fromProcess,
                correlation,
                causation,
                metadata.path("userId").asText(""));
    }

    private static String describe(OrderEvent event, String customerName) {
        return switch (event) {
            case OrderEvent.OrderCreated e -> "Order started for " + customerName;
            case OrderEvent.ItemAdded e ->
                "Added " + e.quantity() + " × " + e.productId() + " at " + amount(e.unitPrice());
            case OrderEvent.ItemRemoved e -> "Removed " + e.productId();
            case OrderEvent.ItemPriceCorrected e ->
                "Price of " + e.productId() + " corrected from " + amount(e.previousUnitPrice()) + " to "
                        + amount(e.unitPrice()) + ": " + e.reason();
            case OrderEvent.OrderConfirmed e -> "Confirmed, total " + amount(e.totalAmount());
            case OrderEvent.OrderCancelled e -> "Cancelled: " + e.reason();
            case OrderEvent.OrderPaid e -> "Paid " + amount(e.amount());
            case OrderEvent.OrderShipped e -> "Shipped, tracking number " + e.trackingNumber();
        };
    }

    // ---- customer tasks

    private void registerCustomer(Context ctx) {
        Map<String, String> entered = entered(ctx, "name", "email", "street", "city", "postalCode", "country");
        UUID id = UUID.randomUUID();
        var command = new CustomerCommand.RegisterCustomer(
                id, blankToNull(entered.get("name")), blankToNull(entered.get("email")), address(entered));
        Optional<String> failure = Optional.empty();
        switch (send(command, List.of())) {
            case Outcome.Done done -> {
                next(ctx, done.position(), "/customers/" + id + "?after=" + done.position() + "&done=registered");
                return;
            }
            case Outcome.Failed failed -> {
                ctx.status(HttpStatus.UNPROCESSABLE_CONTENT);
                render(
                        ctx,
                        "newCustomer.jte",
                        new WebViews.NewCustomerPage(new Feedback("register", failed.errors(), entered)));
            }
        }
    }

    private void changeAddress(Context ctx, String task) {
        UUID id = pathId(ctx);
        Map<String, String> entered = entered(ctx, "street", "city", "postalCode", "country");
        Address address = address(entered);
        CustomerCommand command = task.equals("move-house")
                ? new CustomerCommand.MoveHouse(id, address)
                : new CustomerCommand.CorrectAddress(id, address);
        customerTask(ctx, id, task, command, entered);
    }

    private void forget(Context ctx) {
        UUID id = pathId(ctx);
        if (!"yes".equals(ctx.formParam("confirm"))) {
            customerPage(
                    ctx,
                    new Feedback(
                            "forget",
                            List.of("tick the box to confirm that the customer asked to be forgotten"),
                            Map.of()));
            return;
        }
        customerTask(ctx, id, "forget", new CustomerCommand.ForgetCustomer(id), Map.of());
    }

    private void customerTask(Context ctx, UUID id, String task, CustomerCommand command, Map<String, String> entered) {
        if (!app.customers().load(id.toString()).state().registered()) {
            notFound(ctx, "there is no customer " + id);
            return;
        }
        switch (send(command, List.of())) {
            case Outcome.Done done ->
                next(ctx, done.position(), "/customers/" + id + "?after=" + done.position() + "&done=" + task);
            case Outcome.Failed failed -> customerPage(ctx, new Feedback(task, failed.errors(), entered));
        }
    }

    private void startOrder(Context ctx) {
        UUID customerId = pathId(ctx);
        var customer = app.customers().load(customerId.toString()).state();
        if (!customer.registered()) {
            notFound(ctx, "there is no customer " + customerId);
            return;
        }
        if (customer.forgotten()) {
            customerPage(
                    ctx,
                    new Feedback(
                            "start-order",
                            List.of("this customer was forgotten; a returning person is registered as a new customer"),
                            Map.of()));
            return;
        }
        UUID orderId = UUID.randomUUID();
        switch (send(new OrderCommand.CreateOrder(orderId, customerId), List.of())) {
            case Outcome.Done done ->
                next(ctx, done.position(), "/orders/" + orderId + "?after=" + done.position() + "&done=started");
            case Outcome.Failed failed -> customerPage(ctx, new Feedback("start-order", failed.errors(), Map.of()));
        }
    }

    // ---- order tasks

    private void addItem(Context ctx) {
        UUID id = pathId(ctx);
        Map<String, String> entered = entered(ctx, "productId", "quantity", "unitPrice");
        List<String> errors = new ArrayList<>();
        int quantity = wholeNumber(entered.get("quantity"), "quantity", errors);
        BigDecimal price = decimal(entered.get("unitPrice"), "unitPrice", errors);
        orderTask(
                ctx,
                id,
                "add-item",
                new OrderCommand.AddItem(id, blankToNull(entered.get("productId")), quantity, price),
                errors,
                entered);
    }

    /** Asks before an item is removed: the page names the line and the order, and posts the removal. */
    private void removeItemPage(Context ctx) {
        UUID id = pathId(ctx);
        Optional<OrderSummary> order = read(ctx, app.orderSummaries(), OrderSummaries.byId(id));
        String product = form(ctx.queryParam("productId"));
        Optional<LineView> line = order.flatMap(o -> o.lines().stream()
                .filter(l -> l.productId().equals(product))
                .findFirst()
                .map(l -> line(l.productId(), l.quantity(), l.unitPrice())));
        if (order.isEmpty() || line.isEmpty()) {
            notFound(ctx, order.isEmpty() ? "there is no order " + id : "the order has no item '" + product + "'");
            return;
        }
        render(
                ctx,
                "removeItem.jte",
                new WebViews.RemoveItemPage(
                        order.get(), customerName(ctx, order.get().customerId()), line.get()));
    }

    /** Removes an item once confirmed on its page; a post without the confirmation shows that page. */
    private void removeItem(Context ctx) {
        UUID id = pathId(ctx);
        if (!"yes".equals(ctx.formParam("confirm"))) {
            ctx.redirect(
                    "/orders/" + id + "/remove-item?productId="
                            + java.net.URLEncoder.encode(
                                    form(ctx, "productId"), java.nio.charset.StandardCharsets.UTF_8),
                    HttpStatus.SEE_OTHER);
            return;
        }
        orderTask(ctx, id, "remove-item", new OrderCommand.RemoveItem(id, form(ctx, "productId")), List.of());
    }

    private void correctPrice(Context ctx) {
        UUID id = pathId(ctx);
        Map<String, String> entered = entered(ctx, "productId", "unitPrice", "reason");
        List<String> errors = new ArrayList<>();
        BigDecimal price = decimal(entered.get("unitPrice"), "unitPrice", errors);
        orderTask(
                ctx,
                id,
                "correct-price",
                new OrderCommand.CorrectPrice(
                        id, blankToNull(entered.get("productId")), price, blankToNull(entered.get("reason"))),
                errors,
                entered);
    }

    private void orderTask(Context ctx, UUID id, String task, OrderCommand command, List<String> parseErrors) {
        orderTask(ctx, id, task, command, parseErrors, entered(ctx, "productId", "reason"));
    }

    private void orderTask(
            Context ctx,
            UUID id,
            String task,
            OrderCommand command,
            List<String> parseErrors,
            Map<String, String> entered) {
        if (app.orders().load(id.toString()).isNew()) {
            notFound(ctx, "there is no order " + id);
            return;
        }
        switch (send(command, parseErrors)) {
            case Outcome.Done done ->
                next(ctx, done.position(), "/orders/" + id + "?after=" + done.position() + "&done=" + task);
            case Outcome.Failed failed -> orderPage(ctx, new Feedback(task, failed.errors(), entered));
        }
    }

    // ---- sending

    private sealed interface Outcome {
        record Done(Position position) implements Outcome {}

        record Failed(List<String> errors) implements Outcome {}
    }

    /**
     * Sends a command unless the form could not be read ({@code parseErrors}), and turns what the bus
     * answered into the words a person reads.
     */
    private Outcome send(Object command, List<String> parseErrors) {
        if (!parseErrors.isEmpty()) {
            return new Outcome.Failed(parseErrors);
        }
        CommandResult result = app.send(command, CommandContext.create().withUser("web"));
        return switch (result) {
            case CommandResult.Accepted accepted -> new Outcome.Done(accepted.position());
            case CommandResult.Completed completed ->
                throw new IllegalStateException("every command of the order system changes an aggregate, but "
                        + command.getClass().getSimpleName() + " completed without one");
            case CommandResult.Rejected rejected -> new Outcome.Failed(List.of(rejected.message()));
            case CommandResult.Invalid invalid ->
                new Outcome.Failed(
                        invalid.violations().stream().map(OrdersWeb::words).toList());
            case CommandResult.Forbidden forbidden -> new Outcome.Failed(List.of(forbidden.reason()));
            case CommandResult.Conflict conflict ->
                new Outcome.Failed(List.of("someone changed this at the same time; look at it again and retry"));
        };
    }

    private static String words(FieldViolation violation) {
        return LABELS.getOrDefault(violation.field(), violation.field()) + " " + violation.message();
    }

    /**
     * Where the browser goes after a task: htmx swaps the page in, a plain form post is redirected. The
     * task's position goes with it ({@code ?after=} in the location, and the browser's position cookie).
     */
    private void next(Context ctx, Position position, String location) {
        BrowserPositions.seen(ctx, position);
        BrowserPositions.remember(ctx);
        if (ctx.header("HX-Request") != null) {
            ctx.header("HX-Location", location);
            ctx.status(HttpStatus.NO_CONTENT);
        } else {
            ctx.redirect(location, HttpStatus.SEE_OTHER);
        }
    }

    // ---- reading

    /** A read through the browser's positions (monotonic reads; see {@link BrowserPositions}). */
    private <T> T read(Context ctx, ProjectionSubscription readModel, ReadModelQuery<T> query) {
        return positions.read(ctx, readModel, query);
    }

    private String customerName(Context ctx, UUID customerId) {
        return read(ctx, app.customerDirectory(), CustomerDirectory.byId(customerId))
                .map(CustomerView::name)
                .orElse(UNKNOWN_CUSTOMER);
    }

    private Map<UUID, String> customerNames(Context ctx) {
        Map<UUID, String> names = new HashMap<>();
        for (CustomerListing customer : read(ctx, app.customerDirectory(), CustomerDirectory.all(MAX_CUSTOMERS))) {
            names.put(customer.customerId(), customer.name());
        }
        return names;
    }

    private static Optional<String> notice(Context ctx) {
        String done = ctx.queryParam("done");
        if (done == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(
                switch (done) {
                    case "registered" -> "Customer registered.";
                    case "move-house" -> "New address recorded: the customer moved house.";
                    case "correct-address" -> "Address corrected.";
                    case "forget" -> "The customer was forgotten: their personal data is erased.";
                    case "started" -> "Order started. Add its items.";
                    case "add-item" -> "Item added.";
                    case "remove-item" -> "Item removed.";
                    case "correct-price" -> "Price corrected.";
                    case "confirm" -> "Order confirmed. Payment is requested; reload to follow it.";
                    case "cancel" -> "Order cancelled.";
                    default -> null;
                });
    }

    // ---- plumbing

    private void notFound(Context ctx, String message) {
        ctx.status(HttpStatus.NOT_FOUND);
        render(ctx, "notFound.jte", new WebViews.NotFoundPage(message));
    }

    private void render(Context ctx, String template, Object model) {
        BrowserPositions.remember(ctx);
        StringOutput output = new StringOutput();
        Map<String, Object> params = new HashMap<>();
        params.put("page", model);
        templates.render(template, params, output);
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.html(output.toString());
    }

    /** A path that names nothing: answered with the not-found page. */
    private static final class UnknownPath extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnknownPath(String message) {
            super(message);
        }
    }

    /** A path id that is not a UUID names nothing: the 404 page, like an unknown one. */
    private static UUID pathId(Context ctx) {
        String id = ctx.pathParam("id");
        if (!UUID_TEXT.matcher(id).matches()) {
            throw new UnknownPath("there is nothing at '" + id + "': ids are UUIDs");
        }
        return UUID.fromString(id);
    }

    private static String form(Context ctx, String name) {
        return form(ctx.formParam(name));
    }

    private static String form(@Nullable String value) {
        return value == null ? "" : value.strip();
    }

    private static Map<String, String> entered(Context ctx, String... fields) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String field : fields) {
            values.put(field, form(ctx, field));
        }
        return values;
    }

    private static Address address(Map<String, String> entered) {
        return new Address(
                blankToNull(entered.get("street")),
                blankToNull(entered.get("city")),
                blankToNull(entered.get("postalCode")),
                blankToNull(entered.get("country")));
    }

    // the validators name a missing value "is required"; the commands take null for it, never the UI's ""
    private static @Nullable String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static int wholeNumber(String text, String field, List<String> errors) {
        Integer parsed = parse(text, field, errors, Integer::parseInt, "must be a whole number", 0);
        return parsed == null ? 0 : parsed;
    }

    private static @Nullable BigDecimal decimal(String text, String field, List<String> errors) {
        return parse(text, field, errors, BigDecimal::new, "must be an amount like 12.50", null);
    }

    private static <T> @Nullable T parse(
            String text,
            String field,
            List<String> errors,
            Function<String, T> parser,
            String rule,
            @Nullable T fallback) {
        String label = LABELS.getOrDefault(field, field);
        if (text.isEmpty()) {
            errors.add(label + " is required");
            return fallback;
        }
        try {
            return parser.apply(text);
        } catch (NumberFormatException e) {
            errors.add(label + " " + rule + ", got '" + text + "'");
            return fallback;
        }
    }

    private static LineView line(String productId, int quantity, BigDecimal unitPrice) {
        return new LineView(
                productId, quantity, amount(unitPrice), amount(unitPrice.multiply(BigDecimal.valueOf(quantity))));
    }

    private static String amount(BigDecimal value) {
        return value.setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String time(Instant instant) {
        return TIME.format(instant);
    }
}
