package io.factum.testkit.process;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.opentest4j.AssertionFailedError;

/**
 * What happened in a process scenario so far (events given, time passed, deadlines fired), and the words
 * of its failures: every failure ends with this history. Not thread-safe.
 */
final class History {

    private static final String NONE = "(none)";

    private final List<String> steps = new ArrayList<>();

    void add(String step) {
        steps.add(step);
    }

    /** A failed expectation, carrying expected and actual for an IDE's diff when given. */
    AssertionFailedError failure(
            String message, @Nullable Object expected, @Nullable Object actual, @Nullable Throwable cause) {
        String text = (message.endsWith("\n") ? message : message + "\n") + footer();
        return expected == null && actual == null
                ? new AssertionFailedError(text, cause)
                : new AssertionFailedError(text, expected, actual, cause);
    }

    private String footer() {
        if (steps.isEmpty()) {
            return "given: nothing";
        }
        return "given:\n" + numbered(steps, "   ").stripTrailing();
    }

    /** The index of the first item that differs (by {@code equals}), or -1 if the lists are equal. */
    static int firstDifference(List<?> expected, List<?> actual) {
        int common = Math.min(expected.size(), actual.size());
        for (int i = 0; i < common; i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                return i;
            }
        }
        return expected.size() == actual.size() ? -1 : common;
    }

    /** Expected and actual side by side, numbered, the first difference marked with {@code >}. */
    static String table(List<?> expected, List<?> actual, int difference) {
        int width = "expected".length();
        for (Object item : expected) {
            width = Math.max(width, item.toString().length());
        }
        StringBuilder text =
                new StringBuilder("      ").append(pad("expected", width)).append("  actual\n");
        int rows = Math.max(expected.size(), actual.size());
        for (int i = 0; i < rows; i++) {
            String left = i < expected.size() ? expected.get(i).toString() : NONE;
            String right = i < actual.size() ? actual.get(i).toString() : NONE;
            text.append(i == difference ? '>' : ' ')
                    .append(number(i + 1))
                    .append("  ")
                    .append(pad(left, width))
                    .append("  ")
                    .append(right);
            if (i == difference && i < expected.size() && i < actual.size() && left.equals(right)) {
                // e.g. a command of another class with the same name and fields
                text.append("  (prints the same, but is not equal)");
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** Items one per line, numbered, each line starting with {@code indent}. */
    static String numbered(List<?> items, String indent) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < items.size(); i++) {
            text.append(indent).append(i + 1).append("  ").append(items.get(i)).append('\n');
        }
        return text.toString();
    }

    /** Items one per line, numbered: the form given to an IDE's diff. */
    static String listing(List<?> items, String ifEmpty) {
        return items.isEmpty() ? ifEmpty : numbered(items, "").stripTrailing();
    }

    private static String number(int n) {
        String digits = String.valueOf(n);
        return " ".repeat(Math.max(0, 3 - digits.length())) + digits;
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
