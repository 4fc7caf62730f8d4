package io.factum.spring.boot.starter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.SqlEventStore;
import io.factum.core.StoreException;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandHandler;
import io.factum.core.command.CommandResult;
import io.factum.core.observation.Observed;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import io.factum.core.subscription.CheckpointStore;
import io.factum.core.subscription.Subscription;
import io.factum.core.subscription.SubscriptionState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class FactumAutoConfigurationTest {

    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(FactumAutoConfiguration.class))
                .withPropertyValues("factum.store.sqlite.file=" + dir.resolve("factum.db"));
    }

    @Nested
    class TheStore {

        @Test
        void is_sqlite_in_the_configured_file_and_closes_with_the_context() {
            Path file = dir.resolve("nested/dir/events.db");
            AtomicReference<SqlEventStore> opened = new AtomicReference<>();
            runner().withPropertyValues("factum.store.sqlite.file=" + file).run(context -> {
                SqlEventStore store = context.getBean(SqlEventStore.class);
                store.append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}"));
                opened.set(store);
                assertThat(file).exists();
            });
            assertThatThrownBy(() -> opened.get().headPosition()).isInstanceOf(StoreException.class);
        }

        @Test
        void is_the_application_s_own_when_it_has_one() {
            EventStore own = EventStore.inMemory();
            runner().withBean(EventStore.class, () -> own).run(context -> {
                assertThat(context).getBean(EventStore.class).isSameAs(own);
                assertThat(context).doesNotHaveBean(SqlEventStore.class);
                assertThat(dir.resolve("factum.db")).doesNotExist();
            });
        }

        @Test
        void is_wrapped_by_the_decorator_beans_before_any_bean_sees_it() {
            AtomicInteger appends = new AtomicInteger();
            runner().withBean(EventStoreDecorator.class, () -> store -> countingAppends(store, appends))
                    .run(context -> {
                        context.getBean(EventStore.class)
                                .append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}"));
                        assertThat(appends).hasValue(1);
                        assertThat(context.getBean(SqlEventStore.class).checkpoints())
                                .isNotNull();
                    });
        }

        @Test
        void on_postgres_needs_a_data_source() {
            runner().withPropertyValues("factum.store.type=postgres").run(context -> assertThat(context)
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(FactumConfigurationException.class)
                    .hasMessage("factum.store.type=postgres opens the store on the application's DataSource, but"
                            + " the context has none; add spring-boot-starter-jdbc and spring.datasource.url, or"
                            + " define a DataSource bean (mark one @Primary if there are several)"));
        }
    }

    @Nested
    class TheSerializer {

        @Test
        void knows_the_event_types_of_the_property_and_of_the_customizers() {
            runner().withPropertyValues(LedgerConfiguration.EVENT_TYPES)
                    .withBean(
                            EventTypesCustomizer.class, () -> types -> types.alias("Deposited", Ledger.Credited.class))
                    .run(context -> {
                        EventTypes types = context.getBean(EventTypes.class);
                        assertThat(types.of(Ledger.Credited.class).name()).isEqualTo("Credited");
                        assertThat(types.of(Ledger.Debited.class).name()).isEqualTo("Debited");
                        assertThat(types.forName("Deposited"))
                                .map(EventTypes.Registration::type)
                                .contains(Ledger.Credited.class);
                        assertThat(context.getBean(EventSerializer.class).types())
                                .isSameAs(types);
                    });
        }

        @Test
        void is_built_on_the_application_s_own_event_types() {
            EventTypes own = EventTypes.builder()
                    .register(Ledger.Credited.class, "LedgerCredited")
                    .build();
            runner().withBean(EventTypes.class, () -> own).run(context -> assertThat(
                            context.getBean(EventSerializer.class).types())
                    .isSameAs(own));
        }
    }

    @Nested
    class TheCommandBus {

        @Test
        void sends_each_command_to_the_handler_bean_of_its_type() {
            runner().withPropertyValues(LedgerConfiguration.EVENT_TYPES)
                    .withUserConfiguration(LedgerConfiguration.class)
                    .run(context -> {
                        CommandBus bus = context.getBean(CommandBus.class);
                        // a typed @Bean lambda, then a class that implements CommandHandler<Debit>
                        CommandResult credited = bus.send(new Ledger.Credit("7", 500), CommandContext.create());
                        CommandResult debited = bus.send(new Ledger.Debit("7", 200), CommandContext.create());
                        assertThat(credited).isInstanceOfSatisfying(CommandResult.Accepted.class, accepted -> {
                            assertThat(accepted.streamId()).isEqualTo("ledger-7");
                            assertThat(accepted.version()).isZero();
                        });
                        assertThat(debited).isInstanceOfSatisfying(CommandResult.Accepted.class, accepted -> assertThat(
                                        accepted.version())
                                .isEqualTo(1));
                    });
        }

        @Test
        void answers_a_rejection_of_the_domain_s_own_as_rejected() {
            runner().withPropertyValues(LedgerConfiguration.EVENT_TYPES)
                    .withUserConfiguration(LedgerConfiguration.class)
                    .run(context -> {
                        CommandResult result = context.getBean(CommandBus.class)
                                .send(new Ledger.Debit("8", 100), CommandContext.create());
                        assertThat(result).isInstanceOfSatisfying(CommandResult.Rejected.class, rejected -> {
                            assertThat(rejected.rule()).isEqualTo("overdrawn");
                            assertThat(rejected.message()).isEqualTo("cannot debit 100, the balance is 0");
                        });
                        assertThat(context.getBean(EventStore.class)
                                        .headPosition()
                                        .position())
                                .isZero();
                    });
        }

        @Test
        void measures_commands_in_the_application_s_meter_registry() {
            runner().withPropertyValues(LedgerConfiguration.EVENT_TYPES)
                    .withUserConfiguration(LedgerConfiguration.class)
                    .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                    .run(context -> {
                        context.getBean(CommandBus.class).send(new Ledger.Credit("9", 1), CommandContext.create());
                        assertThat(context.getBean(MeterRegistry.class)
                                        .get("factum.commands")
                                        .tag("command", "Credit")
                                        .tag("outcome", "accepted")
                                        .timer()
                                        .count())
                                .isEqualTo(1);
                        assertThat(context.getBean(MeterRegistry.class)
                                        .get("factum.appends")
                                        .tag("outcome", "ok")
                                        .timer()
                                        .count())
                                .isEqualTo(1);
                    });
        }

        @Test
        void observes_commands_and_their_appends_in_the_application_s_observation_registry() {
            runner().withPropertyValues(LedgerConfiguration.EVENT_TYPES)
                    .withUserConfiguration(LedgerConfiguration.class)
                    .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                    .withBean(ObservationRegistry.class, TestObservationRegistry::create)
                    .run(context -> {
                        context.getBean(CommandBus.class).send(new Ledger.Credit("9", 1), CommandContext.create());
                        TestObservationRegistry observations = context.getBean(TestObservationRegistry.class);
                        TestObservationRegistryAssert.assertThat(observations)
                                .hasObservationWithNameEqualTo(Observed.COMMANDS)
                                .that()
                                .hasLowCardinalityKeyValue("outcome", "accepted");
                        TestObservationRegistryAssert.assertThat(observations)
                                .hasHandledContextsThatSatisfy(contexts -> assertThat(contexts.stream()
                                                .filter(c -> Observed.APPENDS.equals(c.getName()))
                                                .findFirst()
                                                .orElseThrow()
                                                .getParentObservation()
                                                .getContextView()
                                                .getName())
                                        .isEqualTo(Observed.COMMANDS));
                    });
        }

        @Test
        void refuses_a_handler_whose_command_type_cannot_be_told() {
            runner().withUserConfiguration(RawHandler.class).run(context -> assertThat(context)
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(FactumConfigurationException.class)
                    .hasMessageStartingWith(
                            "the command type of handler bean 'anything' cannot be told from its" + " signature"));
        }

        @Test
        void refuses_two_handlers_of_one_command_type() {
            runner().withPropertyValues(LedgerConfiguration.EVENT_TYPES)
                    .withUserConfiguration(LedgerConfiguration.class, SecondCreditHandler.class)
                    .run(context -> assertThat(context)
                            .getFailure()
                            .rootCause()
                            .isInstanceOf(FactumConfigurationException.class)
                            .hasMessage("command io.factum.spring.boot.starter.Ledger$Credit has two handler beans,"
                                    + " 'creditHandler' and 'anotherCreditHandler'; a command type has exactly one"
                                    + " handler"));
        }

        @Test
        void refuses_to_start_when_an_expected_command_has_no_handler() {
            runner().withPropertyValues(
                            LedgerConfiguration.EVENT_TYPES,
                            "factum.commands.expect-handlers-for=io.factum.spring.boot.starter.Ledger$LedgerCommand")
                    .withUserConfiguration(CreditOnly.class)
                    .run(context -> assertThat(context)
                            .getFailure()
                            .rootCause()
                            .hasMessage("commands without a handler: [io.factum.spring.boot.starter.Ledger$Debit];"
                                    + " register one with CommandBus.builder().handle(type, handler)"));
        }

        @Test
        void is_the_application_s_own_when_it_has_one() {
            CommandBus own = CommandBus.builder().build();
            runner().withPropertyValues(LedgerConfiguration.EVENT_TYPES)
                    .withUserConfiguration(LedgerConfiguration.class)
                    .withBean(CommandBus.class, () -> own)
                    .run(context ->
                            assertThat(context).getBean(CommandBus.class).isSameAs(own));
        }
    }

    @Nested
    class NothingUnasked {

        @Test
        void without_handler_projection_or_subscription_beans_there_is_no_bus_and_no_read_side() {
            // other tests' application contexts, cached, may run subscriptions of their own in this JVM
            Set<Thread> before = subscriptionThreads();
            runner().run(context -> {
                assertThat(context).hasSingleBean(SqlEventStore.class);
                assertThat(context).doesNotHaveBean(CommandBus.class);
                assertThat(context).doesNotHaveBean(FactumSubscriptions.class);
                assertThat(subscriptionThreads()).isSubsetOf(before);
            });
        }

        private static Set<Thread> subscriptionThreads() {
            return Thread.getAllStackTraces().keySet().stream()
                    .filter(thread -> thread.getName().startsWith("factum-subscription"))
                    .collect(Collectors.toSet());
        }
    }

    @Nested
    class TheReadSide {

        @Test
        void runs_the_projection_beans_as_one_group_from_the_start_of_the_context_until_its_end() {
            AtomicReference<FactumSubscriptions> running = new AtomicReference<>();
            runner().withPropertyValues(LedgerConfiguration.EVENT_TYPES)
                    .withUserConfiguration(LedgerConfiguration.class)
                    .run(context -> {
                        FactumSubscriptions subscriptions = context.getBean(FactumSubscriptions.class);
                        running.set(subscriptions);
                        var credited = (CommandResult.Accepted) context.getBean(CommandBus.class)
                                .send(new Ledger.Credit("1", 250), CommandContext.create());
                        assertThat(subscriptions
                                        .projection("balances")
                                        .query(credited.position(), Duration.ofSeconds(10), Balances.of("1")))
                                .contains(250L);
                        assertThat(subscriptions.statuses())
                                .singleElement()
                                .satisfies(status -> assertThat(status.name()).isEqualTo("balances@v1"));
                    });
            assertThat(running.get().isRunning()).isFalse();
            assertThatThrownBy(() -> running.get().projection("balances"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Factum's projections and subscriptions are not running");
        }

        @Test
        void runs_each_projection_on_its_own_when_not_grouped() {
            runner().withPropertyValues(LedgerConfiguration.EVENT_TYPES, "factum.projections.grouped=false")
                    .withUserConfiguration(LedgerConfiguration.class)
                    .run(context -> {
                        var credited = (CommandResult.Accepted) context.getBean(CommandBus.class)
                                .send(new Ledger.Credit("2", 40), CommandContext.create());
                        assertThat(context.getBean(FactumSubscriptions.class)
                                        .projection("balances")
                                        .query(credited.position(), Duration.ofSeconds(10), Balances.of("2")))
                                .contains(40L);
                    });
        }

        @Test
        void starts_the_subscription_beans_with_the_application_s_meter_registry() {
            runner().withUserConfiguration(CountingSubscription.class)
                    .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                    .run(context -> {
                        context.getBean(EventStore.class)
                                .append("order-5", ExpectedVersion.noStream(), EventData.of("Placed", "{}"));
                        Subscription counting =
                                context.getBean(FactumSubscriptions.class).subscription("counting");
                        await().atMost(Duration.ofSeconds(10))
                                .until(() -> counting.status().processed() == 1);
                        assertThat(context.getBean(MeterRegistry.class)
                                        .get("factum.subscription.events")
                                        .tag("subscription", "counting")
                                        .functionCounter()
                                        .count())
                                .isEqualTo(1);
                    });
        }

        @Test
        void closes_the_subscriptions_with_the_context() {
            AtomicReference<Subscription> started = new AtomicReference<>();
            runner().withUserConfiguration(CountingSubscription.class)
                    .run(context -> started.set(
                            context.getBean(FactumSubscriptions.class).subscription("counting")));
            assertThat(started.get().status().state()).isEqualTo(SubscriptionState.STOPPED);
        }
    }

    /** {@code store}, counting its appends: a decorator as an application would write one. */
    static SqlEventStore countingAppends(SqlEventStore store, AtomicInteger appends) {
        return (SqlEventStore) Proxy.newProxyInstance(
                SqlEventStore.class.getClassLoader(), new Class<?>[] {SqlEventStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("append")) {
                        appends.incrementAndGet();
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class RawHandler {
        @Bean
        @SuppressWarnings("rawtypes") // the point: a handler whose command type cannot be told
        CommandHandler anything() {
            return (command, context) -> "done";
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SecondCreditHandler {
        @Bean
        CommandHandler<Ledger.Credit> anotherCreditHandler() {
            return (command, context) -> "credited elsewhere";
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CreditOnly {
        @Bean
        CommandHandler<Ledger.Credit> creditHandler() {
            return (command, context) -> "credited";
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CountingSubscription {
        @Bean
        Subscription.Builder counting(EventStore store) {
            return Subscription.handler("counting", store, CheckpointStore.inMemory(), event -> {});
        }
    }
}
