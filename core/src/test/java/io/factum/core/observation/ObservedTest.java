package io.factum.core.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandResult;
import io.factum.core.subscription.EventHandler;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.SqlProjection;
import io.micrometer.common.KeyValue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ObservedTest {

    private final TestObservationRegistry observations = TestObservationRegistry.create();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void an_append_in_a_command_is_a_child_observation_with_the_correlation_id() {
        try (EventStore store = Observed.store(EventStore.inMemory(), observations, meters)) {
            // given
            CommandContext context = CommandContext.create();

            // when
            Observed.commands(observations).handle(new PlaceOrder("order-7"), context, (command, ctx) -> {
                var result = store.append(
                        "order-7",
                        ExpectedVersion.noStream(),
                        EventData.of("Placed", "{}")
                                .withMetadata(
                                        "{\"causationId\":\"x\",\"correlationId\":\"" + ctx.correlationId() + "\"}"));
                return new CommandResult.Accepted(
                        ctx.commandId(), "order-7", result.streamVersion(), result.position(), 1, false);
            });

            // then
            TestObservationRegistryAssert.assertThat(observations)
                    .hasObservationWithNameEqualTo(Observed.APPENDS)
                    .that()
                    .hasContextualNameEqualTo("append order")
                    .hasLowCardinalityKeyValue("category", "order")
                    .hasLowCardinalityKeyValue("outcome", "ok")
                    .hasHighCardinalityKeyValue(
                            Observed.CORRELATION_ID, context.correlationId().toString())
                    .hasHighCardinalityKeyValue("factum.stream.version", "0")
                    .hasBeenStopped();
            TestObservationRegistryAssert.assertThat(observations)
                    .hasObservationWithNameEqualTo(Observed.COMMANDS)
                    .that()
                    .hasContextualNameEqualTo("command PlaceOrder")
                    .hasLowCardinalityKeyValue("command", "PlaceOrder")
                    .hasLowCardinalityKeyValue("outcome", "accepted")
                    .hasBeenStopped();
            TestObservationRegistryAssert.assertThat(observations).hasHandledContextsThatSatisfy(contexts -> {
                Observation.Context command = named(contexts, Observed.COMMANDS);
                Observation.Context append = named(contexts, Observed.APPENDS);
                assertThat(append.getParentObservation()).isNotNull();
                assertThat(append.getParentObservation().getContextView()).isSameAs(command);
            });
        }
    }

    @Test
    void a_failed_append_is_observed_as_a_conflict_with_its_error() {
        try (EventStore store = Observed.store(EventStore.inMemory(), observations, meters)) {
            store.append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}"));

            assertThatThrownBy(() -> store.append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}")))
                    .hasMessageContaining("order-1");

            TestObservationRegistryAssert.assertThat(observations)
                    .hasNumberOfObservationsWithNameEqualTo(Observed.APPENDS, 2)
                    .hasAnObservation(append -> append.hasLowCardinalityKeyValue("outcome", "conflict")
                            .hasError());
        }
    }

    @Test
    void with_metrics_appends_become_timers_tagged_by_their_low_cardinality_keys() {
        var registry = Observed.withMetrics(meters);
        try (EventStore store = Observed.store(EventStore.inMemory(), registry, meters)) {
            store.append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{\"n\":\"é\"}"));
            assertThatThrownBy(() -> store.append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}")))
                    .isNotNull();

            assertThat(meters.get("factum.appends")
                            .tags("category", "order", "outcome", "ok")
                            .timer()
                            .count())
                    .isEqualTo(1);
            assertThat(meters.get("factum.appends")
                            .tags("category", "order", "outcome", "conflict")
                            .timer()
                            .count())
                    .isEqualTo(1);
            assertThat(meters.get("factum.append.events").summary().totalAmount())
                    .isEqualTo(1);
            // {"n":"é"} is 10 bytes in UTF-8, and the metadata {} two more
            assertThat(meters.get("factum.append.bytes").summary().totalAmount())
                    .isEqualTo(12);
            assertThat(meters.get("factum.head.position").gauge().value())
                    .isEqualTo(store.headPosition().position());
        }
    }

    @Test
    void an_append_to_several_streams_is_one_observation_named_by_their_categories() {
        try (EventStore store = Observed.store(EventStore.inMemory(), observations, meters)) {
            store.append(
                    List.of(
                            new io.factum.core.StreamAppend(
                                    "stock-7", ExpectedVersion.noStream(), List.of(EventData.of("Reserved", "{}"))),
                            new io.factum.core.StreamAppend(
                                    "order-7", ExpectedVersion.noStream(), List.of(EventData.of("Confirmed", "{}")))),
                    io.factum.core.AppendCondition.none());

            TestObservationRegistryAssert.assertThat(observations)
                    .hasSingleObservationThat()
                    .hasNameEqualTo(Observed.APPENDS)
                    .hasContextualNameEqualTo("append order+stock")
                    .hasLowCardinalityKeyValue("category", "order+stock")
                    .hasLowCardinalityKeyValue("outcome", "ok")
                    .hasHighCardinalityKeyValue("factum.append.streams", "2")
                    .hasHighCardinalityKeyValue("factum.append.condition", "false")
                    .hasHighCardinalityKeyValue("factum.append.events", "2");
            assertThat(meters.get("factum.append.events").summary().totalAmount())
                    .isEqualTo(2);
        }
    }

    @Test
    void a_handler_is_observed_and_its_failure_goes_on() {
        EventHandler failing = event -> {
            throw new IllegalStateException("index down");
        };

        assertThatThrownBy(() -> Observed.handler(failing, observations, "search-index")
                        .handle(recorded(5, "{\"correlationId\":\"c-1\"}")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("index down");

        TestObservationRegistryAssert.assertThat(observations)
                .hasSingleObservationThat()
                .hasNameEqualTo(Observed.HANDLERS)
                .hasContextualNameEqualTo("handle search-index")
                .hasLowCardinalityKeyValue("handler", "search-index")
                .hasHighCardinalityKeyValue(Observed.CORRELATION_ID, "c-1")
                .hasHighCardinalityKeyValue("factum.position", "5")
                .hasError();
    }

    @Test
    void a_sql_projection_batch_is_observed_with_its_size_and_positions() throws Exception {
        List<Integer> applied = new ArrayList<>();
        SqlProjection counting = new SqlProjection() {
            @Override
            public String name() {
                return "summary";
            }

            @Override
            public int version() {
                return 3;
            }

            @Override
            public void create(Connection c, ProjectionContext x) {}

            @Override
            public void apply(Connection c, ProjectionContext x, RecordedEvent e) {
                applied.add((int) e.position().position());
            }

            @Override
            public void drop(Connection c, ProjectionContext x) {}
        };
        SqlProjection observed = Observed.projection(counting, observations);
        List<RecordedEvent> batch = List.of(recorded(7, "{\"correlationId\":\"c-9\"}"), recorded(8, "{}"));

        observed.applyAll(null, new ProjectionContext("summary", 3, false), batch);

        assertThat(applied).containsExactly(7, 8);
        assertThat(observed.name()).isEqualTo("summary");
        assertThat(observed.version()).isEqualTo(3);
        TestObservationRegistryAssert.assertThat(observations)
                .hasSingleObservationThat()
                .hasNameEqualTo(Observed.PROJECTIONS)
                .hasContextualNameEqualTo("project summary")
                .hasHighCardinalityKeyValue(KeyValue.of("factum.batch.size", "2"))
                .hasHighCardinalityKeyValue("factum.position.first", "7")
                .hasHighCardinalityKeyValue("factum.position.last", "8")
                .hasHighCardinalityKeyValue(Observed.CORRELATION_ID, "c-9")
                .doesNotHaveError();
    }

    @Test
    void finds_the_correlation_id_only_at_the_top_of_the_metadata() {
        assertThat(Observed.correlationId("{\"a\":{\"correlationId\":\"nested\"},\"correlationId\":\"top\"}"))
                .hasValue("top");
        assertThat(Observed.correlationId("{\"a\":{\"correlationId\":\"nested\"}}"))
                .isEmpty();
        assertThat(Observed.correlationId("not json correlationId")).isEmpty();
        assertThat(Observed.correlationId("{}")).isEmpty();
    }

    @Test
    void the_trace_context_current_in_a_command_goes_into_its_events_metadata_unless_the_sender_gave_one() {
        String current = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        List<CommandContext> seen = new ArrayList<>();
        var middleware = Observed.traceContext(() -> java.util.Optional.of(current));
        CommandContext plain = CommandContext.create();
        CommandContext sent = CommandContext.create()
                .withEntry(Observed.TRACEPARENT, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

        for (CommandContext context : List.of(plain, sent)) {
            middleware.handle(new PlaceOrder("order-1"), context, (command, ctx) -> {
                seen.add(ctx);
                return new CommandResult.Completed(ctx.commandId(), null, false);
            });
        }

        assertThat(seen.get(0).eventMetadata(Instant.EPOCH).entries()).containsEntry(Observed.TRACEPARENT, current);
        assertThat(seen.get(0).commandId()).isEqualTo(plain.commandId());
        assertThat(seen.get(1)).isSameAs(sent);
    }

    @Test
    void a_value_that_is_not_a_w3c_traceparent_is_not_written() {
        for (String broken : List.of(
                "",
                "not a trace",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")) {
            CommandContext context = CommandContext.create();
            List<CommandContext> seen = new ArrayList<>();

            Observed.traceContext(() -> java.util.Optional.of(broken))
                    .handle(new PlaceOrder("order-1"), context, (command, ctx) -> {
                        seen.add(ctx);
                        return new CommandResult.Completed(ctx.commandId(), null, false);
                    });

            assertThat(seen.get(0).entries()).as(broken).doesNotContainKey(Observed.TRACEPARENT);
        }
    }

    private static Observation.Context named(List<Observation.Context> contexts, String name) {
        return contexts.stream()
                .filter(c -> name.equals(c.getName()))
                .findFirst()
                .orElseThrow();
    }

    private static RecordedEvent recorded(long position, String metadata) {
        return new RecordedEvent(
                UUID.randomUUID(),
                "order-" + position,
                0,
                Position.of(position),
                "Placed",
                1,
                "{}",
                metadata,
                Instant.EPOCH);
    }

    record PlaceOrder(String id) {}
}
