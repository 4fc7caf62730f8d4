package io.factum.testkit.projection;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.opentest4j.AssertionFailedError;

/**
 * Reads rows of a result set and compares them with expected ones, and words the failures. Values compare
 * as a reader of the table would: numbers by value whatever their Java type (SQLite returns an Integer
 * where the test wrote a Long), a Boolean equals the number 1 or 0 (SQLite has no boolean type), byte
 * arrays by content.
 */
final class Rows {

    private static final String NONE = "(none)";

    private Rows() {}

    /** The rows of {@code results}, each a map from column label to value, in column order. */
    static List<Map<String, @Nullable Object>> read(ResultSet results) throws SQLException {
        ResultSetMetaData meta = results.getMetaData();
        List<Map<String, @Nullable Object>> rows = new ArrayList<>();
        while (results.next()) {
            Map<String, @Nullable Object> row = new LinkedHashMap<>();
            for (int column = 1; column <= meta.getColumnCount(); column++) {
                row.put(meta.getColumnLabel(column), results.getObject(column));
            }
            rows.add(row);
        }
        return rows;
    }

    /** The rows as lists of values, in column order. */
    static List<List<@Nullable Object>> asLists(List<Map<String, @Nullable Object>> rows) {
        List<List<@Nullable Object>> lists = new ArrayList<>();
        for (Map<String, @Nullable Object> row : rows) {
            lists.add(new ArrayList<>(row.values()));
        }
        return lists;
    }

    /** The index of the first row that differs, or -1 if the rows are the same. */
    static int firstDifference(List<?> expected, List<?> actual) {
        int common = Math.min(expected.size(), actual.size());
        for (int i = 0; i < common; i++) {
            if (!same(expected.get(i), actual.get(i))) {
                return i;
            }
        }
        return expected.size() == actual.size() ? -1 : common;
    }

    /** True if a row, list or value equals another in the sense of this class. */
    static boolean same(@Nullable Object expected, @Nullable Object actual) {
        if (expected instanceof Map<?, ?> wanted && actual instanceof Map<?, ?> found) {
            if (!wanted.keySet().equals(found.keySet())) {
                return false;
            }
            return wanted.keySet().stream().allMatch(key -> same(wanted.get(key), found.get(key)));
        }
        if (expected instanceof List<?> wanted && actual instanceof List<?> found) {
            return firstDifference(wanted, found) < 0;
        }
        if (expected instanceof Number wanted && actual instanceof Number found) {
            return sameNumber(wanted, found);
        }
        if (expected instanceof Boolean wanted && actual instanceof Number found) {
            return sameNumber(wanted ? 1 : 0, found);
        }
        if (expected instanceof byte[] wanted && actual instanceof byte[] found) {
            return Arrays.equals(wanted, found);
        }
        return Objects.equals(expected, actual);
    }

    private static boolean sameNumber(Number expected, Number actual) {
        try {
            return new BigDecimal(expected.toString()).compareTo(new BigDecimal(actual.toString())) == 0;
        } catch (NumberFormatException notFinite) {
            return expected.equals(actual);
        }
    }

    /**
     * A row as text; a map row lists its columns in the order of {@code columns} (the actual result's),
     * then any others sorted, so that expected and actual rows line up.
     */
    static String text(@Nullable Object row, List<String> columns) {
        if (row instanceof Map<?, ?> map) {
            List<String> order = new ArrayList<>();
            for (String column : columns) {
                if (map.containsKey(column)) {
                    order.add(column);
                }
            }
            TreeSet<String> others = new TreeSet<>();
            map.keySet().forEach(key -> others.add(String.valueOf(key)));
            others.removeAll(order);
            order.addAll(others);
            StringBuilder text = new StringBuilder("{");
            for (String column : order) {
                text.append(text.length() > 1 ? ", " : "")
                        .append(column)
                        .append('=')
                        .append(value(map.get(column)));
            }
            return text.append('}').toString();
        }
        if (row instanceof List<?> list) {
            StringBuilder text = new StringBuilder("[");
            for (Object value : list) {
                text.append(text.length() > 1 ? ", " : "").append(value(value));
            }
            return text.append(']').toString();
        }
        return value(row);
    }

    private static String value(@Nullable Object value) {
        if (value instanceof String s) {
            return "'" + s + "'";
        }
        if (value instanceof byte[] bytes) {
            return "bytes" + Arrays.toString(bytes);
        }
        return String.valueOf(value);
    }

    /** Expected and actual side by side, numbered, the first difference marked with {@code >}. */
    static String table(List<?> expected, List<?> actual, List<String> columns, int difference) {
        List<String> wanted = expected.stream().map(row -> text(row, columns)).toList();
        List<String> found = actual.stream().map(row -> text(row, columns)).toList();
        int width = "expected".length();
        for (String row : wanted) {
            width = Math.max(width, row.length());
        }
        StringBuilder text =
                new StringBuilder("      ").append(pad("expected", width)).append("  actual\n");
        int rows = Math.max(expected.size(), actual.size());
        for (int i = 0; i < rows; i++) {
            String left = i < wanted.size() ? wanted.get(i) : NONE;
            String right = i < found.size() ? found.get(i) : NONE;
            text.append(i == difference ? '>' : ' ')
                    .append(number(i + 1))
                    .append("  ")
                    .append(pad(left, width))
                    .append("  ")
                    .append(right);
            if (i == difference && i < wanted.size() && i < found.size() && left.equals(right)) {
                // e.g. the text '1' against the number 1 would print alike without the quotes
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

    /** Rows one per line, numbered: the form given to an IDE's diff. */
    static String listing(List<?> rows, List<String> columns) {
        if (rows.isEmpty()) {
            return "no rows";
        }
        return numbered(rows.stream().map(row -> text(row, columns)).toList(), "")
                .stripTrailing();
    }

    /** A failed expectation: the message, then what the scenario was given; carries expected and actual. */
    static AssertionFailedError failure(
            String message,
            GivenLog log,
            @Nullable Object expected,
            @Nullable Object actual,
            @Nullable Throwable cause) {
        String text = (message.endsWith("\n") ? message : message + "\n") + log.footer();
        return expected == null && actual == null
                ? new AssertionFailedError(text, cause)
                : new AssertionFailedError(text, expected, actual, cause);
    }

    private static String number(int n) {
        String digits = String.valueOf(n);
        return " ".repeat(Math.max(0, 3 - digits.length())) + digits;
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
