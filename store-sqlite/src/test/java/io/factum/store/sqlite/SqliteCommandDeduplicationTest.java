package io.factum.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.aggregate.Decider;
import io.factum.core.aggregate.DeciderRepository;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandHandler;
import io.factum.core.command.CommandResult;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command's deduplication by its events' ids (derived from the command id) holds across a restart of the
 * process's store: no command log is needed.
 */
class SqliteCommandDeduplicationTest {

    record Add(String counter, int amount) {}

    sealed interface Event {}

    record Added(int amount) implements Event {}

    static final Decider<Add, Event, Integer> COUNTER =
            Decider.of(() -> 0, (add, total) -> List.of(new Added(add.amount())), (total, event) -> switch (event) {
                case Added added -> total + added.amount();
            });

    private static CommandBus bus(SqliteStore store) {
        EventSerializer serializer = EventSerializer.of(
                EventTypes.builder().registerSealed(Event.class).build());
        var counters = DeciderRepository.builder(store, serializer, "counter", COUNTER, Event.class)
                .build();
        return CommandBus.builder()
                .handle(Add.class, CommandHandler.decide(counters, Add::counter))
                .build();
    }

    @Test
    void a_command_retried_after_a_restart_returns_its_first_result_and_adds_nothing(@TempDir Path dir) {
        Path file = dir.resolve("commands.db");
        CommandContext context = CommandContext.create();
        CommandResult first;
        try (SqliteStore store = SqliteStore.open(file)) {
            first = bus(store).send(new Add("a", 5), context);
        }

        try (SqliteStore reopened = SqliteStore.open(file)) {
            CommandResult retried = bus(reopened).send(new Add("a", 5), context);

            assertThat(retried).isEqualTo(((CommandResult.Accepted) first).asDuplicate());
            assertThat(reopened.streamEvents("counter-a").count()).isEqualTo(1);
            assertThat(reopened.headPosition())
                    .as("nothing but the command's event")
                    .isEqualTo(((CommandResult.Accepted) first).position());
        }
    }
}
