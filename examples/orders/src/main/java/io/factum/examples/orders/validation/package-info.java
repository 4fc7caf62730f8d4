/**
 * The shape of commands (fields present, numbers and texts within bounds), checked by the command bus
 * before a decider sees them; the business rules are the deciders'.
 */
@NullMarked
package io.factum.examples.orders.validation;

import org.jspecify.annotations.NullMarked;
