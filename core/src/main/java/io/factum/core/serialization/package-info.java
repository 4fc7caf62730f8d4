/**
 * Turning the user's event records into stored events and back: stable type names with aliases, schema
 * versions, upcasting of old versions on read, and the metadata envelope (correlation, causation, user,
 * tenant, time).
 */
@NullMarked
package io.factum.core.serialization;

import org.jspecify.annotations.NullMarked;
