package io.factum.testkit.aggregate;

import io.factum.core.aggregate.AggregateRoot;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;

/**
 * Applies past events to a classic aggregate in memory, as a repository's load does. The aggregate's
 * {@code replay} is package-private in core (applications must not rewrite an aggregate's history), so
 * the testkit reaches it by reflection rather than asking aggregates for a hook of their own.
 */
final class Replay {

    private static final Method REPLAY = replayMethod();

    private Replay() {}

    /** Applies the events in order; the aggregate ends at version {@code events.size() - 1}. */
    static <E> void apply(AggregateRoot<E> aggregate, List<? extends E> events) {
        for (int i = 0; i < events.size(); i++) {
            try {
                REPLAY.invoke(aggregate, events.get(i), (long) i);
            } catch (InvocationTargetException e) {
                // apply(event) itself failed: rethrow what it threw, as a repository's load would
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException("applying " + events.get(i) + " failed", e.getCause());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(
                        "cannot replay events on " + aggregate.getClass().getName() + ": " + e.getMessage(), e);
            }
        }
    }

    private static Method replayMethod() {
        try {
            Method method = AggregateRoot.class.getDeclaredMethod("replay", Object.class, long.class);
            method.setAccessible(true);
            return method;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(
                    "this testkit does not match factum-core: AggregateRoot has no replay(event, version);"
                            + " use the same version of both",
                    e);
        } catch (InaccessibleObjectException e) {
            throw new IllegalStateException(
                    "cannot replay events on aggregates: on the module path, open io.factum.core.aggregate to"
                            + " the testkit (--add-opens factum.core/io.factum.core.aggregate=ALL-UNNAMED)",
                    e);
        }
    }
}
