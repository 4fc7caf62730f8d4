/**
 * The stock context: a product's stock is added to, reserved by an order when it is confirmed and
 * released when a confirmed order is cancelled; it never goes below zero. Its decisions span the order
 * and every order that reserved the same products, so they are taken on the events of both (see {@link
 * io.factum.examples.orders.stock.Reservation}). A product that never had stock added is not counted.
 */
@NullMarked
package io.factum.examples.orders.stock;

import org.jspecify.annotations.NullMarked;
