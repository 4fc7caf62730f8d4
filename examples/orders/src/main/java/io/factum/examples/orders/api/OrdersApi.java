package io.factum.examples.orders.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamNotFoundException;
import io.factum.core.aggregate.Loaded;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandResult;
import io.factum.core.command.FieldViolation;
import io.factum.core.command.Validator;
import io.factum.core.subscription.Answer;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.ReadModelQuery;
import io.factum.core.subscription.StaleReadModelException;
import io.factum.examples.orders.app.OrdersApp;
import io.factum.examples.orders.customers.CustomerCommand;
import io.factum.examples.orders.ordering.Order;
import io.factum.examples.orders.ordering.OrderCommand;
import io.factum.examples.orders.ordering.OrderStatus;
import io.factum.examples.orders.readmodel.CustomerDirectory;
import io.factum.examples.orders.readmodel.OrderSearch;
import io.factum.examples.orders.readmodel.OrderSummaries;
import io.factum.examples.orders.validation.CustomerValidators;
import io.factum.examples.orders.validation.OrderValidators;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP JSON API of an {@link OrdersApp}, mounted on a Javalin application: task endpoints that send
 * one command each and answer {@code {version, position}}, queries on the read models whose answers say
 * the position they reflect ({@value #POSITION_HEADER}) and that wait for a position sent back (that
 * header or {@code ?minPosition=}: read-your-writes and monotonic reads), an order's history and its state as of a version or an
 * instant from its event stream. Every error is an {@code application/problem+json} answer; nothing is
 * written on any error. Thread-safe.
 *
 * <pre>{@code
 * Javalin web = OrdersApi.start(app, "127.0.0.1", 8080);
 * // or, next to other routes:
 * Javalin.create(config -> OrdersApi.of(app).configure(config)).start();
 * }</pre>
 *
 * <p>Conditional commands: {@code If-Match: "<version>"} goes with the command to the aggregate's
 * repository, which decides only at that version and appends expecting it, so a writer that slips in at any
 * moment is caught: a stale version is refused with 409 and nothing is written. Of two clients that send
 * commands with the same {@code If-Match} at once, exactly one succeeds.
 *
 * <p>Idempotent commands: an {@code Idempotency-Key} header is turned into the command id (a name-based
 * UUID of the method, the path and the key), which decides the ids of the events the command appends, so
 * a retry is recognised by the store and answered with the first result ({@code Idempotent-Replayed:
 * true}), whatever its If-Match says by now, and appends nothing; the ids a create assigns derive from the
 * key as well. A command that was refused wrote nothing and is decided again. The events of a keyed
 * command keep a fingerprint of it ({@value #REQUEST_ENTRY} in their metadata), so the key reused for
 * another request (other fields) is refused with 422 {@code idempotency-key-reused} instead of answered
 * with the first request's result.
 */
public final class OrdersApi {

    static final String PROBLEM_JSON = "application/problem+json";
    static final String TYPE_PREFIX = "urn:factum:orders:";
    static final Duration DEFAULT_READ_WAIT = Duration.ofSeconds(5);

    /**
     * The header of monotonic reads: on an answer, the position of the log it reflects (a read) or of the
     * command's events (a command); on a request, the position the answer must reflect at least. A client
     * that sends back the last one it got never sees an older state, whichever instance answers.
     */
    public static final String POSITION_HEADER = "Factum-Position";

    private static final System.Logger LOG = System.getLogger(OrdersApi.class.getName());
    /** The metadata entry of a keyed request's events that holds its {@link #fingerprint}. */
    static final String REQUEST_ENTRY = "orders.request";

    private static final Pattern IF_MATCH = Pattern.compile("\\s*(?:W/)?\"(\\d{1,18})\"\\s*");
    /** Rules of the deciders that mean "no such aggregate": answered 404, not 422. */
    private static final Set<String> UNKNOWN_RULES = Set.of("order-unknown", "customer-unknown");

    private final OrdersApp app;
    private final Duration readWait;
    private final ObjectMapper json;
    private final List<Validator<?>> validators;

    OrdersApi(OrdersApp app, Duration readWait) {
        this.app = app;
        this.readWait = readWait;
        this.json = JsonMapper.builder()
                .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .build();
        List<Validator<?>> all = new ArrayList<>(OrderValidators.all());
        all.addAll(CustomerValidators.all());
        this.validators = List.copyOf(all);
    }

    /** The API of {@code app}; a read with {@code minPosition} waits at most 5 seconds. */
    public static OrdersApi of(OrdersApp app) {
        return new OrdersApi(app, DEFAULT_READ_WAIT);
    }

    /** A Javalin application with nothing but this API, started on {@code host}:{@code port} (0: any free port). */
    public static Javalin start(OrdersApp app, String host, int port) {
        OrdersApi api = of(app);
        return Javalin.create(config -> {
                    config.jetty.host = host;
                    config.jetty.port = port;
                    api.configure(config);
                })
                .start();
    }

    /** Adds the API's routes (under {@code /api}) and its problem answers to a Javalin application. */
    public void configure(JavalinConfig config) {
        config.routes.exception(ApiProblem.class, (e, ctx) -> problem(ctx, e));
        config.routes.exception(
                HttpResponseException.class,
                (e, ctx) -> problem(
                        ctx,
                        new ApiProblem(
                                e.getStatus(),
                                "http-" + e.getStatus(),
                                HttpStatus.forStatus(e.getStatus()).getMessage(),
                                String.valueOf(e.getMessage()),
                                Map.of())));
        config.routes.exception(Exception.class, (e, ctx) -> {
            String incident = UUID.randomUUID().toString();
            LOG.log(Level.ERROR, "incident " + incident + ": " + ctx.method() + " " + ctx.path() + " failed", e);
            problem(
                    ctx,
                    new ApiProblem(
                            500,
                            "internal",
                            "Internal error",
                            "the server failed; quote incident " + incident + " when you report it",
                            Map.of("incident", incident)));
        });

        config.routes.post("/api/customers", this::registerCustomer);
        config.routes.post("/api/customers/{id}/move-house", ctx -> {
            UUID id = pathId(ctx, "customer");
            Body body = body(ctx);
            customerCommand(ctx, id, new CustomerCommand.MoveHouse(id, body.address("address")), body);
        });
        config.routes.post("/api/customers/{id}/correct-address", ctx -> {
            UUID id = pathId(ctx, "customer");
            Body body = body(ctx);
            customerCommand(ctx, id, new CustomerCommand.CorrectAddress(id, body.address("address")), body);
        });
        config.routes.post("/api/customers/{id}/forget", ctx -> {
            UUID id = pathId(ctx, "customer");
            customerCommand(ctx, id, new CustomerCommand.ForgetCustomer(id), body(ctx));
        });
        config.routes.get("/api/customers/{id}", this::customer);

        config.routes.post("/api/orders", this::createOrder);
        config.routes.get("/api/orders", this::orders);
        config.routes.post("/api/orders/{id}/add-item", ctx -> {
            UUID id = pathId(ctx, "order");
            Body body = body(ctx);
            orderCommand(
                    ctx,
                    id,
                    new OrderCommand.AddItem(
                            id, body.text("productId"), body.wholeNumber("quantity"), body.decimal("unitPrice")),
                    body);
        });
        config.routes.post("/api/orders/{id}/remove-item", ctx -> {
            UUID id = pathId(ctx, "order");
            Body body = body(ctx);
            orderCommand(ctx, id, new OrderCommand.RemoveItem(id, body.text("productId")), body);
        });
        config.routes.post("/api/orders/{id}/correct-price", ctx -> {
            UUID id = pathId(ctx, "order");
            Body body = body(ctx);
            // a price agreed earlier and entered now: a retrospective correction, in effect from then
            Optional<Instant> effectiveAt =
                    body.pastInstant("effectiveAt", app.orders().clock().instant());
            orderCommand(
                    ctx,
                    id,
                    new OrderCommand.CorrectPrice(
                            id, body.text("productId"), body.decimal("unitPrice"), body.text("reason")),
                    body,
                    effectiveAt);
        });
        config.routes.post("/api/orders/{id}/confirm", ctx -> {
            UUID id = pathId(ctx, "order");
            orderCommand(ctx, id, new OrderCommand.ConfirmOrder(id), body(ctx));
        });
        config.routes.post("/api/orders/{id}/cancel", ctx -> {
            UUID id = pathId(ctx, "order");
            Body body = body(ctx);
            orderCommand(ctx, id, new OrderCommand.CancelOrder(id, body.text("reason")), body);
        });
        config.routes.get("/api/orders/{id}", this::order);
        config.routes.get("/api/orders/{id}/history", this::history);
        config.routes.get("/api/orders/{id}/as-of", this::asOf);
    }

    // ---- commands

    private void registerCustomer(Context ctx) {
        Body body = body(ctx);
        Optional<String> key = idempotencyKey(ctx);
        UUID customerId = key.map(k -> nameId("customer", k)).orElseGet(UUID::randomUUID);
        var command = new CustomerCommand.RegisterCustomer(
                customerId, body.text("name"), body.text("email"), body.address("address"));
        var accepted = send(ctx, command, body, key, Optional.empty());
        ctx.header("Location", "/api/customers/" + customerId);
        answer(ctx, 201, new Views.CustomerCreated(customerId, accepted.version(), text(accepted.position())));
    }

    private void createOrder(Context ctx) {
        Body body = body(ctx);
        UUID customerId = body.uuid("customerId");
        Optional<String> key = idempotencyKey(ctx);
        UUID orderId = key.map(k -> nameId("order", k)).orElseGet(UUID::randomUUID);
        var command = new OrderCommand.CreateOrder(orderId, customerId);
        // a retry of a keyed create is answered by the repository, whatever became of the customer since
        boolean retry =
                key.isPresent() && !app.orders().load(orderId.toString()).isNew();
        if (customerId != null && body.violations().isEmpty() && !retry) {
            var customer = app.customers().load(customerId.toString()).state();
            if (!customer.registered() || customer.forgotten()) {
                throw new ApiProblem(
                        422,
                        "rule-violated",
                        "Business rule violated",
                        "customer " + customerId + (customer.forgotten() ? " was forgotten" : " is not registered")
                                + "; an order needs a registered customer",
                        Map.of("rule", "customer-not-registered"));
            }
        }
        var accepted = send(ctx, command, body, key, Optional.empty());
        ctx.header("Location", "/api/orders/" + orderId);
        answer(ctx, 201, new Views.OrderCreated(orderId, accepted.version(), text(accepted.position())));
    }

    private void orderCommand(Context ctx, UUID orderId, OrderCommand command, Body body) {
        orderCommand(ctx, orderId, command, body, Optional.empty());
    }

    private void orderCommand(
            Context ctx, UUID orderId, OrderCommand command, Body body, Optional<Instant> effectiveAt) {
        var accepted = send(
                ctx,
                command,
                body,
                idempotencyKey(ctx),
                Optional.of(() -> describe("order", orderId, app.orders().load(orderId.toString()))),
                effectiveAt);
        answer(ctx, 200, new Views.CommandAnswer(accepted.version(), text(accepted.position())));
    }

    private void customerCommand(Context ctx, UUID customerId, CustomerCommand command, Body body) {
        var accepted = send(
                ctx,
                command,
                body,
                idempotencyKey(ctx),
                Optional.of(
                        () -> describe("customer", customerId, app.customers().load(customerId.toString()))));
        answer(ctx, 200, new Views.CommandAnswer(accepted.version(), text(accepted.position())));
    }

    /** The current version of an aggregate, to explain a refused If-Match; 404 if it does not exist. */
    private interface CurrentVersion {
        long load();
    }

    private static long describe(String kind, UUID id, Loaded<?> loaded) {
        if (loaded.isNew()) {
            throw ApiProblem.notFound("there is no " + kind + " " + id);
        }
        return loaded.version();
    }

    /**
     * Validates, sends (with If-Match as the expected version), and turns every result but an accepted one
     * into its problem. The
     * field violations of the body come first; the command's validators then name every other bad field.
     */
    private CommandResult.Accepted send(
            Context ctx, Object command, Body body, Optional<String> key, Optional<CurrentVersion> current) {
        return send(ctx, command, body, key, current, Optional.empty());
    }

    private CommandResult.Accepted send(
            Context ctx,
            Object command,
            Body body,
            Optional<String> key,
            Optional<CurrentVersion> current,
            Optional<Instant> effectiveAt) {
        List<FieldViolation> violations = new ArrayList<>(body.violations());
        if (!violations.isEmpty()) {
            Set<String> named = new java.util.HashSet<>(
                    violations.stream().map(FieldViolation::field).toList());
            validate(command).stream().filter(v -> !named.contains(v.field())).forEach(violations::add);
            throw ApiProblem.invalid(violations);
        }
        Optional<Long> expected = ifMatch(ctx);
        // only a keyed command keeps a fingerprint: only a retry under its key is compared with it
        String request = key.isPresent() ? fingerprint(command) : "";
        CommandContext keyed = key.map(k -> {
                    CommandContext of = CommandContext.of(commandId(ctx, k));
                    return new CommandContext(
                            of.commandId(),
                            of.correlationId(),
                            of.causationId(),
                            of.userId(),
                            of.tenantId(),
                            Map.of(REQUEST_ENTRY, request),
                            of.expectedVersion());
                })
                .orElseGet(CommandContext::create);
        CommandContext versioned = expected.map(keyed::withExpectedVersion).orElse(keyed);
        CommandContext context = effectiveAt.map(versioned::withEffectiveAt).orElse(versioned);
        CommandResult result = app.send(command, context);
        return switch (result) {
            case CommandResult.Accepted accepted -> {
                if (accepted.duplicate()) {
                    if (key.isPresent()) {
                        requireSameRequest(accepted, request, key.get());
                    }
                    ctx.header("Idempotent-Replayed", "true");
                }
                ctx.header(POSITION_HEADER, text(accepted.position()));
                yield accepted;
            }
            case CommandResult.Completed completed ->
                throw new IllegalStateException("every command of the order system changes an aggregate, but "
                        + command.getClass().getSimpleName() + " completed without one");
            case CommandResult.Rejected rejected
            when UNKNOWN_RULES.contains(rejected.rule()) ->
                throw new ApiProblem(
                        404, "not-found", "Not found", rejected.message(), Map.of("rule", rejected.rule()));
            case CommandResult.Rejected rejected ->
                throw new ApiProblem(
                        422,
                        "rule-violated",
                        "Business rule violated",
                        rejected.message(),
                        Map.of("rule", rejected.rule()));
            case CommandResult.Invalid invalid -> throw ApiProblem.invalid(invalid.violations());
            case CommandResult.Forbidden forbidden ->
                throw new ApiProblem(403, "forbidden", "Forbidden", forbidden.reason(), Map.of());
            case CommandResult.Conflict conflict
            when expected.isPresent() && current.isPresent() -> {
                long actual = current.get().load();
                throw new ApiProblem(
                        409,
                        "version-conflict",
                        "Version conflict",
                        "If-Match expected version " + expected.get() + " but it is at " + actual
                                + "; read it again and decide on the newer state",
                        Map.of("expectedVersion", expected.get(), "actualVersion", actual));
            }
            case CommandResult.Conflict conflict ->
                throw new ApiProblem(
                        409,
                        "version-conflict",
                        "Version conflict",
                        conflict.message(),
                        Map.of("streamId", conflict.streamId()));
        };
    }

    /**
     * A fingerprint of what a keyed request asks for: a hash of its command (type and fields, which the
     * path, the body and the key decide), kept in the metadata of the events it appends.
     */
    private static String fingerprint(Object command) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((command.getClass().getName() + "\n" + command).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(hash, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /**
     * A replayed answer is only right for the request that was made first: a key reused for another request
     * (other fields) is refused with 422, and the first request's effect stays as it was.
     */
    private void requireSameRequest(CommandResult.Accepted replayed, String request, String key) {
        if (replayed.eventCount() == 0) {
            return;
        }
        long first = replayed.version() - replayed.eventCount() + 1;
        Optional<String> stored =
                app.store().readStream(replayed.streamId(), ReadDirection.FORWARD, first, 1).events().stream()
                        .findFirst()
                        .map(event ->
                                app.serializer().readMetadata(event).entries().get(REQUEST_ENTRY));
        if (stored.isPresent() && !stored.get().equals(request)) {
            throw new ApiProblem(
                    422,
                    "idempotency-key-reused",
                    "Idempotency key reused",
                    "the Idempotency-Key '" + key + "' was first used for another request to " + replayed.streamId()
                            + "; a retry must repeat the same request, a new request needs a new key",
                    Map.of("streamId", replayed.streamId()));
        }
    }

    // the validators are keyed by their type: each one is applied only to commands of that type
    @SuppressWarnings("unchecked")
    private List<FieldViolation> validate(Object command) {
        List<FieldViolation> found = new ArrayList<>();
        for (Validator<?> validator : validators) {
            if (validator.type().isInstance(command)) {
                found.addAll(((Validator<Object>) validator).validate(command));
            }
        }
        return found;
    }

    private static Optional<String> idempotencyKey(Context ctx) {
        String key = ctx.header("Idempotency-Key");
        if (key == null) {
            return Optional.empty();
        }
        if (key.isBlank() || key.length() > 200) {
            throw ApiProblem.invalid("Idempotency-Key", "must be 1-200 characters, got " + key.length());
        }
        return Optional.of(key);
    }

    /** The command id of a keyed request: the same method, path and key give the same id. */
    private static UUID commandId(Context ctx, String key) {
        return nameId(ctx.method() + " " + ctx.path(), key);
    }

    private static UUID nameId(String scope, String key) {
        return UUID.nameUUIDFromBytes((scope + "\n" + key).getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<Long> ifMatch(Context ctx) {
        String header = ctx.header("If-Match");
        if (header == null) {
            return Optional.empty();
        }
        Matcher matcher = IF_MATCH.matcher(header);
        if (!matcher.matches()) {
            throw ApiProblem.invalid("If-Match", "must be a quoted version like \"3\", got " + header);
        }
        return Optional.of(Long.parseLong(matcher.group(1)));
    }

    // ---- queries

    private void order(Context ctx) {
        UUID id = pathId(ctx, "order");
        var summary = read(ctx, app.orderSummaries(), OrderSummaries.byId(id))
                .orElseThrow(() -> ApiProblem.notFound("there is no order " + id));
        ctx.header("ETag", "\"" + summary.version() + "\"");
        answer(ctx, 200, Views.of(summary));
    }

    private void orders(Context ctx) {
        OrderSearch search = OrderSearch.all();
        List<FieldViolation> violations = new ArrayList<>();
        String customer = ctx.queryParam("customerId");
        if (customer != null && !customer.isEmpty()) {
            if (Body.UUID_TEXT.matcher(customer).matches()) {
                search = search.ofCustomer(UUID.fromString(customer));
            } else {
                violations.add(new FieldViolation("customerId", "must be a UUID, got '" + customer + "'"));
            }
        }
        String status = ctx.queryParam("status");
        if (status != null && !status.isEmpty()) {
            try {
                search = search.inStatus(OrderStatus.valueOf(status.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                violations.add(new FieldViolation(
                        "status",
                        "must be one of " + Arrays.toString(OrderStatus.values()) + ", got '" + status + "'"));
            }
        }
        if (!violations.isEmpty()) {
            throw ApiProblem.invalid(violations);
        }
        var found = read(ctx, app.orderSummaries(), OrderSummaries.find(search));
        answer(ctx, 200, new Views.OrderList(found.stream().map(Views::of).toList()));
    }

    private void customer(Context ctx) {
        UUID id = pathId(ctx, "customer");
        var view = read(ctx, app.customerDirectory(), CustomerDirectory.byId(id))
                .orElseThrow(() -> ApiProblem.notFound("there is no customer " + id));
        answer(ctx, 200, Views.of(view));
    }

    /**
     * Runs a read-model query and puts the position its answer reflects in the {@value #POSITION_HEADER}
     * header. If the request names a position (the same header, or {@code ?minPosition=}; the later of the
     * two if both), the answer reflects at least that one: it waits (at most the read wait) for the read
     * model to get there, else answers 503 with {@code Retry-After}, never older data.
     */
    private <T> T read(Context ctx, ProjectionSubscription readModel, ReadModelQuery<T> query) {
        Optional<Position> wanted = later(
                position(ctx.queryParam("minPosition"), "minPosition"),
                position(ctx.header(POSITION_HEADER), POSITION_HEADER));
        Answer<T> answer;
        if (wanted.isEmpty()) {
            answer = readModel.answer(query);
        } else {
            try {
                answer = readModel.answer(wanted.get(), readWait, query);
            } catch (StaleReadModelException e) {
                ctx.header("Retry-After", "1");
                throw new ApiProblem(
                        503,
                        "read-model-behind",
                        "Read model behind",
                        "the read model did not reach position " + wanted.get() + " within " + readWait.toMillis()
                                + " ms (it is at " + e.reached() + "); retry shortly",
                        Map.of(
                                "minPosition",
                                wanted.get().toString(),
                                "reached",
                                e.reached().toString()));
            }
        }
        ctx.header(POSITION_HEADER, text(answer.position()));
        return answer.value();
    }

    private static Optional<Position> position(@Nullable String text, String field) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Position.parse(text.strip()));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.invalid(field, "must be a position like 12/345 or 345, got '" + text + "'");
        }
    }

    private static Optional<Position> later(Optional<Position> one, Optional<Position> other) {
        if (one.isEmpty()) {
            return other;
        }
        if (other.isEmpty()) {
            return one;
        }
        return other.get().isAfter(one.get()) ? other : one;
    }

    private void history(Context ctx) {
        UUID id = pathId(ctx, "order");
        List<Views.HistoryEntry> events;
        try (Stream<RecordedEvent> stream =
                app.store().streamEvents(app.orders().streamOf(id.toString()))) {
            events = stream.map(this::entry).toList();
        } catch (StreamNotFoundException e) {
            events = List.of();
        }
        if (events.isEmpty()) {
            throw ApiProblem.notFound("there is no order " + id);
        }
        answer(ctx, 200, new Views.History(id, events));
    }

    private Views.HistoryEntry entry(RecordedEvent event) {
        return new Views.HistoryEntry(
                event.streamVersion(),
                event.type(),
                event.recordedAt().toString(),
                tree(event.data()),
                tree(event.metadata()));
    }

    private JsonNode tree(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the store holds an event whose JSON cannot be read: " + e.getMessage(), e);
        }
    }

    private void asOf(Context ctx) {
        UUID id = pathId(ctx, "order");
        String version = ctx.queryParam("version");
        String at = ctx.queryParam("at");
        String effective = ctx.queryParam("effective");
        boolean byVersion = version != null && !version.isEmpty();
        boolean byEffective = effective != null && !effective.isEmpty();
        boolean byInstant = (at != null && !at.isEmpty()) || byEffective;
        if (byVersion == byInstant) {
            throw ApiProblem.invalid(
                    "version",
                    "give either version=N, or at=<ISO-8601 instant> (as recorded then) and/or effective=<ISO-8601"
                            + " instant> (as in effect then), not both kinds or neither");
        }
        Loaded<Order> loaded;
        String when;
        if (byVersion) {
            long wanted = parse(version, "version", Long::parseLong, "must be a whole number >= 0");
            if (wanted < 0) {
                throw ApiProblem.invalid("version", "must be a whole number >= 0, got " + wanted);
            }
            loaded = app.orders().loadAtVersion(id.toString(), wanted);
            when = "at version " + wanted;
        } else {
            // the two time axes: what was recorded by 'at', and what was in effect at 'effective'
            Instant recorded = at == null || at.isEmpty()
                    ? Instant.MAX
                    : parse(at, "at", Instant::parse, "must be an ISO-8601 instant like 2026-01-31T12:00:00Z");
            Instant inEffect = byEffective
                    ? parse(
                            effective,
                            "effective",
                            Instant::parse,
                            "must be an ISO-8601 instant like 2026-01-31T12:00:00Z")
                    : Instant.MAX;
            loaded = app.orders().loadAsOf(id.toString(), recorded, inEffect);
            when = (recorded.equals(Instant.MAX) ? "" : "as recorded at " + recorded)
                    + (byEffective ? (recorded.equals(Instant.MAX) ? "" : ", ") + "in effect at " + inEffect : "");
        }
        if (loaded.isNew()) {
            throw ApiProblem.notFound("there was no order " + id + " " + when);
        }
        if (byVersion && loaded.version() < Long.parseLong(version)) {
            // a version the order has not reached is not its current state under another name
            throw ApiProblem.notFound(
                    "order " + id + " has no version " + version + "; its last version is " + loaded.version());
        }
        answer(ctx, 200, Views.of(id, loaded.state(), loaded.version()));
    }

    private static <T> T parse(String text, String field, Function<String, T> parser, String message) {
        try {
            return parser.apply(text);
        } catch (NumberFormatException | DateTimeParseException e) {
            throw ApiProblem.invalid(field, message + ", got '" + text + "'");
        }
    }

    // ---- plumbing

    /** A path id that is not a UUID names nothing: 404, like an unknown one. */
    private static UUID pathId(Context ctx, String kind) {
        String id = ctx.pathParam("id");
        if (!Body.UUID_TEXT.matcher(id).matches()) {
            throw ApiProblem.notFound("there is no " + kind + " '" + id + "': " + kind + " ids are UUIDs");
        }
        return UUID.fromString(id);
    }

    private Body body(Context ctx) {
        return Body.parse(ctx.body(), json);
    }

    private static String text(Position position) {
        return position.toString();
    }

    private void answer(Context ctx, int status, Object value) {
        ctx.status(status);
        ctx.contentType("application/json");
        ctx.result(write(value));
    }

    private void problem(Context ctx, ApiProblem problem) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_PREFIX + problem.slug());
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", String.valueOf(problem.getMessage()));
        body.put("instance", ctx.path());
        body.putAll(problem.extra());
        ctx.status(problem.status());
        ctx.contentType(PROBLEM_JSON);
        ctx.result(write(body));
    }

    private String write(@Nullable Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the answer as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
