/**
 * Factum's HTTP surfaces, mountable on any Javalin application with {@link io.factum.http.FactumHttp}:
 * the event store as feeds (AtomPub-style, Atom and JSON) with appends, live subscriptions over
 * Server-Sent Events, admin pages, metrics and health.
 */
@NullMarked
package io.factum.http;

import org.jspecify.annotations.NullMarked;
