package io.factum.testkit.aggregate;

import io.factum.core.aggregate.AggregateRoot;
import io.factum.core.aggregate.Decider;
import io.factum.core.aggregate.RuleViolation;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** A shopping cart, as a decider and as a classic aggregate: the domain of the fixture tests. */
final class Cart {

    static final int MAX_ITEMS = 10;

    sealed interface Command {}

    record Add(String sku, int quantity) implements Command {}

    record Remove(String sku) implements Command {}

    record CheckOut() implements Command {}

    sealed interface Event {}

    record Added(String sku, int quantity) implements Event {}

    record Removed(String sku) implements Event {}

    record CheckedOut(int items) implements Event {}

    /** The items by SKU (sorted, so failure messages are stable) and whether the cart is checked out. */
    record State(SortedMap<String, Integer> items, boolean checkedOut) {
        State {
            items = Collections.unmodifiableSortedMap(new TreeMap<>(items));
        }

        static State of(Map<String, Integer> items, boolean checkedOut) {
            return new State(new TreeMap<>(items), checkedOut);
        }

        int count() {
            return items.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    static final Decider<Command, Event, State> DECIDER = Decider.of(Cart::initial, Cart::decide, Cart::evolve);

    private Cart() {}

    static State initial() {
        return State.of(Map.of(), false);
    }

    static List<Event> decide(Command command, State state) {
        return switch (command) {
            case Add add -> {
                checkAdd(state.checkedOut(), state.count(), add.sku(), add.quantity());
                yield List.of(new Added(add.sku(), add.quantity()));
            }
            case Remove remove when !state.items().containsKey(remove.sku()) -> List.of();
            case Remove remove -> List.of(new Removed(remove.sku()));
            case CheckOut checkOut when state.checkedOut() -> List.of();
            case CheckOut checkOut -> {
                checkCheckOut(state.count());
                yield List.of(new CheckedOut(state.count()));
            }
        };
    }

    static State evolve(State state, Event event) {
        TreeMap<String, Integer> items = new TreeMap<>(state.items());
        return switch (event) {
            case Added added -> {
                items.merge(added.sku(), added.quantity(), Integer::sum);
                yield new State(items, false);
            }
            case Removed removed -> {
                items.remove(removed.sku());
                yield new State(items, false);
            }
            case CheckedOut checkedOut -> new State(items, true);
        };
    }

    static void checkAdd(boolean checkedOut, int count, String sku, int quantity) {
        if (checkedOut) {
            throw new RuleViolation("cart-open", "the cart is checked out; cannot add " + sku);
        }
        if (quantity < 1) {
            throw new RuleViolation("positive-quantity", "a quantity must be 1 or more, got " + quantity);
        }
        if (count + quantity > MAX_ITEMS) {
            throw new RuleViolation(
                    "max-items",
                    "a cart holds at most " + MAX_ITEMS + " items; it has " + count + ", cannot add " + quantity);
        }
    }

    static void checkCheckOut(int count) {
        if (count == 0) {
            throw new RuleViolation("not-empty", "cannot check out an empty cart");
        }
    }

    /** The same cart in the classic style. */
    static final class Classic extends AggregateRoot<Event> {
        private final TreeMap<String, Integer> items = new TreeMap<>();
        private boolean checkedOut;

        void add(String sku, int quantity) {
            checkAdd(checkedOut, count(), sku, quantity);
            raise(new Added(sku, quantity));
        }

        void remove(String sku) {
            if (items.containsKey(sku)) {
                raise(new Removed(sku));
            }
        }

        void checkOut() {
            if (!checkedOut) {
                checkCheckOut(count());
                raise(new CheckedOut(count()));
            }
        }

        SortedMap<String, Integer> items() {
            return Collections.unmodifiableSortedMap(items);
        }

        boolean checkedOut() {
            return checkedOut;
        }

        int count() {
            return items.values().stream().mapToInt(Integer::intValue).sum();
        }

        @Override
        protected void apply(Event event) {
            switch (event) {
                case Added added -> items.merge(added.sku(), added.quantity(), Integer::sum);
                case Removed removed -> items.remove(removed.sku());
                case CheckedOut checkedOutEvent -> checkedOut = true;
            }
        }
    }
}
