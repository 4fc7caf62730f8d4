package io.factum.spring.boot.starter;

import io.factum.core.SqlEventStore;

/**
 * A bean that wraps the store the starter opens, before any other bean sees it: how an application adds
 * append metrics and spans ({@code Observed.store} of factum-http), or a decorator of its own, and keeps the
 * store of {@code factum.store.*}. Every decorator bean is applied, in {@code @Order} (the first is
 * innermost). The decorated store must keep the store's capabilities ({@link SqlEventStore}) and close the
 * store it wraps when it is closed. Not applied to an event store bean of the application's own.
 *
 * <pre>{@code
 * @Bean
 * EventStoreDecorator observed(MeterRegistry registry) {
 *     return store -> Observed.store(store, registry, OpenTelemetry.noop());
 * }
 * }</pre>
 */
@FunctionalInterface
public interface EventStoreDecorator {

    /** The store to use in place of {@code store}. */
    SqlEventStore decorate(SqlEventStore store);
}
