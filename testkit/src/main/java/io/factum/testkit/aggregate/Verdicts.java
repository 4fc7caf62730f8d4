package io.factum.testkit.aggregate;

import io.factum.core.aggregate.RuleViolation;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.opentest4j.AssertionFailedError;

/**
 * Compares what a scenario did with what the test expected, and words the failure. Every failure is an
 * {@link AssertionFailedError} carrying expected and actual as text, one event per line, for an IDE's diff.
 */
final class Verdicts {

    private static final String NONE = "(none)";

    private Verdicts() {}

    /** Passes if the command was accepted and produced exactly these events, in this order. */
    static void events(Scenario scenario, List<?> expected, Result<?> result) {
        switch (result) {
            case Result.Rejected<?> rejected -> {
                RuleViolation violation = rejected.violation();
                String wanted = expected.isEmpty() ? "it was expected to change nothing" : "events were expected";
                throw failure(
                        scenario,
                        scenario.commandName() + " was rejected by rule " + violation.rule() + ", but " + wanted
                                + "\n  rejected: " + rejection(violation)
                                + "\n  expected:"
                                + (expected.isEmpty() ? " no events" : "\n" + numbered(expected, "     ")),
                        listing(expected),
                        rejection(violation),
                        violation);
            }
            case Result.Accepted<?> accepted -> {
                int difference = firstDifference(expected, accepted.events());
                if (difference < 0) {
                    return;
                }
                String actualHeader = scenario.throughStore() ? "read back" : "actual";
                StringBuilder message = new StringBuilder()
                        .append(scenario.commandName())
                        .append(" produced other events than expected; first difference at #")
                        .append(difference + 1)
                        .append('\n')
                        .append(table(expected, accepted.events(), actualHeader, difference));
                if (scenario.throughStore() && firstDifference(expected, accepted.decided()) < 0) {
                    message.append("the aggregate decided the expected events, but they read back from the store")
                            .append(" differently: they do not survive serialization\n");
                }
                throw failure(scenario, message.toString(), listing(expected), listing(accepted.events()), null);
            }
        }
    }

    /** Passes if the command was rejected by this rule with this message. */
    static void rejected(Scenario scenario, String rule, String message, Result<?> result) {
        String wanted = "rule " + rule + ": " + message;
        switch (result) {
            case Result.Accepted<?> accepted -> {
                List<?> events = accepted.events();
                throw failure(
                        scenario,
                        "expected " + scenario.commandName() + " to be rejected by rule " + rule
                                + ", but it was accepted and produced " + count(events)
                                + "\n  expected: " + wanted
                                + "\n  produced:"
                                + (events.isEmpty() ? " no events" : "\n" + numbered(events, "     ")),
                        wanted,
                        listing(events),
                        null);
            }
            case Result.Rejected<?> rejected -> {
                RuleViolation violation = rejected.violation();
                boolean sameRule = violation.rule().equals(rule);
                boolean sameMessage = Objects.equals(violation.getMessage(), message);
                if (sameRule && sameMessage) {
                    return;
                }
                String what = !sameRule && !sameMessage
                        ? "another rule and message"
                        : !sameRule ? "another rule" : "another message";
                throw failure(
                        scenario,
                        scenario.commandName() + " was rejected, but with " + what + " than expected"
                                + "\n  expected: " + wanted
                                + "\n  actual:   " + rejection(violation),
                        wanted,
                        rejection(violation),
                        violation);
            }
        }
    }

    /** Passes if the command was accepted; a rejection fails, naming what was to be checked after it. */
    static void accepted(Scenario scenario, Result<?> result, String check) {
        if (result instanceof Result.Rejected<?> rejected) {
            RuleViolation violation = rejected.violation();
            throw failure(
                    scenario,
                    scenario.commandName() + " was rejected by rule " + violation.rule() + ", but " + check
                            + " was expected\n  rejected: " + rejection(violation),
                    check,
                    rejection(violation),
                    violation);
        }
    }

    /** Passes if the state equals the expected one. */
    static void state(Scenario scenario, Object expected, Object actual) {
        if (expected.equals(actual)) {
            return;
        }
        String after = scenario.command().orElse("the given events");
        throw failure(
                scenario,
                "the state after " + after + " is not as expected"
                        + "\n  expected: " + expected
                        + "\n  actual:   " + actual,
                expected,
                actual,
                null);
    }

    /** A failure of the scenario's set-up or of a trip through the store, not of an expectation. */
    static AssertionFailedError broken(Scenario scenario, String what, Throwable cause) {
        return failure(scenario, what + ": " + cause.getMessage(), null, null, cause);
    }

    private static AssertionFailedError failure(
            Scenario scenario,
            String message,
            @Nullable Object expected,
            @Nullable Object actual,
            @Nullable Throwable cause) {
        String text = message.endsWith("\n") ? message : message + "\n";
        text += scenario.footer();
        return expected == null && actual == null
                ? new AssertionFailedError(text, cause)
                : new AssertionFailedError(text, expected, actual, cause);
    }

    private static int firstDifference(List<?> expected, List<?> actual) {
        int common = Math.min(expected.size(), actual.size());
        for (int i = 0; i < common; i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                return i;
            }
        }
        return expected.size() == actual.size() ? -1 : common;
    }

    /** Expected and actual side by side, numbered, the first difference marked with {@code >}. */
    private static String table(List<?> expected, List<?> actual, String actualHeader, int difference) {
        int width = "expected".length();
        for (Object event : expected) {
            width = Math.max(width, event.toString().length());
        }
        StringBuilder text = new StringBuilder("      ")
                .append(pad("expected", width))
                .append("  ")
                .append(actualHeader)
                .append('\n');
        int rows = Math.max(expected.size(), actual.size());
        for (int i = 0; i < rows; i++) {
            text.append(i == difference ? '>' : ' ')
                    .append(number(i + 1))
                    .append("  ")
                    .append(pad(i < expected.size() ? expected.get(i).toString() : NONE, width))
                    .append("  ")
                    .append(i < actual.size() ? actual.get(i).toString() : NONE);
            if (i == difference
                    && i < actual.size()
                    && i < expected.size()
                    && expected.get(i).toString().equals(actual.get(i).toString())) {
                // e.g. a Long read back as an Integer: without this the line would look like a match
                text.append("  (prints the same, but is not equal)");
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** Events one per line, numbered, each line starting with {@code indent}. */
    static String numbered(List<?> events, String indent) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < events.size(); i++) {
            text.append(indent).append(i + 1).append("  ").append(events.get(i)).append('\n');
        }
        return text.toString();
    }

    /** Events one per line, numbered: the form given to the IDE's diff. */
    private static String listing(List<?> events) {
        return events.isEmpty() ? "no events" : numbered(events, "").stripTrailing();
    }

    private static String rejection(RuleViolation violation) {
        return "rule " + violation.rule() + ": " + violation.getMessage();
    }

    private static String count(List<?> events) {
        return events.size() == 1 ? "1 event" : events.size() + " events";
    }

    /** A row number right-aligned in three characters. */
    private static String number(int n) {
        String digits = String.valueOf(n);
        return " ".repeat(Math.max(0, 3 - digits.length())) + digits;
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
