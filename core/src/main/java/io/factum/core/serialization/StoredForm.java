package io.factum.core.serialization;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An event as an upcaster sees it: its type name, its schema version and its data as a mutable JSON
 * object.
 *
 * @param type the stored type name
 * @param schemaVersion the schema version the data is in
 * @param data the event's data
 */
public record StoredForm(String type, int schemaVersion, ObjectNode data) {

    /** The same event, with its data now in {@code version}. */
    public StoredForm atVersion(int version) {
        return new StoredForm(type, version, data);
    }
}
