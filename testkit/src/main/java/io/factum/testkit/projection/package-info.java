/**
 * Given-when-then fixtures for the read side: {@link io.factum.testkit.projection.ProjectionFixture} gives
 * a read model events, as a subscription would deliver them, and checks what its queries return; for an
 * {@link io.factum.core.subscription.EventHandler} it also checks that a redelivery changes nothing, for a
 * {@link io.factum.core.subscription.SqlProjection} it compares the rows of its tables.
 */
@NullMarked
package io.factum.testkit.projection;

import org.jspecify.annotations.NullMarked;
