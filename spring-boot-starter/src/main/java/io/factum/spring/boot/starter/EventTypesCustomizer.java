package io.factum.spring.boot.starter;

import io.factum.core.serialization.EventTypes;

/**
 * A bean that adds to the application's {@link EventTypes} what {@code factum.event-types} cannot say:
 * explicit names, aliases of old names, upcasters, personal data. Every customizer bean is applied, in
 * {@code @Order}, after the types of {@code factum.event-types}. An {@link EventTypes} bean of the
 * application's own replaces all of it.
 *
 * <pre>{@code
 * @Bean
 * EventTypesCustomizer accountEvents() {
 *     return types -> types.registerSealed(AccountEvent.class).alias("FundsAdded", Deposited.class);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface EventTypesCustomizer {

    /** Registers types, aliases or upcasters on {@code types}. */
    void customize(EventTypes.Builder types);
}
