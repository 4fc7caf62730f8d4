package io.factum.spring.boot.starter;

import io.factum.core.EventStore;
import io.factum.core.SqlEventStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;

/**
 * The health contributor {@code factum}, when Spring Boot's health support is there (spring-boot-health,
 * which the actuator starter brings) and {@code management.health.factum.enabled} is not false. Its parts:
 *
 * <ul>
 *   <li>{@code store}: the store answers within {@code factum.health.store-timeout}, with the head position
 *       and the store's figures;
 *   <li>{@code subscriptions} (with projections or subscriptions): none {@code FAILED} ({@code DOWN}
 *       otherwise), none behind by more than {@code factum.health.max-lag} ({@code OUT_OF_SERVICE}
 *       otherwise);
 *   <li>{@code parkedEvents} (likewise): parked events, reported as {@code factum.health.parked-status}.
 * </ul>
 *
 * <p>A bean named {@code factumHealthContributor} of the application's own replaces it.
 */
@AutoConfiguration(after = FactumAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthContributor")
@ConditionalOnEnabledHealthIndicator("factum")
@ConditionalOnBean(EventStore.class)
public class FactumHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "factumHealthContributor")
    HealthContributor factumHealthContributor(
            FactumProperties properties,
            EventStore store,
            ObjectProvider<SqlEventStore> sqlStore,
            ObjectProvider<FactumSubscriptions> subscriptions) {
        FactumProperties.Health settings = properties.health();
        SqlEventStore sql = sqlStore.getIfUnique();
        Map<String, HealthContributor> parts = new LinkedHashMap<>();
        parts.put(
                "store",
                sql == null
                        ? new StoreHealthIndicator(store, Map::of, settings.storeTimeout())
                        : new StoreHealthIndicator(sql, sql::figures, sql::writeProblem, settings.storeTimeout()));
        subscriptions.ifUnique(running -> {
            parts.put("subscriptions", new SubscriptionsHealthIndicator(running, settings.lagLimit()));
            parts.put("parkedEvents", new ParkedEventsHealthIndicator(running, settings.parkedStatus()));
        });
        return CompositeHealthContributor.fromMap(parts);
    }
}
