package io.factum.core.serialization;

import java.util.List;

/**
 * Turns a stored event of one type and schema version into the events of a newer schema: usually one
 * (a field renamed), sometimes several (an event split in two) or none (an event that no longer means
 * anything). Upcasters are chained: the results are upcast again until no upcaster applies, so each one
 * only knows the step from its version to the next.
 *
 * <p>Upcasters run on every read of an old event; they must be pure functions of their input.
 */
@FunctionalInterface
public interface Upcaster {

    /** The events that {@code old} becomes; each must have a higher schema version or another type. */
    List<StoredForm> upcast(StoredForm old);
}
