/**
 * The task-based web UI of the order-management system: server-rendered pages (JTE templates compiled
 * at build time, every value HTML-escaped) with htmx, each form one task that sends one command, and
 * every page after a task rendered from the read model once it has reached the task's position.
 */
@NullMarked
package io.factum.examples.orders.web;

import org.jspecify.annotations.NullMarked;
