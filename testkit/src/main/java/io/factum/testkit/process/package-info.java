/**
 * A given-when-then fixture for process managers: {@link io.factum.testkit.process.ProcessManagerFixture}
 * runs a real {@link io.factum.core.process.ProcessManager} on in-memory stores and a test clock, records
 * the commands it sends instead of carrying them out, and checks them, its deadlines and its state.
 */
@NullMarked
package io.factum.testkit.process;

import org.jspecify.annotations.NullMarked;
