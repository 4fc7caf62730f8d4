package io.factum.benchmarks.jmh;

import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.aggregate.Decider;
import io.factum.core.aggregate.DeciderRepository;
import io.factum.core.aggregate.Loaded;
import io.factum.core.aggregate.RuleViolation;
import io.factum.core.aggregate.SnapshotPolicy;
import io.factum.core.aggregate.SnapshotStore;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandHandler;
import io.factum.core.command.CommandResult;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import io.factum.store.sqlite.SqliteEventStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The write side's speed: commands per second through the bus on an aggregate with 100 events, and the
 * load of a 10,000-event aggregate with and without a snapshot, on the in-memory store and on SQLite.
 *
 * <pre>java -jar benchmarks/target/factum-benchmarks.jar is the store harness; this one runs with
 * java -cp benchmarks/target/factum-benchmarks.jar org.openjdk.jmh.Main WriteSideBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class WriteSideBenchmark {

    sealed interface Command {}

    record Deposit(String account, long amount) implements Command {}

    sealed interface Event {}

    record Deposited(long amount) implements Event {}

    record Balance(long amount) {}

    static final Decider<Command, Event, Balance> ACCOUNT = Decider.of(
            () -> new Balance(0),
            (command, balance) -> switch (command) {
                case Deposit deposit when deposit.amount() <= 0 -> throw new RuleViolation("positive", "must be > 0");
                case Deposit deposit -> List.of(new Deposited(deposit.amount()));
            },
            (balance, event) -> switch (event) {
                case Deposited deposited -> new Balance(balance.amount() + deposited.amount());
            });

    private static final int AGGREGATES = 500;

    @Param({"memory", "sqlite"})
    public String storeKind;

    private Path directory;
    private EventStore store;
    private CommandBus bus;
    private DeciderRepository<Command, Event, Balance> plain;
    private DeciderRepository<Command, Event, Balance> snapshotted;
    private int next;

    @Setup(Level.Trial)
    public void open() throws IOException {
        directory = Files.createTempDirectory("factum-jmh");
        store = storeKind.equals("sqlite")
                ? SqliteEventStore.open(directory.resolve("bench.db"))
                : EventStore.inMemory();
        EventSerializer serializer = EventSerializer.of(
                EventTypes.builder().registerSealed(Event.class).build());
        plain = DeciderRepository.builder(store, serializer, "account", ACCOUNT, Event.class)
                .build();
        snapshotted = DeciderRepository.builder(store, serializer, "account", ACCOUNT, Event.class)
                .snapshots(SnapshotStore.inMemory(), SnapshotPolicy.everyEvents(100), Balance.class, 1)
                .build();
        bus = CommandBus.builder()
                .handle(Deposit.class, CommandHandler.decide(plain, Deposit::account))
                .build();
        for (int a = 0; a < AGGREGATES; a++) {
            preload("small" + a, 100, serializer);
        }
        preload("big", 10_000, serializer);
        snapshotted.load("big"); // takes the snapshot
    }

    private void preload(String id, int events, EventSerializer serializer) {
        EventMetadata metadata = EventMetadata.startingWith(UUID.randomUUID(), Instant.EPOCH);
        for (int done = 0; done < events; ) {
            List<EventData> batch = new ArrayList<>();
            for (int i = 0; i < 1000 && done < events; i++, done++) {
                batch.add(serializer.serialize(new Deposited(1), UUID.randomUUID(), metadata));
            }
            store.append("account-" + id, ExpectedVersion.any(), batch);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (var files = Files.walk(directory)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** One command through the bus: load an aggregate of about 100 events, decide, append one event. */
    @Benchmark
    public CommandResult command_on_an_aggregate_with_100_events() {
        next = (next + 1) % AGGREGATES;
        return bus.send(new Deposit("small" + next, 1), CommandContext.create());
    }

    /** Loading a 10,000-event aggregate from its events. */
    @Benchmark
    public Loaded<Balance> load_10000_events_without_snapshot() {
        return plain.load("big");
    }

    /** Loading the same aggregate from its snapshot (and the events after it: none). */
    @Benchmark
    public Loaded<Balance> load_10000_events_with_snapshot() {
        return snapshotted.load("big");
    }
}
