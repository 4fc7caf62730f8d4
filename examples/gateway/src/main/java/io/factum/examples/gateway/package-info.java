/**
 * A small teaching API gateway in front of Factum services (the reference orders system): it routes by
 * path prefix to the ready instances of a service, round-robin, and passes through what Factum's HTTP
 * surfaces rely on (conditional and idempotent commands, {@code Factum-Position}, Server-Sent Events,
 * problem bodies, {@code traceparent}, {@code Origin} and {@code Sec-Fetch-Site}), while it bounds each
 * client (a request rate per address, a body size, a time) and asks for an API key on {@code /api/}.
 * Built on Jetty's reverse proxy ({@code jetty-proxy}); in production use your platform's gateway.
 */
@NullMarked
package io.factum.examples.gateway;

import org.jspecify.annotations.NullMarked;
