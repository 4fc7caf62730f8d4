package io.factum.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventFilter;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.aggregate.AggregateRoot;
import io.factum.core.aggregate.Decider;
import io.factum.core.aggregate.RuleViolation;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import io.factum.testkit.aggregate.AggregateRootFixture;
import io.factum.testkit.aggregate.DeciderFixture;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The testkit's given-when-then fixtures on a real SQLite file: each scenario's events are serialized,
 * written to the database, read back and deserialized, so the scenarios also prove the round trip.
 */
class SqliteGivenWhenThenTest {

    sealed interface Command {}

    record Lend(String member, LocalDate dueOn) implements Command {}

    record Return() implements Command {}

    sealed interface Event {}

    record Lent(String member, LocalDate dueOn) implements Event {}

    record Returned(String member) implements Event {}

    record Loan(Optional<String> member) {}

    static final Decider<Command, Event, Loan> BOOK = Decider.of(
            () -> new Loan(Optional.empty()),
            (command, loan) -> switch (command) {
                case Lend lend
                when loan.member().isPresent() ->
                    throw new RuleViolation(
                            "one-loan", "the book is lent to " + loan.member().get());
                case Lend lend -> List.of(new Lent(lend.member(), lend.dueOn()));
                case Return r ->
                    loan.member()
                            .<List<Event>>map(m -> List.of(new Returned(m)))
                            .orElse(List.of());
            },
            (loan, event) -> switch (event) {
                case Lent lent -> new Loan(Optional.of(lent.member()));
                case Returned returned -> new Loan(Optional.empty());
            });

    /** The same book as a classic aggregate. */
    static final class Book extends AggregateRoot<Event> {
        private Optional<String> member = Optional.empty();

        void giveBack() {
            member.ifPresent(m -> raise(new Returned(m)));
        }

        @Override
        protected void apply(Event event) {
            member = switch (event) {
                case Lent lent -> Optional.of(lent.member());
                case Returned returned -> Optional.empty();
            };
        }
    }

    static final EventSerializer SERIALIZER =
            EventSerializer.of(EventTypes.builder().registerSealed(Event.class).build());

    @TempDir
    Path directory;

    private SqliteStore store;

    @BeforeEach
    void open() {
        store = SqliteStore.open(directory.resolve("books.db"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void a_decider_scenario_runs_through_the_database() {
        DeciderFixture<Command, Event, Loan> books = DeciderFixture.of(BOOK).onStore(store, SERIALIZER, Event.class);
        LocalDate due = LocalDate.of(2026, 3, 1);

        books.given(new Lent("ada", due), new Returned("ada"))
                .when(new Lend("grace", due))
                .then(new Lent("grace", due));
        books.given(new Lent("ada", due))
                .when(new Lend("grace", due))
                .thenRejected("one-loan", "the book is lent to ada");
        books.given(new Lent("ada", due)).thenState(new Loan(Optional.of("ada")));

        // the first scenario's 2 given events and 1 decided one, then the given event of each of the others
        assertThat(store.streamAll(Position.START, EventFilter.all()).map(RecordedEvent::type))
                .containsExactly("Lent", "Returned", "Lent", "Lent", "Lent");
    }

    @Test
    void a_classic_aggregate_scenario_runs_through_the_database() {
        AggregateRootFixture<Book, Event> books =
                AggregateRootFixture.of(Book::new).onStore(store, SERIALIZER, Event.class);

        books.given(new Lent("ada", LocalDate.of(2026, 3, 1)))
                .when(Book::giveBack)
                .then(new Returned("ada"));
        books.given(new Lent("ada", LocalDate.of(2026, 3, 1)))
                .when(Book::giveBack)
                .thenState(book -> assertThat(book.member).isEmpty());
    }
}
