package io.factum.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which events of the global log a decision depends on, across streams: the "query" of the dynamic
 * consistency boundary (DCB) specification. An event matches the query if it matches any of its {@link
 * Item items}; it matches an item if its type is one of the item's types (any type if the item names none)
 * and it carries every tag of the item.
 *
 * <pre>{@code
 * // the enrolments of course c1 and the course's own events
 * EventQuery.tags("course:c1")
 * // whether student s7 enrolled in c1 already
 * EventQuery.of(EventQuery.Item.types("StudentEnrolled").andTags("course:c1", "student:s7"))
 * }</pre>
 *
 * <p>Unlike the specification, every item must name at least one type or tag: there is no query of every
 * event ({@code Query.all()}), because a condition on the whole log is one global lock, which a stream's
 * expected version does better.
 *
 * @param items the alternatives, at least one
 */
public record EventQuery(List<Item> items) {

    public EventQuery {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
        if (items.isEmpty()) {
            throw new InvalidQueryException("a query needs at least one item (types, tags or both), got none");
        }
    }

    /**
     * One alternative of a query: events of any of these types that carry all of these tags.
     *
     * @param types the event types to match; empty for any type
     * @param tags the tags an event must all carry; empty for any tags
     */
    public record Item(Set<String> types, Set<String> tags) {

        public Item {
            types = EventData.sorted(Objects.requireNonNull(types, "types"));
            tags = EventData.sorted(Objects.requireNonNull(tags, "tags"));
            if (types.isEmpty() && tags.isEmpty()) {
                throw new InvalidQueryException("a query item must name at least one event type or tag, got neither;"
                        + " Factum has no query of every event");
            }
            for (String type : types) {
                if (type.isEmpty()) {
                    throw new InvalidQueryException("a query item's event types must not be empty, got ''");
                }
            }
            tags.forEach(Tags::requireValid);
        }

        /** Events of any of these types. */
        public static Item types(String... types) {
            return new Item(Set.copyOf(List.of(types)), Set.of());
        }

        /** Events that carry all of these tags. */
        public static Item tags(String... tags) {
            return new Item(Set.of(), Set.copyOf(List.of(tags)));
        }

        /** This item, narrowed to events that also carry all of these tags. */
        public Item andTags(String... more) {
            List<String> all = new ArrayList<>(tags);
            all.addAll(Arrays.asList(more));
            return new Item(types, Set.copyOf(all));
        }

        /** True if the event is of one of the types (or the item names none) and carries every tag. */
        public boolean matches(String type, Set<String> eventTags) {
            return (types.isEmpty() || types.contains(type)) && eventTags.containsAll(tags);
        }

        @Override
        public String toString() {
            if (tags.isEmpty()) {
                return "types " + types;
            }
            return types.isEmpty() ? "tags " + tags : "types " + types + " with tags " + tags;
        }
    }

    /** A query of these items. */
    public static EventQuery of(Item... items) {
        return new EventQuery(List.of(items));
    }

    /** Events that carry all of these tags. */
    public static EventQuery tags(String... tags) {
        return of(Item.tags(tags));
    }

    /** Events of any of these types. */
    public static EventQuery types(String... types) {
        return of(Item.types(types));
    }

    /** Events that match this query or the other. */
    public EventQuery or(EventQuery other) {
        List<Item> all = new ArrayList<>(items);
        all.addAll(other.items);
        return new EventQuery(all);
    }

    /** True if the event matches one of the items. */
    public boolean matches(RecordedEvent event) {
        for (Item item : items) {
            if (item.matches(event.type(), event.tags())) {
                return true;
            }
        }
        return false;
    }

    /** Every tag the items name, sorted. */
    public Set<String> allTags() {
        return EventData.sorted(items.stream().flatMap(i -> i.tags().stream()).collect(Collectors.toSet()));
    }

    /** "events of types [A] or with tags [t]": what the messages of failed conditions say. */
    @Override
    public String toString() {
        return "events of " + items.stream().map(Item::toString).collect(Collectors.joining(" or "));
    }
}
