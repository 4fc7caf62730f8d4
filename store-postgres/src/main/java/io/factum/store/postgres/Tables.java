package io.factum.store.postgres;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The qualified names of a store's tables, from an optional schema and a table prefix. Both are checked
 * against a strict pattern, so the names can be written into SQL without quoting.
 */
record Tables(Optional<String> schema, String prefix) {

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,29}");
    private static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,19}|");

    Tables {
        schema.ifPresent(name -> {
            if (!SCHEMA.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        "schema must be 1-30 lower-case letters, digits or '_' and not start with a digit, got '" + name
                                + "'");
            }
        });
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException(
                    "table prefix must be 0-20 lower-case letters, digits or '_' and not start with a digit, got '"
                            + prefix + "'");
        }
    }

    /** A table's name, qualified by the schema if there is one. */
    String table(String name) {
        return schema.map(s -> s + ".").orElse("") + prefix + name;
    }

    /** An index or constraint name (unqualified: it lives in its table's schema). */
    String local(String name) {
        return prefix + name;
    }

    String streams() {
        return table("streams");
    }

    String events() {
        return table("events");
    }

    String snapshots() {
        return table("snapshots");
    }

    String checkpoints() {
        return table("checkpoints");
    }

    String parkedEvents() {
        return table("parked_events");
    }

    String projectionVersions() {
        return table("projection_versions");
    }

    String groupMembers() {
        return table("group_members");
    }

    String leases() {
        return table("leases");
    }

    String deadlines() {
        return table("deadlines");
    }

    String subjectKeys() {
        return table("subject_keys");
    }

    String migrations() {
        return table("schema_migrations");
    }

    /** The LISTEN/NOTIFY channel on which appends are announced. */
    String channel() {
        return schema.map(s -> s + ".").orElse("") + prefix + "events";
    }
}
