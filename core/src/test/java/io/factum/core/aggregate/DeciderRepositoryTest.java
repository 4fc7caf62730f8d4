package io.factum.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.factum.core.EventStore;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreOptions;
import io.factum.core.WrongExpectedVersionException;
import io.factum.core.aggregate.BankAccount.Command;
import io.factum.core.aggregate.BankAccount.Deposit;
import io.factum.core.aggregate.BankAccount.Deposited;
import io.factum.core.aggregate.BankAccount.Event;
import io.factum.core.aggregate.BankAccount.Open;
import io.factum.core.aggregate.BankAccount.Opened;
import io.factum.core.aggregate.BankAccount.State;
import io.factum.core.aggregate.BankAccount.Withdraw;
import io.factum.core.aggregate.BankAccount.Withdrawn;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DeciderRepositoryTest {

    static final EventSerializer SERIALIZER =
            EventSerializer.of(EventTypes.builder().registerSealed(Event.class).build());

    private final MovableClock clock = new MovableClock();
    private final EventStore store = EventStore.inMemory(StoreOptions.defaults().withClock(clock));
    private final DeciderRepository<Command, Event, State> accounts = DeciderRepository.builder(
                    store, SERIALIZER, "account", BankAccount.DECIDER, Event.class)
            .clock(clock)
            .build();

    private static EventMetadata command() {
        return EventMetadata.startingWith(UUID.randomUUID(), Instant.EPOCH);
    }

    private Outcome<Event> handle(String id, Command command) {
        return accounts.handle(id, command, command(), ConflictRetry.NONE);
    }

    @Nested
    class Handling_commands {

        @Test
        void appends_what_the_decider_decides_and_reports_version_and_position() {
            handle("1", new Open("ada"));
            Outcome<Event> outcome = handle("1", new Deposit(100));

            assertThat(outcome.events()).containsExactly(new Deposited(100));
            assertThat(outcome.version()).isEqualTo(1);
            assertThat(outcome.position()).isEqualTo(store.headPosition());
            assertThat(outcome.streamId()).isEqualTo("account-1");
            assertThat(accounts.load("1").state()).isEqualTo(new State(true, 100));
        }

        @Test
        void a_command_that_changes_nothing_writes_nothing() {
            Outcome<Event> opened = handle("1", new Open("ada"));
            Outcome<Event> again = handle("1", new Open("ada"));

            assertThat(again.events()).isEmpty();
            assertThat(again.version()).isZero();
            assertThat(again.position()).isEqualTo(opened.position());
        }

        @Test
        void a_rule_violation_reaches_the_caller_and_writes_nothing() {
            handle("1", new Open("ada"));
            handle("1", new Deposit(10));

            assertThatThrownBy(() -> handle("1", new Withdraw(25)))
                    .isInstanceOfSatisfying(
                            RuleViolation.class, v -> assertThat(v.rule()).isEqualTo("no-overdraft"))
                    .hasMessage("cannot withdraw 25 from a balance of 10");
            assertThat(accounts.load("1").version()).isEqualTo(1);
        }

        @Test
        void the_events_carry_the_commands_correlation_and_causation() {
            UUID commandId = UUID.randomUUID();
            UUID correlation = UUID.randomUUID();
            EventMetadata metadata = new EventMetadata(
                            correlation,
                            commandId,
                            java.util.Optional.empty(),
                            java.util.Optional.empty(),
                            Instant.EPOCH,
                            java.util.Map.of())
                    .withUser("ada");
            clock.advance(Duration.ofMinutes(5));

            accounts.handle("1", new Open("ada"), metadata, ConflictRetry.NONE);

            RecordedEvent recorded = store.streamEvents("account-1").toList().get(0);
            EventMetadata stored = SERIALIZER.readMetadata(recorded);
            assertThat(stored.correlationId()).isEqualTo(correlation);
            assertThat(stored.causationId()).isEqualTo(commandId);
            assertThat(stored.userId()).contains("ada");
            assertThat(stored.occurredAt()).isEqualTo(clock.instant());
        }
    }

    @Nested
    class Version_conflicts {

        /** A decider that lets another writer deposit once, between its load and its append. */
        private DeciderRepository<Command, Event, State> racing(AtomicBoolean raced) {
            Decider<Command, Event, State> racy = Decider.of(
                    BankAccount::initial,
                    (command, state) -> {
                        if (raced.compareAndSet(false, true)) {
                            handle("1", new Deposit(1));
                        }
                        return BankAccount.decide(command, state);
                    },
                    BankAccount::evolve);
            return DeciderRepository.builder(store, SERIALIZER, "account", racy, Event.class)
                    .build();
        }

        @Test
        void reach_the_caller_naming_both_versions_when_the_command_is_not_safe_to_retry() {
            handle("1", new Open("ada"));
            var repository = racing(new AtomicBoolean());

            assertThatThrownBy(() -> repository.handle("1", new Deposit(5), command(), ConflictRetry.NONE))
                    .isInstanceOf(WrongExpectedVersionException.class)
                    .hasMessage("stream account-1: expected version 0 but it is at version 1");
        }

        @Test
        void are_decided_again_on_the_newer_state_when_the_command_is_safe_to_retry() {
            handle("1", new Open("ada"));
            var repository = racing(new AtomicBoolean());

            Outcome<Event> outcome = repository.handle("1", new Deposit(5), command(), ConflictRetry.DEFAULT);

            assertThat(outcome.attempts()).isEqualTo(2);
            assertThat(outcome.version()).isEqualTo(2);
            assertThat(accounts.load("1").state().balance()).isEqualTo(6);
        }
    }

    @Nested
    class Retried_commands {

        @Test
        void a_retry_whose_events_lie_behind_a_snapshot_returns_the_first_outcome() {
            var withSnapshots = DeciderRepository.builder(
                            store, SERIALIZER, "account", BankAccount.DECIDER, Event.class)
                    .snapshots(SnapshotStore.inMemory(), SnapshotPolicy.everyEvents(5), State.class, 1)
                    .build();
            EventMetadata open = command();
            Outcome<Event> first = withSnapshots.handle("1", new Open("ada"), open, ConflictRetry.NONE);
            for (int i = 0; i < 12; i++) {
                withSnapshots.handle("1", new Deposit(1), command(), ConflictRetry.NONE);
            }

            // decided again, Open on an open account changes nothing: the answer comes from the stored event
            Outcome<Event> retried = withSnapshots.handle("1", new Open("ada"), open, ConflictRetry.NONE);

            assertThat(retried.duplicate()).isTrue();
            assertThat(retried.version()).isZero();
            assertThat(retried.position()).isEqualTo(first.position());
            assertThat(retried.events()).containsExactly(new Opened("ada"));
        }

        @Test
        void a_retry_that_the_state_now_rejects_returns_the_first_outcome() {
            handle("1", new Open("ada"));
            handle("1", new Deposit(10));
            EventMetadata withdraw = command();
            Outcome<Event> first = accounts.handle("1", new Withdraw(10), withdraw, ConflictRetry.NONE);

            Outcome<Event> retried = accounts.handle("1", new Withdraw(10), withdraw, ConflictRetry.NONE);

            assertThat(retried)
                    .isEqualTo(new Outcome<>(
                            "account-1", List.of(new Withdrawn(10)), first.version(), first.position(), 1, true));
            assertThat(accounts.load("1").state().balance()).isZero();
        }

        @Test
        void racing_runs_of_one_command_append_its_events_once() throws Exception {
            handle("1", new Open("ada"));
            EventMetadata deposit = command();
            List<java.util.concurrent.Future<Outcome<Event>>> runs = new java.util.ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
                for (int i = 0; i < 8; i++) {
                    runs.add(pool.submit(() -> accounts.handle("1", new Deposit(5), deposit, ConflictRetry.DEFAULT)));
                }
            }

            for (var run : runs) {
                assertThat(run.get().version()).isEqualTo(1);
            }
            assertThat(accounts.load("1").state().balance()).isEqualTo(5);
            assertThat(store.streamEvents("account-1").count()).isEqualTo(2);
        }

        @Test
        void a_command_at_a_stale_expected_version_is_refused_without_deciding() {
            handle("1", new Open("ada"));
            handle("1", new Deposit(1));

            assertThatThrownBy(() ->
                            accounts.handle("1", new Deposit(5), command(), io.factum.core.ExpectedVersion.exactly(0)))
                    .isInstanceOf(WrongExpectedVersionException.class)
                    .hasMessage("stream account-1: expected version 0 but it is at version 1");
            assertThat(accounts.load("1").state().balance()).isEqualTo(1);
        }
    }

    @Nested
    class Temporal_loads {

        @Test
        void give_the_state_as_of_a_version_and_as_of_a_time() {
            handle("1", new Open("ada"));
            clock.advance(Duration.ofHours(1));
            handle("1", new Deposit(100));
            Instant tuesday = clock.instant();
            clock.advance(Duration.ofDays(1));
            handle("1", new Withdraw(30));

            assertThat(accounts.loadAtVersion("1", 1).state()).isEqualTo(new State(true, 100));
            assertThat(accounts.loadAtVersion("1", 0).state()).isEqualTo(new State(true, 0));
            assertThat(accounts.loadAsOf("1", tuesday).state()).isEqualTo(new State(true, 100));
            assertThat(accounts.loadAsOf("1", tuesday).version()).isEqualTo(1);
            assertThat(accounts.loadAsOf("1", Instant.EPOCH).isNew()).isTrue();
            assertThat(accounts.load("1").state()).isEqualTo(new State(true, 70));
        }

        @Test
        void tell_what_was_recorded_at_a_time_from_what_was_in_effect_then() {
            // Monday: opened; Tuesday: a deposit of 100 recorded
            handle("1", new Open("ada"));
            Instant monday = clock.instant();
            clock.advance(Duration.ofDays(1));
            handle("1", new Deposit(100));
            Instant tuesday = clock.instant();
            clock.advance(Duration.ofDays(1));
            // Wednesday: a withdrawal of 30 that the bank made on Monday evening, entered late (retrospective)
            Instant mondayEvening = monday.plus(Duration.ofHours(10));
            accounts.handle("1", new Withdraw(30), command().effectiveAt(mondayEvening), ConflictRetry.NONE);
            Instant wednesday = clock.instant();

            // recorded time: on Tuesday nobody knew of the withdrawal
            assertThat(accounts.loadAsOf("1", tuesday).state()).isEqualTo(new State(true, 100));
            // effective time, as known now: the withdrawal was in effect on Tuesday, the deposit not on Monday night
            assertThat(accounts.loadEffectiveAt("1", tuesday).state()).isEqualTo(new State(true, 70));
            assertThat(accounts.loadEffectiveAt("1", mondayEvening).state()).isEqualTo(new State(true, -30));
            assertThat(accounts.loadEffectiveAt("1", monday).state()).isEqualTo(new State(true, 0));
            // both axes: what the books said on Tuesday about Tuesday, and what they say on Wednesday
            assertThat(accounts.loadAsOf("1", tuesday, tuesday).state()).isEqualTo(new State(true, 100));
            assertThat(accounts.loadAsOf("1", wednesday, tuesday).state()).isEqualTo(new State(true, 70));
            // the event keeps both times
            var withdrawal = store.streamEvents("account-1").toList().getLast();
            var metadata = SERIALIZER.readMetadata(withdrawal);
            assertThat(metadata.effectiveAt()).hasValue(mondayEvening);
            assertThat(metadata.occurredAt()).isEqualTo(wednesday);
            assertThat(metadata.effectiveTime()).isEqualTo(mondayEvening);
        }
    }

    @Nested
    class Snapshots {

        private final SnapshotStore snapshots = SnapshotStore.inMemory();

        private DeciderRepository<Command, Event, State> withSnapshots(int schemaVersion) {
            return DeciderRepository.builder(store, SERIALIZER, "account", BankAccount.DECIDER, Event.class)
                    .snapshots(snapshots, SnapshotPolicy.everyEvents(10), State.class, schemaVersion)
                    .build();
        }

        private void deposits(int count) {
            handle("1", new Open("ada"));
            for (int i = 0; i < count; i++) {
                handle("1", new Deposit(1));
            }
        }

        @Test
        void are_taken_by_the_policy_and_used_by_the_next_load() {
            deposits(24);
            var repository = withSnapshots(1);

            Loaded<State> first = repository.load("1");
            Loaded<State> second = repository.load("1");

            assertThat(first.eventsReplayed()).isEqualTo(25);
            assertThat(snapshots.load("account-1").orElseThrow().version()).isEqualTo(24);
            assertThat(second.eventsReplayed()).isZero();
            assertThat(second.state()).isEqualTo(first.state()).isEqualTo(new State(true, 24));
            assertThat(second.version()).isEqualTo(24);
            assertThat(second.position()).isEqualTo(first.position());
        }

        @Test
        void then_only_the_events_after_it_are_replayed() {
            deposits(24);
            var repository = withSnapshots(1);
            repository.load("1");
            repository.handle("1", new Deposit(5), command(), ConflictRetry.NONE);

            Loaded<State> loaded = repository.load("1");

            assertThat(loaded.eventsReplayed()).isEqualTo(1);
            assertThat(loaded.state()).isEqualTo(new State(true, 29));
        }

        @Test
        void are_written_with_the_serializers_own_mapper() {
            // failed before: snapshots were written with Factum's default mapper whatever the serializer's
            var snakeCase = EventSerializer.of(
                    EventTypes.builder().registerSealed(Event.class).build(),
                    EventSerializer.defaultMapper()
                            .copy()
                            .setPropertyNamingStrategy(PropertyNamingStrategies.UPPER_SNAKE_CASE));
            var repository = DeciderRepository.builder(store, snakeCase, "account", BankAccount.DECIDER, Event.class)
                    .snapshots(snapshots, SnapshotPolicy.everyEvents(10), State.class, 1)
                    .build();
            repository.handle("1", new Open("ada"), command(), ConflictRetry.NONE);
            for (int i = 0; i < 24; i++) {
                repository.handle("1", new Deposit(1), command(), ConflictRetry.NONE);
            }

            repository.load("1");

            assertThat(snapshots.load("account-1").orElseThrow().data()).matches("\\{\"OPEN\":true,\"BALANCE\":\\d+}");
            assertThat(repository.load("1").state()).isEqualTo(new State(true, 24));
        }

        @Test
        void of_another_schema_version_are_ignored_and_rebuilt() {
            deposits(24);
            withSnapshots(1).load("1");

            Loaded<State> loaded = withSnapshots(2).load("1");

            assertThat(loaded.eventsReplayed()).isEqualTo(25);
            assertThat(loaded.state()).isEqualTo(new State(true, 24));
            assertThat(snapshots.load("account-1").orElseThrow().schemaVersion())
                    .isEqualTo(2);
        }

        @Test
        void are_not_used_when_reads_hide_events_they_hold() {
            deposits(24);
            var repository = withSnapshots(1);
            repository.load("1");
            store.deleteStream("account-1", io.factum.core.ExpectedVersion.any());
            handle("1", new Open("bob"));

            Loaded<State> loaded = repository.load("1");

            assertThat(loaded.state()).isEqualTo(accounts.load("1").state()).isEqualTo(new State(true, 0));
            assertThat(loaded.eventsReplayed()).isEqualTo(1);
        }

        @Test
        void that_cannot_be_kept_do_not_fail_the_load() {
            deposits(24);
            SnapshotStore failing = new SnapshotStore() {
                @Override
                public java.util.Optional<Snapshot> load(String streamId) {
                    return java.util.Optional.empty();
                }

                @Override
                public void save(Snapshot snapshot) {
                    throw new io.factum.core.StoreException("the database is busy");
                }
            };
            var repository = DeciderRepository.builder(store, SERIALIZER, "account", BankAccount.DECIDER, Event.class)
                    .snapshots(failing, SnapshotPolicy.everyEvents(10), State.class, 1)
                    .build();

            assertThat(repository.load("1").state()).isEqualTo(new State(true, 24));
        }

        @Test
        void are_never_taken_for_a_short_stream() {
            deposits(3);
            withSnapshots(1).load("1");
            assertThat(snapshots.load("account-1")).isEmpty();
        }
    }

    @Test
    void rejects_a_category_with_a_dash() {
        assertThatThrownBy(() ->
                        DeciderRepository.builder(store, SERIALIZER, "bank-account", BankAccount.DECIDER, Event.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an aggregate category must be non-empty and contain no '-', got 'bank-account'");
    }

    @Test
    void folds_events_with_the_decider() {
        assertThat(BankAccount.DECIDER.fold(BankAccount.initial(), List.of(new Opened("x"), new Deposited(3))))
                .isEqualTo(new State(true, 3));
        assertThat(BankAccount.DECIDER.evolve(new State(true, 3), new Deposited(2)))
                .isEqualTo(new State(true, 5));
    }
}
