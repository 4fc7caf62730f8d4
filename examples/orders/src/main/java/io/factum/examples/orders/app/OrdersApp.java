package io.factum.examples.orders.app;

import io.factum.core.EventQuery;
import io.factum.core.SqlEventStore;
import io.factum.core.StreamState;
import io.factum.core.WrongExpectedVersionException;
import io.factum.core.aggregate.ConflictRetry;
import io.factum.core.aggregate.DcbRepository;
import io.factum.core.aggregate.DeciderRepository;
import io.factum.core.aggregate.Loaded;
import io.factum.core.aggregate.Outcome;
import io.factum.core.aggregate.SnapshotPolicy;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandHandler;
import io.factum.core.command.CommandResult;
import io.factum.core.command.Validation;
import io.factum.core.command.Validator;
import io.factum.core.gdpr.SubjectKeyStore;
import io.factum.core.observation.Observed;
import io.factum.core.process.DeadlineScheduler;
import io.factum.core.process.ProcessManager;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import io.factum.core.spi.ExpectedVersions;
import io.factum.core.subscription.OnParked;
import io.factum.core.subscription.ProjectionGroup;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.Subscription;
import io.factum.examples.orders.customers.Customer;
import io.factum.examples.orders.customers.CustomerCommand;
import io.factum.examples.orders.customers.CustomerEvent;
import io.factum.examples.orders.fulfilment.Fulfilment;
import io.factum.examples.orders.fulfilment.PaymentGateway;
import io.factum.examples.orders.ordering.Order;
import io.factum.examples.orders.ordering.OrderCommand;
import io.factum.examples.orders.ordering.OrderEvent;
import io.factum.examples.orders.payments.Payment;
import io.factum.examples.orders.payments.PaymentCommand;
import io.factum.examples.orders.payments.PaymentEvent;
import io.factum.examples.orders.payments.PaymentProvider;
import io.factum.examples.orders.published.KafkaPublication;
import io.factum.examples.orders.published.Publication;
import io.factum.examples.orders.readmodel.CustomerDirectory;
import io.factum.examples.orders.readmodel.DailySales;
import io.factum.examples.orders.readmodel.OrderSummaries;
import io.factum.examples.orders.stock.Reservation;
import io.factum.examples.orders.stock.StockCommand;
import io.factum.examples.orders.stock.StockEvent;
import io.factum.examples.orders.validation.CustomerValidators;
import io.factum.examples.orders.validation.OrderValidators;
import io.factum.store.postgres.PostgresEventStore;
import io.factum.store.sqlite.SqliteEventStore;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The order-management system, wired: a store (a SQLite file by default, PostgreSQL given a JDBC URL),
 * the serializer, one repository per aggregate (with snapshots in the store), a command bus with
 * validation (commands are idempotent by their id: the repositories derive the events' ids from it), the
 * read models, the fulfilment process manager, the payment gateway,
 * the publication of integration events, and the deadline scheduler. {@link #close()} stops all of it
 * and closes the store. Thread-safe.
 *
 * <pre>{@code
 * try (OrdersApp app = OrdersApp.builder().sqlite(Path.of("orders.db")).start()) {
 *     CommandResult result = app.send(new CreateOrder(orderId, customerId));
 * }
 * }</pre>
 */
public final class OrdersApp implements AutoCloseable {

    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ObservationRegistry observations = Observed.withMetrics(meters);
    private final SqlEventStore store;
    private final SubjectKeyStore keys;
    private final EventSerializer serializer;
    private final DeciderRepository<OrderCommand, OrderEvent, Order> orders;
    private final DeciderRepository<CustomerCommand, CustomerEvent, Customer> customers;
    private final DcbRepository<StockCommand, Object, Reservation> stock;
    private final CommandBus bus;
    private final ProcessManager<Fulfilment.State, Object> fulfilment;
    private final ProjectionSubscription orderSummaries;
    private final ProjectionSubscription customerDirectory;
    private final ProjectionSubscription dailySales;
    private final ProjectionGroup readModels;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final DeadlineScheduler scheduler;
    private final SqlCheckpointStore checkpoints;
    private final Optional<io.factum.kafka.KafkaRelay> kafka;

    private OrdersApp(Builder settings) {
        // every append and command timed (and traced, with a tracing handler on the registry) in one place
        this.store = Observed.store(settings.open(), observations, meters);
        try {
            this.keys = store.subjectKeys();
            this.serializer = eventSerializer(keys);
            this.orders = DeciderRepository.builder(store, serializer, "order", Deciders.ORDER, OrderEvent.class)
                    .clock(settings.clock)
                    .tags(Boundaries::orderTags)
                    .snapshots(store.snapshots(), SnapshotPolicy.everyEvents(50), Order.class, 1)
                    .build();
            // no snapshots for customers: a snapshot would keep the personal data in clear beside the
            // crypto-shredded events and outlive a forget; customer streams are short anyway
            this.customers = DeciderRepository.builder(
                            store, serializer, "customer", Deciders.CUSTOMER, CustomerEvent.class)
                    .clock(settings.clock)
                    .tags(Boundaries::customerTags)
                    .build();
            var payments = DeciderRepository.builder(store, serializer, "payment", Deciders.PAYMENT, PaymentEvent.class)
                    .clock(settings.clock)
                    .build();
            // the rules across streams (one email, one customer; stock never below zero): see Boundaries
            var registrations =
                    DcbRepository.of(store, serializer, Boundaries.REGISTRATION, CustomerEvent.class, settings.clock);
            this.stock = DcbRepository.of(store, serializer, Boundaries.STOCK, Object.class, settings.clock);
            List<Validator<?>> validators = new ArrayList<>(OrderValidators.all());
            validators.addAll(CustomerValidators.all());
            this.bus = CommandBus.builder()
                    .use(Observed.commands(observations))
                    .use(Validation.middleware(validators))
                    .rejections(Deciders.REJECTIONS)
                    .handle(OrderCommand.CreateOrder.class, orderHandler())
                    .handle(OrderCommand.AddItem.class, orderHandler())
                    .handle(OrderCommand.RemoveItem.class, orderHandler())
                    .handle(OrderCommand.CorrectPrice.class, orderHandler())
                    .handle(OrderCommand.ConfirmOrder.class, stockHandler())
                    .handle(OrderCommand.CancelOrder.class, stockHandler())
                    .handle(OrderCommand.MarkPaid.class, orderHandler())
                    .handle(OrderCommand.MarkShipped.class, orderHandler())
                    .handle(
                            CustomerCommand.RegisterCustomer.class,
                            CommandHandler.decide(registrations, ConflictRetry.DEFAULT))
                    .handle(CustomerCommand.MoveHouse.class, customerHandler())
                    .handle(CustomerCommand.CorrectAddress.class, customerHandler())
                    .handle(CustomerCommand.ForgetCustomer.class, forgetHandler())
                    .handle(PaymentCommand.RequestPayment.class, paymentHandler(payments))
                    .handle(PaymentCommand.ApprovePayment.class, paymentHandler(payments))
                    .handle(PaymentCommand.DeclinePayment.class, paymentHandler(payments))
                    .expectHandlersFor(OrderCommand.class, CustomerCommand.class, PaymentCommand.class)
                    .build();

            SqlCheckpointStore checkpoints = store.checkpoints();
            this.checkpoints = checkpoints;
            // the three read models share one read of the log and one transaction per batch; an event one of
            // them cannot apply is parked and holds back the rest of its stream there (an order is shown as
            // it was before, never with later events and without that one), /health/ready says DEGRADED
            OrderSummaries summaries = new OrderSummaries(serializer);
            CustomerDirectory directory = new CustomerDirectory(serializer);
            DailySales sales = new DailySales(serializer);
            this.readModels = Subscription.sqlProjections(store, checkpoints, List.of(summaries, directory, sales))
                    .onParked(OnParked.HOLD_STREAM)
                    .meterRegistry(meters)
                    .start();
            this.orderSummaries = readModels.member(summaries.name());
            this.customerDirectory = readModels.member(directory.name());
            this.dailySales = readModels.member(sales.name());
            subscriptions.addAll(readModels.members());

            // the process, the gateway and the publication handle a batch at once: the orders of a batch
            // side by side, so that their commands and steps share the store's group commit
            this.fulfilment = Fulfilment.builder(settings.paymentTimeout)
                    .wiring(store, serializer, bus, store.deadlines())
                    .clock(settings.clock)
                    .build();
            subscriptions.add(Subscription.batchHandler(Fulfilment.NAME, store, checkpoints, fulfilment.batchHandler())
                    .filter(fulfilment.filter())
                    .start());
            subscriptions.add(Subscription.batchHandler(
                            "payment_gateway",
                            store,
                            checkpoints,
                            new PaymentGateway(serializer, settings.paymentProvider, bus).concurrently())
                    .filter(PaymentGateway.filter())
                    .start());
            subscriptions.add(Subscription.batchHandler(
                            "published_ordering", store, checkpoints, new Publication(store, serializer))
                    .filter(Publication.filter())
                    .start());
            // the public events to Kafka, when there is a broker to publish to
            this.kafka =
                    settings.kafkaBootstrap.map(bootstrap -> KafkaPublication.start(store, checkpoints, bootstrap));
            kafka.flatMap(io.factum.kafka.KafkaRelay::subscription).ifPresent(subscriptions::add);
            this.scheduler = new DeadlineScheduler(store.deadlines(), settings.clock, List.of(fulfilment))
                    .start(settings.deadlinePollInterval);
        } catch (RuntimeException e) {
            subscriptions.forEach(Subscription::close);
            store.close();
            throw e;
        }
    }

    /** Settings of the app; {@link Builder#start()} opens the store and starts everything. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The serializer of every private domain event of the app, with the customers' personal data
     * encrypted by a key store in this process's memory: for tests that need no store of their own.
     */
    public static EventSerializer eventSerializer() {
        return eventSerializer(SubjectKeyStore.inMemory());
    }

    /**
     * The serializer of every private domain event of the app; the customers' personal data (see {@link
     * CustomerEvent}) is stored encrypted with each customer's key from {@code keys}, and reads as erased
     * once the customer is forgotten.
     */
    public static EventSerializer eventSerializer(SubjectKeyStore keys) {
        return EventSerializer.of(EventTypes.builder()
                        .registerSealed(OrderEvent.class)
                        .registerSealed(CustomerEvent.class)
                        .registerSealed(PaymentEvent.class)
                        .registerSealed(StockEvent.class)
                        // the customers' personal data, declared here: the events carry no Factum annotation
                        .personalData(CustomerEvent.CustomerRegistered.class, "customerId", "name", "email", "address")
                        .personalData(CustomerEvent.CustomerMovedHouse.class, "customerId", "address")
                        .personalData(CustomerEvent.CustomerAddressCorrected.class, "customerId", "address")
                        .build())
                .withPersonalData(keys);
    }

    /** Sends a command a person or client sent: a new business transaction. */
    public CommandResult send(Object command) {
        return send(command, CommandContext.create());
    }

    /**
     * Sends a command; give the context a stable command id (an idempotency key) to make a retry return
     * the first result.
     */
    public CommandResult send(Object command, CommandContext context) {
        return bus.send(command, context);
    }

    /** The meters of the app: commands, appends, the read models' lag; served on {@code /metrics}. */
    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /** The registry in which commands and appends are observed. */
    public ObservationRegistry observations() {
        return observations;
    }

    /** The event store. */
    public SqlEventStore store() {
        return store;
    }

    /** The customers' encryption keys, kept in the store's database; forgetting a customer deletes theirs. */
    public SubjectKeyStore subjectKeys() {
        return keys;
    }

    /** The serializer of the domain events. */
    public EventSerializer serializer() {
        return serializer;
    }

    /** The orders, for history and temporal loads ({@code loadAtVersion}, {@code loadAsOf}). */
    public DeciderRepository<OrderCommand, OrderEvent, Order> orders() {
        return orders;
    }

    public DeciderRepository<CustomerCommand, CustomerEvent, Customer> customers() {
        return customers;
    }

    /** The OrderSummary read model; query it with {@link OrderSummaries}'s queries. */
    public ProjectionSubscription orderSummaries() {
        return orderSummaries;
    }

    /** The customers read model; query it with {@link CustomerDirectory#byId}. */
    public ProjectionSubscription customerDirectory() {
        return customerDirectory;
    }

    /** The daily sales report; query it with {@link DailySales#between}. */
    public ProjectionSubscription dailySales() {
        return dailySales;
    }

    /** The fulfilment process manager, to look at an order's process. */
    public ProcessManager<Fulfilment.State, Object> fulfilment() {
        return fulfilment;
    }

    /** The deadline scheduler; {@code fireDue()} fires what is due now by the app's clock. */
    public DeadlineScheduler deadlines() {
        return scheduler;
    }

    /**
     * Every subscription the app runs (the read models, the fulfilment process, the payment gateway, the
     * publication), in the order started: for the admin pages and health.
     */
    public List<Subscription> subscriptions() {
        return List.copyOf(subscriptions);
    }

    /** The checkpoints of the subscriptions, kept in the store's database (parked events, active versions). */
    public SqlCheckpointStore checkpoints() {
        return checkpoints;
    }

    /** Stops the scheduler and every subscription (each finishes its batch), then closes the store. */
    @Override
    public void close() {
        scheduler.close();
        for (Subscription subscription : subscriptions.reversed()) {
            subscription.close();
        }
        kafka.ifPresent(io.factum.kafka.KafkaRelay::close);
        store.close();
    }

    /** The relay of the public events to Kafka, when the app was given a broker ({@link Builder#kafka}). */
    public Optional<io.factum.kafka.KafkaRelay> kafkaRelay() {
        return kafka;
    }

    private CommandHandler<OrderCommand> orderHandler() {
        return CommandHandler.decide(orders, command -> command.orderId().toString(), ConflictRetry.DEFAULT);
    }

    /**
     * Confirms or cancels an order together with its products' stock (see {@link Boundaries#STOCK}): the
     * order is loaded to learn its products, then the decision reads the order's and those products'
     * events and appends on the condition that none came since. With an expected version (If-Match) the
     * order must be at it when it is loaded.
     */
    private CommandHandler<OrderCommand> stockHandler() {
        return (command, context) -> {
            Loaded<Order> order = orders.load(command.orderId().toString());
            if (context.expectedVersion().isPresent()
                    && !ExpectedVersions.holds(context.expectedVersion().get(), order.version(), StreamState.ACTIVE)) {
                throw new WrongExpectedVersionException(
                        order.streamId(), context.expectedVersion().get(), order.version(), StreamState.ACTIVE);
            }
            StockCommand moving =
                    switch (command) {
                        case OrderCommand.ConfirmOrder confirm ->
                            new StockCommand.ConfirmWithStock(
                                    confirm.orderId(),
                                    order.state().lines().stream()
                                            .map(Order.Line::productId)
                                            .collect(Collectors.toSet()));
                        case OrderCommand.CancelOrder cancel ->
                            new StockCommand.CancelWithStock(cancel.orderId(), cancel.reason());
                        default -> throw new IllegalArgumentException("not a command that moves stock: " + command);
                    };
            return stock.handle(moving, context.eventMetadata(stock.clock().instant()), ConflictRetry.DEFAULT);
        };
    }

    /**
     * Adds stock of a product: from then on, confirming orders reserves it and cannot take more than is
     * left (products never stocked are not counted).
     *
     * @throws io.factum.examples.orders.shared.RuleBroken if the quantity is less than 1
     */
    public Outcome<Object> addStock(String productId, int quantity) {
        return stock.handle(
                new StockCommand.AddStock(productId, quantity),
                EventMetadata.startingWith(UUID.randomUUID(), stock.clock().instant()),
                ConflictRetry.DEFAULT);
    }

    /** The stock left of a product, if it was ever stocked. */
    public Optional<Integer> stockLeft(String productId) {
        return Optional.ofNullable(stock.load(EventQuery.tags("product:" + productId))
                .state()
                .available()
                .get(productId));
    }

    private CommandHandler<CustomerCommand> customerHandler() {
        return CommandHandler.decide(customers, command -> command.customerId().toString(), ConflictRetry.DEFAULT);
    }

    /**
     * Forgets a customer: records {@code CustomerForgotten}, then deletes the customer's key. In this
     * order, because the event is the fact the read models erase their copies on, and because deleting
     * the key first would, should the append then fail, leave the personal data unreadable with no event
     * saying so and read models still showing it. A crash between the two leaves a customer the aggregate
     * knows as forgotten whose key is still there: sending {@code ForgetCustomer} again records nothing
     * (the decider answers no events for a forgotten customer) and deletes the key, so the task is
     * idempotent and safe to retry. Deleting a key that is gone already is harmless.
     */
    private CommandHandler<CustomerCommand.ForgetCustomer> forgetHandler() {
        CommandHandler<CustomerCommand> decide = customerHandler();
        return (command, context) -> {
            var outcome = decide.handle(command, context);
            keys.forget(command.customerId().toString());
            return outcome;
        };
    }

    private static CommandHandler<PaymentCommand> paymentHandler(
            DeciderRepository<PaymentCommand, PaymentEvent, Payment> payments) {
        return CommandHandler.decide(payments, command -> command.orderId().toString(), ConflictRetry.DEFAULT);
    }

    /** The settings of an {@link OrdersApp}. Not thread-safe. */
    public static final class Builder {
        private Path sqliteFile = Path.of("orders.db");
        private Optional<String> jdbcUrl = Optional.empty();
        private Optional<String> username = Optional.empty();
        private Optional<String> password = Optional.empty();
        private PaymentProvider paymentProvider =
                PaymentProvider.byAmount(new BigDecimal("1000.00"), new BigDecimal("5000.00"));
        private Duration paymentTimeout = Duration.ofMinutes(2);
        private Duration deadlinePollInterval = Duration.ofSeconds(1);
        private Clock clock = Clock.systemUTC();
        private Optional<String> kafkaBootstrap = Optional.empty();

        private Builder() {}

        /**
         * Publishes the public order events to the Kafka topic {@code ordering.public} of the cluster at {@code
         * bootstrapServers} ({@link KafkaPublication}); no Kafka by default.
         */
        public Builder kafka(String bootstrapServers) {
            this.kafkaBootstrap = Optional.of(bootstrapServers);
            return this;
        }

        /** The SQLite file of the embedded store ({@code orders.db} by default); created if missing. */
        public Builder sqlite(Path file) {
            this.sqliteFile = file;
            this.jdbcUrl = Optional.empty();
            return this;
        }

        /** Runs on PostgreSQL instead (a {@code jdbc:postgresql://...} URL, credentials as URL parameters). */
        public Builder postgres(String url) {
            this.jdbcUrl = Optional.of(url);
            this.username = Optional.empty();
            this.password = Optional.empty();
            return this;
        }

        /** Runs on PostgreSQL at {@code url}, signing in as {@code user} with {@code secret}. */
        public Builder postgres(String url, String user, String secret) {
            this.jdbcUrl = Optional.of(url);
            this.username = Optional.of(user);
            this.password = Optional.of(secret);
            return this;
        }

        /**
         * The simulated payment provider; by default it approves totals below 1000.00, declines those up
         * to 5000.00 and never answers larger ones.
         */
        public Builder paymentProvider(PaymentProvider provider) {
            this.paymentProvider = provider;
            return this;
        }

        /** How long the provider has to answer before the order is cancelled; 2 minutes by default. */
        public Builder paymentTimeout(Duration timeout) {
            this.paymentTimeout = timeout;
            return this;
        }

        /** How often the deadline scheduler looks at least; 1 second by default. */
        public Builder deadlinePollInterval(Duration interval) {
            this.deadlinePollInterval = interval;
            return this;
        }

        /** The clock of events, snapshots and deadlines; the system clock by default. */
        public Builder clock(Clock source) {
            this.clock = source;
            return this;
        }

        /** Opens the store and starts the app. */
        public OrdersApp start() {
            return new OrdersApp(this);
        }

        private SqlEventStore open() {
            if (jdbcUrl.isPresent()) {
                var postgres = PostgresEventStore.builder().jdbcUrl(jdbcUrl.get());
                username.ifPresent(postgres::username);
                password.ifPresent(postgres::password);
                return postgres.open();
            }
            Path parent = sqliteFile.toAbsolutePath().getParent();
            try {
                Files.createDirectories(parent);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the directory " + parent + " of the store file", e);
            }
            return SqliteEventStore.open(sqliteFile);
        }
    }
}
