package io.factum.http;

import java.util.Map;

/** Store-specific figures (for example PostgreSQL's xmin horizon age), by name. */
@FunctionalInterface
public interface StoreStats {

    /** The figures now, by a name a person reads ("xmin horizon age"). */
    Map<String, Long> figures();
}
