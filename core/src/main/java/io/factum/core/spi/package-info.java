/**
 * What store implementations plug into: input validation, the idempotency rule and the read-window
 * arithmetic that every store must apply identically, and {@link io.factum.core.spi.ForwardingStore} for
 * decorators of a store. Application code does not need this package.
 */
@NullMarked
package io.factum.core.spi;

import org.jspecify.annotations.NullMarked;
