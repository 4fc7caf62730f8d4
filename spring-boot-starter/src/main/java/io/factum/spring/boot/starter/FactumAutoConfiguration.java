package io.factum.spring.boot.starter;

import io.factum.core.EventStore;
import io.factum.core.SqlEventStore;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandHandler;
import io.factum.core.command.Middleware;
import io.factum.core.command.Rejections;
import io.factum.core.observation.Observed;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import io.factum.core.subscription.SqlProjection;
import io.factum.core.subscription.Subscription;
import io.factum.store.sqlite.SqliteEventStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Factum's beans for a Spring Boot application, each one only if the application has none of its own:
 *
 * <ul>
 *   <li>the event store ({@link SqlEventStore}): SQLite in {@code factum.store.sqlite.file} by default, or
 *       PostgreSQL on the application's {@code DataSource} with {@code factum.store.type=postgres}, wrapped by
 *       the {@link EventStoreDecorator} beans; closed with the context;
 *   <li>{@link EventTypes} from {@code factum.event-types} and the {@link EventTypesCustomizer} beans, and an
 *       {@link EventSerializer} of them;
 *   <li>a {@link CommandBus} of the {@link CommandHandler} beans (each registered for the command type of its
 *       generic signature), with the {@link Rejections} and {@link Middleware} beans, only if there is a
 *       handler bean;
 *   <li>commands and appends {@link Observed} in the application's {@link ObservationRegistry} (so they are
 *       timers of its {@link MeterRegistry} and, with micrometer-tracing, spans of its traces), unless {@code
 *       factum.metrics.enabled=false};
 *   <li>{@link FactumSubscriptions}, which runs the {@link SqlProjection} beans and starts the {@link
 *       Subscription.Builder} beans with the context and closes them with it, only if there is one of
 *       either.
 * </ul>
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"
        })
@EnableConfigurationProperties(FactumProperties.class)
public class FactumAutoConfiguration {

    /** The SQLite store, the default. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(EventStore.class)
    @ConditionalOnProperty(name = "factum.store.type", havingValue = "sqlite", matchIfMissing = true)
    static class SqliteStoreConfiguration {

        @Bean
        SqlEventStore factumEventStore(
                FactumProperties properties,
                ObjectProvider<EventStoreDecorator> decorators,
                ObjectProvider<ObservationRegistry> observations,
                ObjectProvider<MeterRegistry> registries) {
            return decorate(
                    SqliteEventStore.open(properties.store().sqlite().file()),
                    decorators,
                    properties,
                    observations,
                    registries);
        }
    }

    /** The PostgreSQL store on the application's data source. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(EventStore.class)
    @ConditionalOnProperty(name = "factum.store.type", havingValue = "postgres")
    static class PostgresStoreConfiguration {

        @Bean
        SqlEventStore factumEventStore(
                FactumProperties properties,
                ObjectProvider<DataSource> dataSources,
                ObjectProvider<EventStoreDecorator> decorators,
                ObjectProvider<ObservationRegistry> observations,
                ObjectProvider<MeterRegistry> registries) {
            DataSource dataSource = dataSources.getIfUnique();
            if (dataSource == null) {
                throw new FactumConfigurationException("factum.store.type=postgres opens the store on the"
                        + " application's DataSource, but the context has "
                        + (dataSources.stream().findAny().isPresent() ? "several and none is primary" : "none")
                        + "; add spring-boot-starter-jdbc and spring.datasource.url, or define a DataSource bean"
                        + " (mark one @Primary if there are several)");
            }
            return decorate(
                    PostgresStores.open(dataSource, properties.store().postgres()),
                    decorators,
                    properties,
                    observations,
                    registries);
        }
    }

    @Bean
    @ConditionalOnMissingBean
    EventTypes factumEventTypes(FactumProperties properties, ObjectProvider<EventTypesCustomizer> customizers) {
        EventTypes.Builder builder = EventTypes.builder();
        for (Class<?> type : properties.eventTypes()) {
            if (type.isSealed()) {
                builder.registerSealed(type);
            } else {
                builder.registerAnnotated(type);
            }
        }
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return builder.build();
    }

    @Bean
    @ConditionalOnMissingBean
    EventSerializer factumEventSerializer(EventTypes eventTypes) {
        return EventSerializer.of(eventTypes);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(CommandHandler.class)
    CommandBus factumCommandBus(
            FactumProperties properties,
            ConfigurableListableBeanFactory beans,
            ObjectProvider<Rejections> rejections,
            ObjectProvider<Middleware> middleware,
            ObjectProvider<ObservationRegistry> observations,
            ObjectProvider<MeterRegistry> registries) {
        CommandBus.Builder bus = CommandBus.builder();
        observations(properties, observations, registries).ifPresent(registry -> bus.use(Observed.commands(registry)));
        if (properties.commands().logging()) {
            bus.use(Observed.logging());
        }
        middleware.orderedStream().forEach(bus::use);
        rejections.orderedStream().forEach(bus::rejections);
        CommandHandlers.register(beans, bus);
        properties.commands().expectHandlersFor().forEach(bus::expectHandlersFor);
        return bus.build();
    }

    @Bean
    @ConditionalOnMissingBean
    @Conditional(OnReadSideBeans.class)
    FactumSubscriptions factumSubscriptions(
            FactumProperties properties,
            ObjectProvider<SqlEventStore> stores,
            ObjectProvider<SqlProjection> projections,
            ObjectProvider<Subscription.Builder> subscriptions,
            ObjectProvider<MeterRegistry> registries) {
        return new FactumSubscriptions(
                properties.projections(),
                stores::getIfUnique,
                projections.orderedStream().toList(),
                subscriptions.orderedStream().toList(),
                meterRegistry(properties, registries));
    }

    /** The store wrapped by the decorator beans, and outermost by {@link Observed#store} with metrics on. */
    private static SqlEventStore decorate(
            SqlEventStore opened,
            ObjectProvider<EventStoreDecorator> decorators,
            FactumProperties properties,
            ObjectProvider<ObservationRegistry> observations,
            ObjectProvider<MeterRegistry> registries) {
        SqlEventStore store = opened;
        for (EventStoreDecorator decorator : decorators.orderedStream().toList()) {
            store = decorator.decorate(store);
        }
        Optional<MeterRegistry> meters = meterRegistry(properties, registries);
        Optional<ObservationRegistry> observed = observations(properties, observations, registries);
        if (meters.isPresent() && observed.isPresent()) {
            store = Observed.store(store, observed.get(), meters.get());
        }
        return store;
    }

    /**
     * Where Factum's observations go: the application's {@link ObservationRegistry} (Spring Boot's, with its
     * meter and tracing handlers), else one that records timers in its {@link MeterRegistry}; none with
     * {@code factum.metrics.enabled=false}.
     */
    private static Optional<ObservationRegistry> observations(
            FactumProperties properties,
            ObjectProvider<ObservationRegistry> observations,
            ObjectProvider<MeterRegistry> registries) {
        if (!properties.metrics().enabled()) {
            return Optional.empty();
        }
        ObservationRegistry registry = observations.getIfUnique();
        return registry != null
                ? Optional.of(registry)
                : meterRegistry(properties, registries).map(Observed::withMetrics);
    }

    private static Optional<MeterRegistry> meterRegistry(
            FactumProperties properties, ObjectProvider<MeterRegistry> registries) {
        return properties.metrics().enabled() ? Optional.ofNullable(registries.getIfUnique()) : Optional.empty();
    }

    /** There is a projection or a subscription for {@link FactumSubscriptions} to run. */
    static class OnReadSideBeans extends AnyNestedCondition {

        OnReadSideBeans() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnBean(SqlProjection.class)
        static class Projections {}

        @ConditionalOnBean(Subscription.Builder.class)
        static class Subscriptions {}
    }
}
