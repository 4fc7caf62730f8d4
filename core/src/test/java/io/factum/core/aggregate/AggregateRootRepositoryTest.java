package io.factum.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventStore;
import io.factum.core.StoreOptions;
import io.factum.core.WrongExpectedVersionException;
import io.factum.core.aggregate.BankAccount.Classic;
import io.factum.core.aggregate.BankAccount.Deposited;
import io.factum.core.aggregate.BankAccount.Event;
import io.factum.core.aggregate.BankAccount.Opened;
import io.factum.core.serialization.EventMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AggregateRootRepositoryTest {

    private final MovableClock clock = new MovableClock();
    private final EventStore store = EventStore.inMemory(StoreOptions.defaults().withClock(clock));
    private final AggregateRootRepository<Classic, Event> accounts = AggregateRootRepository.builder(
                    store, DeciderRepositoryTest.SERIALIZER, "account", Classic::new, Event.class)
            .build();

    private static EventMetadata command() {
        return EventMetadata.startingWith(UUID.randomUUID(), Instant.EPOCH);
    }

    @Test
    void command_methods_raise_events_that_save_appends_and_load_replays() {
        Classic account = accounts.load("7");
        account.open("ada");
        account.deposit(40);
        assertThat(account.uncommittedEvents()).containsExactly(new Opened("ada"), new Deposited(40));
        assertThat(account.version()).isEqualTo(-1);

        Outcome<Event> outcome = accounts.save("7", account, command());

        assertThat(outcome.version()).isEqualTo(1);
        assertThat(account.uncommittedEvents()).isEmpty();
        assertThat(account.version()).isEqualTo(1);
        Classic loaded = accounts.load("7");
        assertThat(loaded.balance()).isEqualTo(40);
        assertThat(loaded.version()).isEqualTo(1);
    }

    @Test
    void update_runs_a_command_method_and_a_rejection_writes_nothing() {
        accounts.update("7", a -> a.open("ada"), command(), ConflictRetry.NONE);
        accounts.update("7", a -> a.deposit(10), command(), ConflictRetry.NONE);

        assertThatThrownBy(() -> accounts.update("7", a -> a.withdraw(11), command(), ConflictRetry.NONE))
                .isInstanceOf(RuleViolation.class)
                .hasMessage("cannot withdraw 11 from a balance of 10");
        assertThat(accounts.load("7").version()).isEqualTo(1);
    }

    @Test
    void saving_a_stale_aggregate_is_a_conflict_naming_both_versions() {
        accounts.update("7", a -> a.open("ada"), command(), ConflictRetry.NONE);
        Classic stale = accounts.load("7");
        accounts.update("7", a -> a.deposit(1), command(), ConflictRetry.NONE);
        stale.deposit(2);

        assertThatThrownBy(() -> accounts.save("7", stale, command()))
                .isInstanceOf(WrongExpectedVersionException.class)
                .hasMessage("stream account-7: expected version 0 but it is at version 1");
    }

    @Test
    void an_update_retried_with_the_same_command_id_returns_its_first_outcome_and_appends_nothing() {
        accounts.update("7", a -> a.open("ada"), command(), ConflictRetry.NONE);
        EventMetadata deposit = command();
        Outcome<Event> first = accounts.update("7", a -> a.deposit(10), deposit, ConflictRetry.NONE);
        accounts.update("7", a -> a.deposit(1), command(), ConflictRetry.NONE);

        Outcome<Event> retried = accounts.update("7", a -> a.deposit(10), deposit, ConflictRetry.DEFAULT);

        assertThat(retried.duplicate()).isTrue();
        assertThat(retried.version()).isEqualTo(first.version());
        assertThat(retried.position()).isEqualTo(first.position());
        assertThat(retried.events()).containsExactly(new Deposited(10));
        assertThat(accounts.load("7").balance()).isEqualTo(11);
    }

    @Test
    void an_update_at_an_expected_version_is_refused_once_the_aggregate_moved_on() {
        accounts.update("7", a -> a.open("ada"), command(), ConflictRetry.NONE);
        accounts.update("7", a -> a.deposit(1), command(), ConflictRetry.NONE);

        assertThatThrownBy(() ->
                        accounts.update("7", a -> a.deposit(2), command(), io.factum.core.ExpectedVersion.exactly(0)))
                .isInstanceOf(WrongExpectedVersionException.class)
                .hasMessage("stream account-7: expected version 0 but it is at version 1");
        assertThat(accounts.update("7", a -> a.deposit(2), command(), io.factum.core.ExpectedVersion.exactly(1))
                        .version())
                .isEqualTo(2);
    }

    @Test
    void loads_as_of_a_version_and_a_time() {
        accounts.update("7", a -> a.open("ada"), command(), ConflictRetry.NONE);
        accounts.update("7", a -> a.deposit(10), command(), ConflictRetry.NONE);
        Instant before = clock.instant();
        clock.advance(Duration.ofDays(2));
        accounts.update("7", a -> a.deposit(5), command(), ConflictRetry.NONE);

        assertThat(accounts.loadAtVersion("7", 1).balance()).isEqualTo(10);
        assertThat(accounts.loadAsOf("7", before).balance()).isEqualTo(10);
        assertThat(accounts.load("7").balance()).isEqualTo(15);
    }

    @Test
    void an_aggregate_can_be_rebuilt_from_history_once() {
        Classic account = new Classic();
        account.loadFromHistory(java.util.List.of(new Opened("ada"), new Deposited(7)));

        assertThat(account.balance()).isEqualTo(7);
        assertThat(account.version()).isEqualTo(1);
        assertThatThrownBy(() -> account.loadFromHistory(java.util.List.of(new Deposited(1))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "loadFromHistory needs a new aggregate, but this one is at version 1 with 0 uncommitted events");
    }
}
