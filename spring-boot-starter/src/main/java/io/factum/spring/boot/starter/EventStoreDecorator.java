package io.factum.spring.boot.starter;

import io.factum.core.SqlEventStore;

/**
 * A bean that wraps the store the starter opens, before any other bean sees it: how an application adds a
 * decorator of its own (access rules, an audit of writes) and keeps the store of {@code factum.store.*}. (Append
 * metrics and spans need none: the starter wraps the store in {@code Observed.store} itself, outermost.) Every decorator bean is applied, in {@code @Order} (the first is
 * innermost). The decorated store must keep the store's capabilities ({@link SqlEventStore}) and close the
 * store it wraps when it is closed. Not applied to an event store bean of the application's own.
 *
 * <pre>{@code
 * @Bean
 * EventStoreDecorator audited(AuditLog audit) {
 *     return store -> new AuditedStore(store, audit); // a SqlEventStore that hands every call to store
 * }
 * }</pre>
 */
@FunctionalInterface
public interface EventStoreDecorator {

    /** The store to use in place of {@code store}. */
    SqlEventStore decorate(SqlEventStore store);
}
