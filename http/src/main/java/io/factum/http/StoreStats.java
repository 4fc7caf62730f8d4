package io.factum.http;

import java.util.Map;

/**
 * Store-specific figures (for example PostgreSQL's xmin horizon age), by name: the admin store page lists
 * them, and the server supplies them for its store. Called on every request of the page, so keep it cheap.
 */
@FunctionalInterface
public interface StoreStats {

    /** The figures now, by a name a person reads ("xmin horizon age"). */
    Map<String, Long> figures();

    /** No figures. */
    static StoreStats none() {
        return Map::of;
    }
}
