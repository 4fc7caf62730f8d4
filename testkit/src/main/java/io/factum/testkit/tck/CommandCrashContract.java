package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventStore;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreOptions;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandResult;
import io.factum.testkit.tck.CommandCrashChild.Added;
import io.factum.testkit.tck.CommandCrashChild.Counted;
import io.factum.testkit.tck.CommandCrashChild.TallyEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A command is one append, and exactly once: a child JVM sends commands through a command bus and is
 * killed again and again, by SIGKILL at a random moment or by halting itself right after a command's
 * append returned and before its answer is printed; every run starts over and sends every command again.
 * Afterwards every command is retried once more, in the test's JVM: each command's events exist exactly
 * once, and every answer any run gave (first run or retry) is the answer the last retry gets.
 */
public abstract class CommandCrashContract extends TckSupport {

    private static final int COMMANDS = 160;
    private static final int RUNS = 6;
    private static final Pattern DONE = Pattern.compile("DONE (\\d+) (-?\\d+) (\\d+)/(\\d+) (true|false)");

    @Override
    protected abstract DurableStoreFixture fixture();

    private record Answer(int index, long version, Position position, boolean duplicate) {}

    @Test
    void commands_killed_between_their_append_and_their_answer_take_effect_once_when_retried() throws Exception {
        List<String> location = fixture().newLocation();
        List<Answer> answers = new CopyOnWriteArrayList<>();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int run = 0; run < RUNS; run++) {
            if (run % 2 == 0) {
                runChild(location, random.nextInt(COMMANDS), -1, answers);
            } else {
                runChild(location, -1, random.nextInt(10, COMMANDS), answers);
            }
        }
        assertThat(answers).as("answers the children printed").isNotEmpty();

        EventStore reopened = track(fixture().open(location, StoreOptions.defaults()));
        CommandBus bus = CommandCrashChild.bus(reopened);
        List<CommandResult.Accepted> last = new ArrayList<>();
        for (int index = 0; index < COMMANDS; index++) {
            last.add((CommandResult.Accepted) CommandCrashChild.send(bus, index));
        }

        for (Answer answer : answers) {
            CommandResult.Accepted retried = last.get(answer.index());
            assertThat(retried.duplicate())
                    .as("command %d was answered before, so it is a duplicate now", answer.index())
                    .isTrue();
            assertThat(new Answer(answer.index(), retried.version(), retried.position(), answer.duplicate()))
                    .as("the first answer stands")
                    .isEqualTo(answer);
        }
        for (int tally = 0; tally < CommandCrashChild.TALLIES; tally++) {
            assertEachCommandOnce(reopened, tally);
        }
    }

    /** Every command of the tally appended its events once, next to each other; no other command did. */
    private static void assertEachCommandOnce(EventStore store, int tally) {
        String stream = "tally-t" + tally;
        Map<Integer, List<String>> byCommand = new TreeMap<>();
        int previous = -1;
        for (RecordedEvent recorded : store.streamEvents(stream).toList()) {
            for (TallyEvent event : CommandCrashChild.SERIALIZER.deserializeEvents(recorded, TallyEvent.class)) {
                int index =
                        switch (event) {
                            case Added added -> added.index();
                            case Counted counted -> counted.index();
                        };
                List<String> events = byCommand.computeIfAbsent(index, i -> new ArrayList<>());
                assertThat(events.isEmpty() || index == previous)
                        .as("the events of command %d in %s lie next to each other", index, stream)
                        .isTrue();
                events.add(event.getClass().getSimpleName());
                previous = index;
            }
        }
        Map<Integer, List<String>> expected = new TreeMap<>();
        for (int index = tally; index < COMMANDS; index += CommandCrashChild.TALLIES) {
            expected.put(index, index % 3 == 0 ? List.of("Added", "Counted") : List.of("Added"));
        }
        assertThat(byCommand).as("the events of each command in %s", stream).isEqualTo(expected);
    }

    private void runChild(List<String> location, int halt, int killAfter, List<Answer> answers) throws Exception {
        Path stderr = Files.createTempFile("factum-command-crash-child", ".log");
        List<String> command = CrashChild.commandLine(
                "-Xmx128m",
                fixture().childMainClass(),
                List.of(
                        "-D" + CrashChild.MODE_PROPERTY + "=commands",
                        "-D" + CommandCrashChild.COUNT_PROPERTY + "=" + COMMANDS,
                        "-D" + CommandCrashChild.HALT_PROPERTY + "=" + halt),
                location);
        Process child =
                new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        List<Answer> seen = new CopyOnWriteArrayList<>();
        AtomicBoolean finished = new AtomicBoolean();
        Thread reader = new Thread(() -> read(child, seen, finished), "command-crash-child-reader");
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (child.isAlive()
                && !finished.get()
                && (halt >= 0 || seen.size() < killAfter)
                && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        boolean halted = !child.isAlive();
        child.destroyForcibly(); // SIGKILL on Linux and macOS
        child.waitFor(30, TimeUnit.SECONDS);
        reader.join(TimeUnit.SECONDS.toMillis(30));
        if (halt >= 0) {
            assertThat(halted && child.exitValue() == 3)
                    .as("the child halted after command %d's append; its stderr:%n%s", halt, Files.readString(stderr))
                    .isTrue();
            assertThat(seen).as("no answer to the halted command").noneMatch(answer -> answer.index() == halt);
        } else {
            assertThat(halted)
                    .as("the child died by itself; its stderr:%n%s", Files.readString(stderr))
                    .isFalse();
        }
        Files.deleteIfExists(stderr);
        answers.addAll(seen);
    }

    private static void read(Process child, List<Answer> answers, AtomicBoolean finished) {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                Matcher m = DONE.matcher(line);
                if (m.matches()) {
                    answers.add(new Answer(
                            Integer.parseInt(m.group(1)),
                            Long.parseLong(m.group(2)),
                            new Position(Long.parseLong(m.group(3)), Long.parseLong(m.group(4))),
                            Boolean.parseBoolean(m.group(5))));
                } else if (line.equals("FINISHED")) {
                    finished.set(true);
                }
            }
        } catch (IOException e) {
            // the pipe breaks when the child is killed: every complete line was read
        }
    }
}
