package io.factum.examples.quickstart;

import io.factum.core.AllSlice;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamSlice;
import io.factum.core.WrongExpectedVersionException;
import io.factum.store.sqlite.SqliteEventStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Appends and reads events on the embedded store: what {@code ./mvnw -q -pl examples/quickstart -am
 * verify exec:java} shows. The store file is kept in {@code target/} (or the path given as the first
 * argument), so a second run continues where the first stopped.
 */
public final class QuickStart {

    private QuickStart() {}

    public static void main(String[] args) throws Exception {
        Path file = args.length > 0 ? Path.of(args[0]) : Path.of("target", "quickstart.db");
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (SqliteEventStore store = SqliteEventStore.open(file)) {
            String order = "order-" + UUID.randomUUID().toString().substring(0, 8);
            System.out.println("Factum quick start on " + file.toAbsolutePath());

            store.append(
                    order,
                    ExpectedVersion.noStream(),
                    EventData.of("OrderPlaced", "{\"customer\":\"ada\",\"total\":42.50}"),
                    EventData.of("ItemAdded", "{\"sku\":\"BOOK-1\",\"quantity\":2}"));
            var paid = store.append(order, ExpectedVersion.exactly(1), EventData.of("OrderPaid", "{\"amount\":42.50}"));
            System.out.printf(
                    "appended 3 events to %s: it is at version %d, global position %s%n",
                    order, paid.streamVersion(), paid.position());

            try {
                store.append(order, ExpectedVersion.exactly(0), EventData.of("OrderCancelled", "{}"));
            } catch (WrongExpectedVersionException stale) {
                System.out.println("a writer with a stale view is refused: " + stale.getMessage());
            }

            System.out.println("the stream, oldest first:");
            StreamSlice slice = store.readStream(order, ReadDirection.FORWARD, StreamSlice.START, 100);
            for (RecordedEvent event : slice.events()) {
                System.out.printf("  v%d %-12s %s%n", event.streamVersion(), event.type(), event.data());
            }

            System.out.println("the last 5 order events in the global log, newest first:");
            AllSlice recent = store.readAll(Position.END, ReadDirection.BACKWARD, 5, EventFilter.categories("order"));
            for (RecordedEvent event : recent.events()) {
                System.out.printf("  %-8s %-14s %s%n", event.position(), event.streamId(), event.type());
            }
            System.out.println("head of the global log: " + store.headPosition());

            System.out.println("a bank account through the command bus:");
            BankQuickStart.run(store);
        }
    }
}
