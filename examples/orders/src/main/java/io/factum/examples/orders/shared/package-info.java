/**
 * The shared kernel of the order system's contexts: what every domain package may use. Like the domain
 * packages it imports nothing of Factum.
 */
@NullMarked
package io.factum.examples.orders.shared;

import org.jspecify.annotations.NullMarked;
