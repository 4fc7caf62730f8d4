/**
 * Given-when-then fixtures for the write side: given past events, when a command, then the events it
 * produces, its rejection by a business rule, or the state. {@link io.factum.testkit.aggregate.DeciderFixture}
 * tests a {@link io.factum.core.aggregate.Decider}, {@link io.factum.testkit.aggregate.AggregateRootFixture}
 * a classic {@link io.factum.core.aggregate.AggregateRoot}.
 *
 * <p>Both run in memory by default. {@code onStore(store, serializer, eventType)} runs the same scenarios
 * through a real store and the repositories instead: the given events are serialized and appended, the
 * command is handled by loading, deserializing, deciding and appending, and the then-check reads what
 * was appended back from the store, so a scenario also proves that the events survive serialization.
 *
 * <p>A failed expectation throws an {@link org.opentest4j.AssertionFailedError} that shows expected and
 * actual side by side and carries both, so an IDE can show the difference.
 */
@NullMarked
package io.factum.testkit.aggregate;

import org.jspecify.annotations.NullMarked;
