package io.factum.testkit.tck;

import io.factum.core.EventStore;
import io.factum.core.aggregate.ConflictRetry;
import io.factum.core.aggregate.Decider;
import io.factum.core.aggregate.DeciderRepository;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandHandler;
import io.factum.core.command.CommandResult;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The command sender of {@link CommandCrashContract}: runs in a child JVM, sends the commands {@code 0 ..
 * count-1} from four threads through a command bus (each command adds to one of a few tallies, so the
 * threads race on the same aggregates), and prints one line per answer, after the bus returned:
 *
 * <pre>DONE index version txId/position duplicate</pre>
 *
 * With {@code -Dfactum.tck.halt=<index>} the JVM halts right after the command {@code index} was
 * appended and before its answer is printed: a crash between the append and the answer.
 */
final class CommandCrashChild {

    /** The system property with the number of commands to send. */
    static final String COUNT_PROPERTY = "factum.tck.commands";

    /** The system property with the index of the command after whose append the JVM halts. */
    static final String HALT_PROPERTY = "factum.tck.halt";

    /** The number of tallies (aggregates) the commands go to. */
    static final int TALLIES = 5;

    private static final int SENDERS = 4;

    /** Adds {@code amount} to a tally; command {@code index} of the test. */
    record Add(String tally, int index, int amount) {}

    /** The events of a tally. */
    sealed interface TallyEvent {}

    /** What every command appends. */
    record Added(int index, int amount) implements TallyEvent {}

    /** What every third command appends as well: a command of two events. */
    record Counted(int index) implements TallyEvent {}

    static final Decider<Add, TallyEvent, Long> TALLY = Decider.of(
            () -> 0L,
            (add, total) -> add.index() % 3 == 0
                    ? List.of(new Added(add.index(), add.amount()), new Counted(add.index()))
                    : List.of(new Added(add.index(), add.amount())),
            (total, event) -> switch (event) {
                case Added added -> total + added.amount();
                case Counted counted -> total;
            });

    static final EventSerializer SERIALIZER = EventSerializer.of(
            EventTypes.builder().registerSealed(TallyEvent.class).build());

    private CommandCrashChild() {}

    /** The bus both the child and the test's final retry use. */
    static CommandBus bus(EventStore store) {
        var tallies = DeciderRepository.builder(store, SERIALIZER, "tally", TALLY, TallyEvent.class)
                .build();
        return CommandBus.builder()
                .handle(Add.class, CommandHandler.decide(tallies, Add::tally, ConflictRetry.DEFAULT))
                .build();
    }

    /** Command {@code index}: always the same tally, amount and id. */
    static CommandResult send(CommandBus bus, int index) {
        return bus.send(
                new Add("t" + index % TALLIES, index, index + 1),
                CommandContext.of(UUID.nameUUIDFromBytes(("crash-command-" + index).getBytes(StandardCharsets.UTF_8))));
    }

    /** Sends every command, then waits to be killed. */
    static void sendUntilKilled(EventStore store) {
        int count = Integer.getInteger(COUNT_PROPERTY, 200);
        int halt = Integer.getInteger(HALT_PROPERTY, -1);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        CommandBus bus = bus(store);
        out.println("READY");
        out.flush();
        List<Thread> senders = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            int first = s;
            senders.add(Thread.ofPlatform().start(() -> {
                for (int index = first; index < count; index += SENDERS) {
                    var accepted = (CommandResult.Accepted) send(bus, index);
                    if (index == halt) {
                        Runtime.getRuntime().halt(3);
                    }
                    synchronized (out) {
                        out.println("DONE " + index + " " + accepted.version() + " " + accepted.position() + " "
                                + accepted.duplicate());
                        out.flush();
                    }
                }
            }));
        }
        for (Thread sender : senders) {
            try {
                sender.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        out.println("FINISHED");
        out.flush();
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
