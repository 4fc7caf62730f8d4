package io.factum.http;

import java.util.Objects;

/** The roles needed for the streams whose id starts with {@code prefix}. */
record SecurityStreamRule(String prefix, Role readRole, Role writeRole) {

    SecurityStreamRule {
        Objects.requireNonNull(prefix, "streamIdPrefix");
        Objects.requireNonNull(readRole, "readRole");
        Objects.requireNonNull(writeRole, "writeRole");
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("a stream rule's prefix must not be empty; use the roles of the keys"
                    + " and users for rules that hold for every stream");
        }
    }

    boolean covers(String streamId) {
        return streamId.startsWith(prefix);
    }
}
