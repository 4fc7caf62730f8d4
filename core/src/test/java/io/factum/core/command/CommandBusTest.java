package io.factum.core.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventStore;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.aggregate.ConflictRetry;
import io.factum.core.aggregate.Decider;
import io.factum.core.aggregate.DeciderRepository;
import io.factum.core.aggregate.RuleViolation;
import io.factum.core.observation.Observed;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class CommandBusTest {

    sealed interface CounterCommand {}

    record Increment(String counterId, int by) implements CounterCommand {}

    record Reset(String counterId) implements CounterCommand {}

    sealed interface CounterEvent {}

    record Incremented(int by) implements CounterEvent {}

    record WasReset() implements CounterEvent {}

    static final Decider<CounterCommand, CounterEvent, Integer> COUNTER = Decider.of(
            () -> 0,
            (command, total) -> switch (command) {
                case Increment increment
                when total + increment.by() > 100 ->
                    throw new RuleViolation(
                            "at-most-100", "the counter would reach " + (total + increment.by()) + ", more than 100");
                case Increment increment -> List.of(new Incremented(increment.by()));
                case Reset reset -> total == 0 ? List.of() : List.of(new WasReset());
            },
            (total, event) -> switch (event) {
                case Incremented incremented -> total + incremented.by();
                case WasReset reset -> 0;
            });

    private final EventStore store = EventStore.inMemory();
    private final EventSerializer serializer = EventSerializer.of(
            EventTypes.builder().registerSealed(CounterEvent.class).build());
    private final DeciderRepository<CounterCommand, CounterEvent, Integer> counters = DeciderRepository.builder(
                    store, serializer, "counter", COUNTER, CounterEvent.class)
            .build();

    private CommandBus.Builder bus() {
        return CommandBus.builder()
                .handle(Increment.class, CommandHandler.decide(counters, Increment::counterId, ConflictRetry.DEFAULT))
                .handle(Reset.class, CommandHandler.decide(counters, Reset::counterId, ConflictRetry.NONE))
                .expectHandlersFor(CounterCommand.class);
    }

    /**
     * Counters whose decider, the first time it runs, has {@code writer} increment counter a by 1 first: a
     * writer slipping in between the load and the append.
     */
    private DeciderRepository<CounterCommand, CounterEvent, Integer> racyCounters(CommandBus writer) {
        AtomicBoolean raced = new AtomicBoolean();
        Decider<CounterCommand, CounterEvent, Integer> racy = Decider.of(
                () -> 0,
                (command, total) -> {
                    if (raced.compareAndSet(false, true)) {
                        writer.send(new Increment("a", 1), CommandContext.create());
                    }
                    return COUNTER.decide(command, total);
                },
                COUNTER.evolve());
        return DeciderRepository.builder(store, serializer, "counter", racy, CounterEvent.class)
                .build();
    }

    @Nested
    class Results {

        private final CommandBus bus = bus().build();

        @Test
        void an_accepted_command_reports_stream_version_and_position() {
            bus.send(new Increment("a", 1), CommandContext.create());
            CommandContext context = CommandContext.create();

            CommandResult result = bus.send(new Increment("a", 2), context);

            assertThat(result)
                    .isEqualTo(new CommandResult.Accepted(
                            context.commandId(), "counter-a", 1, store.headPosition(), 1, false));
        }

        @Test
        void a_command_that_changes_nothing_is_accepted_with_no_events() {
            CommandResult result = bus.send(new Reset("a"), CommandContext.create());
            assertThat(result).isInstanceOfSatisfying(CommandResult.Accepted.class, a -> {
                assertThat(a.eventCount()).isZero();
                assertThat(a.version()).isEqualTo(-1);
                assertThat(a.position()).isEqualTo(Position.START);
            });
        }

        @Test
        void a_business_rule_rejection_is_a_typed_result() {
            bus.send(new Increment("a", 90), CommandContext.create());
            CommandContext context = CommandContext.create();

            assertThat(bus.send(new Increment("a", 20), context))
                    .isEqualTo(new CommandResult.Rejected(
                            context.commandId(), "at-most-100", "the counter would reach 110, more than 100", false));
            assertThat(store.streamEvents("counter-a").count()).isEqualTo(1);
        }

        @Test
        void an_exception_of_the_domains_own_told_to_the_bus_is_a_rejection() {
            final class TooLarge extends RuntimeException {
                TooLarge(String message) {
                    super(message);
                }
            }
            final class Unknown extends IllegalStateException {
                Unknown(String message) {
                    super(message);
                }
            }
            Decider<CounterCommand, CounterEvent, Integer> plain = Decider.of(
                    () -> 0,
                    (command, total) -> switch (command) {
                        case Increment increment
                        when increment.by() > 10 -> throw new TooLarge("steps of at most 10, got " + increment.by());
                        case Increment increment when increment.by() < 0 -> throw new Unknown("negative step");
                        case Increment increment -> List.of(new Incremented(increment.by()));
                        case Reset reset -> List.of();
                    },
                    COUNTER.evolve());
            var repository = DeciderRepository.builder(store, serializer, "plain", plain, CounterEvent.class)
                    .build();
            CommandBus plainBus = CommandBus.builder()
                    .handle(Increment.class, CommandHandler.decide(repository, Increment::counterId))
                    .rejection(TooLarge.class)
                    .rejection(
                            IllegalStateException.class,
                            e -> "state-" + e.getMessage().length())
                    .build();
            CommandContext context = CommandContext.create();

            assertThat(plainBus.send(new Increment("a", 11), context))
                    .isEqualTo(new CommandResult.Rejected(
                            context.commandId(), "too-large", "steps of at most 10, got 11", false));
            assertThat(plainBus.send(new Increment("a", -1), context))
                    .as("a subtype of a named type, with the rule from the exception")
                    .isEqualTo(new CommandResult.Rejected(context.commandId(), "state-13", "negative step", false));
            assertThat(store.streamEvents("plain-a").count()).isZero();
        }

        @Test
        void an_exception_the_bus_was_not_told_about_is_a_failure_of_the_system() {
            CommandBus failing = CommandBus.builder()
                    .handle(Increment.class, (command, context) -> {
                        throw new IllegalStateException("disk on fire");
                    })
                    .rejection(IllegalArgumentException.class)
                    .build();

            assertThatThrownBy(() -> failing.send(new Increment("a", 1), CommandContext.create()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("disk on fire");
        }

        @Test
        void the_stores_conflicts_cannot_be_named_rejections() {
            assertThatThrownBy(() -> CommandBus.builder().rejection(RuntimeException.class))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("include the store's conflicts");
        }

        @Test
        void a_handler_that_touches_no_aggregate_returns_a_plain_result() {
            record Ping(String to) {}
            CommandBus pinging = CommandBus.builder()
                    .handle(Ping.class, (command, context) -> "pong from " + command.to())
                    .build();
            CommandContext context = CommandContext.create();

            assertThat(pinging.send(new Ping("b"), context))
                    .isEqualTo(new CommandResult.Completed(context.commandId(), "pong from b", false));
        }

        @Test
        void a_version_conflict_is_a_typed_result_naming_both_versions() {
            var racyCounters = racyCounters(bus);
            CommandBus racing = CommandBus.builder()
                    .handle(Reset.class, CommandHandler.decide(racyCounters, Reset::counterId, ConflictRetry.NONE))
                    .build();
            bus.send(new Increment("a", 3), CommandContext.create());
            CommandContext context = CommandContext.create();

            assertThat(racing.send(new Reset("a"), context))
                    .isEqualTo(new CommandResult.Conflict(
                            context.commandId(),
                            "counter-a",
                            "stream counter-a: expected version 0 but it is at version 1"));
        }

        @Test
        void events_carry_the_commands_correlation_and_name_it_as_their_cause() {
            UUID commandId = UUID.randomUUID();
            bus.send(new Increment("a", 1), CommandContext.of(commandId).withUser("ada"));

            RecordedEvent recorded = store.streamEvents("counter-a").toList().get(0);
            EventMetadata metadata = serializer.readMetadata(recorded);
            assertThat(metadata.correlationId()).isEqualTo(commandId);
            assertThat(metadata.causationId()).isEqualTo(commandId);
            assertThat(metadata.userId()).contains("ada");

            // a process manager reacting to that event sends the next command in the same transaction
            UUID next = UUID.randomUUID();
            bus.send(new Increment("b", 1), CommandContext.causedBy(metadata, recorded.eventId(), next));
            EventMetadata followUp = serializer.readMetadata(
                    store.streamEvents("counter-b").toList().get(0));
            assertThat(followUp.correlationId()).isEqualTo(commandId);
            assertThat(followUp.causationId()).isEqualTo(next);
            assertThat(followUp.userId()).contains("ada");
        }
    }

    @Nested
    class Wiring {

        @Test
        void a_second_handler_for_a_command_is_refused() {
            assertThatThrownBy(() -> bus().handle(Increment.class, (command, context) -> {
                        throw new AssertionError("never called");
                    }))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("command " + Increment.class.getName()
                            + " has two handlers; a command type has exactly one");
        }

        @Test
        void a_command_without_a_handler_fails_at_start_up() {
            assertThatThrownBy(() -> CommandBus.builder()
                            .handle(
                                    Increment.class,
                                    CommandHandler.decide(counters, Increment::counterId, ConflictRetry.NONE))
                            .expectHandlersFor(CounterCommand.class)
                            .build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("commands without a handler: [" + Reset.class.getName()
                            + "]; register one with CommandBus.builder().handle(type, handler)");
        }

        @Test
        void an_unknown_command_fails_loudly() {
            assertThatThrownBy(() -> bus().build().send("hello", CommandContext.create()))
                    .isInstanceOf(NoHandlerException.class)
                    .hasMessage("no handler for command java.lang.String; known commands: [Increment, Reset]");
        }
    }

    @Nested
    class Middleware_chain {

        @Test
        void validation_names_every_violated_field_and_runs_nothing() {
            Validator<Increment> increment = Validator.of(Increment.class)
                    .require("counterId", c -> !c.counterId().isBlank(), "must not be blank")
                    .require("by", c -> c.by() > 0, c -> "must be more than 0, got " + c.by());
            CommandBus bus =
                    bus().use(Validation.middleware(List.of(increment))).build();
            CommandContext context = CommandContext.create();

            CommandResult result = bus.send(new Increment(" ", -5), context);

            assertThat(result)
                    .isEqualTo(new CommandResult.Invalid(
                            context.commandId(),
                            List.of(
                                    new FieldViolation("counterId", "must not be blank"),
                                    new FieldViolation("by", "must be more than 0, got -5"))));
            assertThat(store.headPosition()).isEqualTo(Position.START);
        }

        @Test
        void authorization_can_refuse_a_command() {
            Authorization onlyAdmins = (command, context) ->
                    context.userId().filter("admin"::equals).isPresent() || !(command instanceof Reset)
                            ? Optional.empty()
                            : Optional.of("only admins may reset counters");
            CommandBus bus = bus().use(onlyAdmins.middleware()).build();
            CommandContext context = CommandContext.create().withUser("ada");

            assertThat(bus.send(new Reset("a"), context))
                    .isEqualTo(new CommandResult.Forbidden(context.commandId(), "only admins may reset counters"));
            assertThat(bus.send(new Reset("a"), CommandContext.create().withUser("admin")))
                    .isInstanceOf(CommandResult.Accepted.class);
        }

        @Test
        void metrics_time_and_count_commands_by_type_and_outcome() {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            CommandBus bus =
                    bus().use(Observed.commands(Observed.withMetrics(registry))).build();

            bus.send(new Increment("a", 5), CommandContext.create());
            bus.send(new Increment("a", 5), CommandContext.create());
            bus.send(new Increment("a", 500), CommandContext.create());

            assertThat(registry.get("factum.commands")
                            .tags("command", "Increment", "outcome", "accepted")
                            .timer()
                            .count())
                    .isEqualTo(2);
            assertThat(registry.get("factum.commands")
                            .tags("command", "Increment", "outcome", "rejected")
                            .timer()
                            .count())
                    .isEqualTo(1);
        }

        @Test
        void observation_and_logging_wrap_the_handler_in_order() {
            List<String> seen = new ArrayList<>();
            ObservationRegistry observations = ObservationRegistry.create();
            observations.observationConfig().observationHandler(new ObservationHandler<>() {
                @Override
                public void onStart(Observation.Context context) {
                    seen.add("observation " + context.getContextualName());
                }

                @Override
                public boolean supportsContext(Observation.Context context) {
                    return true;
                }
            });
            CommandBus bus = CommandBus.builder()
                    .use(Observed.commands(observations))
                    .use(Observed.logging())
                    .handle(Increment.class, (command, context) -> {
                        seen.add("handler sees correlation " + MDC.get("correlationId"));
                        return counters.handle(
                                command.counterId(),
                                command,
                                context.eventMetadata(java.time.Instant.EPOCH),
                                ConflictRetry.NONE);
                    })
                    .build();
            CommandContext context = CommandContext.create();

            bus.send(new Increment("a", 1), context);

            assertThat(seen)
                    .containsExactly(
                            "observation command Increment", "handler sees correlation " + context.correlationId());
            assertThat(MDC.get("correlationId")).isNull();
        }
    }

    @Nested
    class Retries_are_answered_by_the_events_ids {

        private final CommandBus bus = bus().build();

        @Test
        void a_retried_command_returns_its_first_result_and_emits_nothing_even_after_a_restart() {
            CommandContext context = CommandContext.create();
            CommandResult original = bus.send(new Increment("a", 5), context);

            CommandBus afterRestart = CommandBus.builder()
                    .handle(
                            Increment.class,
                            CommandHandler.decide(
                                    DeciderRepository.builder(store, serializer, "counter", COUNTER, CounterEvent.class)
                                            .build(),
                                    Increment::counterId,
                                    ConflictRetry.DEFAULT))
                    .build();
            CommandResult retried = afterRestart.send(new Increment("a", 5), context);

            assertThat(retried).isEqualTo(((CommandResult.Accepted) original).asDuplicate());
            assertThat(counters.load("a").state()).isEqualTo(5);
            assertThat(store.streamEvents("counter-a").count()).isEqualTo(1);
        }

        @Test
        void a_retry_after_the_aggregate_moved_on_returns_the_first_result_not_a_new_decision() {
            CommandContext context = CommandContext.create();
            var original = (CommandResult.Accepted) bus.send(new Increment("a", 60), context);
            bus.send(new Increment("a", 30), CommandContext.create());

            // decided again now, 60 more would break the rule; but the command was handled before
            CommandResult retried = bus.send(new Increment("a", 60), context);

            assertThat(retried).isEqualTo(original.asDuplicate());
            assertThat(original.version()).isZero();
            assertThat(counters.load("a").state()).isEqualTo(90);
        }

        @Test
        void a_retry_that_would_now_append_other_events_appends_nothing() {
            CommandContext context = CommandContext.create();
            var original = (CommandResult.Accepted) bus.send(new Increment("a", 5), context);
            bus.send(new Increment("a", 5), CommandContext.create());

            assertThat(bus.send(new Increment("a", 5), context)).isEqualTo(original.asDuplicate());
            assertThat(bus.send(new Increment("a", 5), context)).isEqualTo(original.asDuplicate());
            assertThat(counters.load("a").state()).isEqualTo(10);
        }

        @Test
        void a_retried_rejection_is_decided_again_since_it_wrote_nothing() {
            bus.send(new Increment("a", 90), CommandContext.create());
            CommandContext context = CommandContext.create();
            assertThat(bus.send(new Increment("a", 20), context)).isInstanceOf(CommandResult.Rejected.class);
            bus.send(new Reset("a"), CommandContext.create());

            assertThat(bus.send(new Increment("a", 20), context))
                    .isInstanceOfSatisfying(CommandResult.Accepted.class, a -> assertThat(a.duplicate())
                            .isFalse());
            assertThat(counters.load("a").state()).isEqualTo(20);
        }

        @Test
        void no_command_log_stream_is_written() {
            bus.send(new Increment("a", 5), CommandContext.create());

            assertThat(store.headPosition()).isEqualTo(Position.of(1));
        }
    }

    @Nested
    class Expected_versions {

        private final CommandBus bus = bus().build();

        @Test
        void a_command_at_the_version_its_sender_saw_is_accepted() {
            bus.send(new Increment("a", 1), CommandContext.create());

            assertThat(bus.send(new Increment("a", 2), CommandContext.create().withExpectedVersion(0)))
                    .isInstanceOfSatisfying(CommandResult.Accepted.class, a -> assertThat(a.version())
                            .isEqualTo(1));
        }

        @Test
        void a_stale_version_is_a_conflict_and_is_not_decided_again() {
            bus.send(new Increment("a", 1), CommandContext.create());
            bus.send(new Increment("a", 1), CommandContext.create());
            CommandContext context = CommandContext.create().withExpectedVersion(0);

            assertThat(bus.send(new Increment("a", 2), context))
                    .isEqualTo(new CommandResult.Conflict(
                            context.commandId(),
                            "counter-a",
                            "stream counter-a: expected version 0 but it is at version 1"));
            assertThat(counters.load("a").state()).isEqualTo(2);
        }

        @Test
        void a_new_aggregate_is_expected_with_minus_one() {
            assertThat(bus.send(new Increment("b", 2), CommandContext.create().withExpectedVersion(-1)))
                    .isInstanceOf(CommandResult.Accepted.class);
            assertThat(bus.send(new Increment("b", 2), CommandContext.create().withExpectedVersion(-1)))
                    .isInstanceOf(CommandResult.Conflict.class);
        }

        @Test
        void a_writer_that_slips_in_after_the_load_is_caught_by_the_store() {
            var racyCounters = racyCounters(bus);
            CommandBus racing = CommandBus.builder()
                    .handle(
                            Increment.class,
                            CommandHandler.decide(racyCounters, Increment::counterId, ConflictRetry.DEFAULT))
                    .build();
            bus.send(new Increment("a", 3), CommandContext.create());

            assertThat(racing.send(
                            new Increment("a", 5), CommandContext.create().withExpectedVersion(0)))
                    .isInstanceOf(CommandResult.Conflict.class);
            assertThat(counters.load("a").state()).isEqualTo(4);
        }

        @Test
        void a_retry_with_a_version_that_is_stale_by_now_returns_the_first_result() {
            bus.send(new Increment("a", 1), CommandContext.create());
            CommandContext context = CommandContext.create().withExpectedVersion(0);
            var original = (CommandResult.Accepted) bus.send(new Increment("a", 2), context);

            assertThat(bus.send(new Increment("a", 2), context)).isEqualTo(original.asDuplicate());
        }
    }

    @Nested
    class A_command_log_for_handlers_that_write_no_events {

        record Notify(String counterId) {}

        @Test
        void answers_a_retry_of_a_logged_command_type_without_running_its_handler_again() {
            List<String> sent = new ArrayList<>();
            CommandBus bus = bus().handle(Notify.class, (command, context) -> {
                        sent.add(command.counterId());
                        return "notice " + sent.size();
                    })
                    .use(Deduplication.middleware(CommandLog.inEventStore(store), Notify.class))
                    .build();
            CommandContext context = CommandContext.create();

            CommandResult first = bus.send(new Notify("a"), context);
            CommandResult again = bus.send(new Notify("a"), context);

            assertThat(first).isEqualTo(new CommandResult.Completed(context.commandId(), "notice 1", false));
            assertThat(again)
                    .as("the log keeps no values")
                    .isEqualTo(new CommandResult.Completed(context.commandId(), null, true));
            assertThat(sent).containsExactly("a");
        }

        @Test
        void leaves_other_command_types_to_their_events_ids() {
            CommandBus bus = bus().use(Deduplication.middleware(CommandLog.inEventStore(store), Notify.class))
                    .build();

            bus.send(new Increment("a", 1), CommandContext.create());

            assertThat(store.headPosition()).as("no command log entry").isEqualTo(Position.of(1));
        }

        @Test
        void must_be_told_which_command_types_it_logs() {
            assertThatThrownBy(() -> Deduplication.middleware(CommandLog.inMemory()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("name the command types whose handlers write no events; commands handled by a"
                            + " repository are deduplicated by their events' ids and need no log");
        }
    }
}
