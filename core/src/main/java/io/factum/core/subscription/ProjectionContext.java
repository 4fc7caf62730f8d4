package io.factum.core.subscription;

import java.util.regex.Pattern;

/**
 * What a SQL projection is writing into: its name and version, which name its tables (each version has
 * its own, so a new version builds beside the old), and whether this is a rebuild (a projection that
 * also has side effects must not fire them again then).
 *
 * @param projection the projection's name
 * @param version the version being written
 * @param rebuilding true while a new version replays the log beside the active one
 */
public record ProjectionContext(String projection, int version, boolean rebuilding) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");

    public ProjectionContext {
        requireName(projection, "projection name");
        if (version < 1) {
            throw new IllegalArgumentException("a projection version must be 1 or more, got " + version);
        }
    }

    /**
     * The name of this version's table {@code base}: {@code base_v<version>}, for example {@code
     * order_summary_v2}.
     *
     * @throws IllegalArgumentException if {@code base} is not 1-40 lower-case letters, digits and {@code
     *     _}, starting with a letter
     */
    public String table(String base) {
        return requireName(base, "table name") + "_v" + version;
    }

    /** This context for another version, not rebuilding. */
    public ProjectionContext withVersion(int other) {
        return new ProjectionContext(projection, other, false);
    }

    static String requireName(String name, String what) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " must be 1-40 lower-case letters, digits and '_', starting"
                    + " with a letter, got '" + name + "'");
        }
        return name;
    }
}
