/**
 * The event store compatibility kit (TCK): abstract JUnit suites, one per capability, that every store
 * extends with a {@link io.factum.testkit.tck.StoreFixture}. A store declines a capability by not
 * extending its suite, never by skipping tests.
 */
@NullMarked
package io.factum.testkit.tck;

import org.jspecify.annotations.NullMarked;
