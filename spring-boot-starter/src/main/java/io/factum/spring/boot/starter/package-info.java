/**
 * Factum for Spring Boot: {@link io.factum.spring.boot.starter.FactumAutoConfiguration} opens the store,
 * builds the serializer and the command bus from the application's beans and runs its projections and
 * subscriptions with the context; {@link io.factum.spring.boot.starter.FactumHealthAutoConfiguration} adds
 * the {@code factum} health contributor. Settings: {@link io.factum.spring.boot.starter.FactumProperties}
 * ({@code factum.*}).
 */
@NullMarked
package io.factum.spring.boot.starter;

import org.jspecify.annotations.NullMarked;
