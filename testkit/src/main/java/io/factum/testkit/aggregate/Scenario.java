package io.factum.testkit.aggregate;

import java.util.List;
import java.util.Optional;

/**
 * What a failure message needs to say where it happened.
 *
 * @param given the given events
 * @param command how to name the command, if there is one
 * @param stream the stream the scenario ran on, if it ran through a store
 */
record Scenario(List<?> given, Optional<String> command, Optional<String> stream) {

    Scenario {
        given = List.copyOf(given);
    }

    String commandName() {
        return command.orElse("the command");
    }

    boolean throughStore() {
        return stream.isPresent();
    }

    /** The lines that end every failure message: the given events and how the scenario ran. */
    String footer() {
        StringBuilder text = new StringBuilder();
        if (given.isEmpty()) {
            text.append("given: no events\n");
        } else {
            text.append("given:\n").append(Verdicts.numbered(given, "   "));
        }
        text.append("run: ")
                .append(stream.map(s -> "through the store, stream " + s).orElse("in memory"));
        return text.toString();
    }
}
