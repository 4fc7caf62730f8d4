package io.factum.core;

import java.util.Set;

/**
 * Which events of the global log a reader wants: by stream category, by event type, or both (an event
 * must then match both). An empty set means "any".
 *
 * @param categories the stream categories to keep, or empty for all
 * @param eventTypes the event types to keep, or empty for all
 */
public record EventFilter(Set<String> categories, Set<String> eventTypes) {

    private static final EventFilter ALL = new EventFilter(Set.of(), Set.of());

    public EventFilter {
        categories = Set.copyOf(categories);
        eventTypes = Set.copyOf(eventTypes);
    }

    /** Every event. */
    public static EventFilter all() {
        return ALL;
    }

    /** Events of streams in any of these categories. */
    public static EventFilter categories(String... categories) {
        return new EventFilter(Set.of(categories), Set.of());
    }

    /** Events of any of these types. */
    public static EventFilter eventTypes(String... types) {
        return new EventFilter(Set.of(), Set.of(types));
    }

    /** This filter narrowed to events of any of these types too. */
    public EventFilter andEventTypes(String... types) {
        return new EventFilter(categories, Set.of(types));
    }

    /** True if the filter keeps every event. */
    public boolean isAll() {
        return categories.isEmpty() && eventTypes.isEmpty();
    }

    /** True if the filter keeps this event. */
    public boolean matches(RecordedEvent event) {
        return (categories.isEmpty() || categories.contains(event.category()))
                && (eventTypes.isEmpty() || eventTypes.contains(event.type()));
    }
}
