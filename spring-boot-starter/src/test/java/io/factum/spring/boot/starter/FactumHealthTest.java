package io.factum.spring.boot.starter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.factum.core.EventData;
import io.factum.core.EventReader;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.StoreException;
import io.factum.core.subscription.CheckpointStore;
import io.factum.core.subscription.RetryPolicy;
import io.factum.core.subscription.Subscription;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class FactumHealthTest {

    @TempDir
    Path dir;

    /** What the stuck handler and the hanging store wait for: released after each test. */
    static volatile CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void hold() {
        release = new CountDownLatch(1);
    }

    @AfterEach
    void release() {
        release.countDown();
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(FactumAutoConfiguration.class, FactumHealthAutoConfiguration.class))
                .withPropertyValues("factum.store.sqlite.file=" + dir.resolve("factum.db"));
    }

    private static Health health(AssertableApplicationContext context, String part) {
        var factum = context.getBean("factumHealthContributor", CompositeHealthContributor.class);
        HealthContributor contributor = factum.getContributor(part);
        assertThat(contributor)
                .as("the part %s of the factum health contributor", part)
                .isNotNull();
        return ((HealthIndicator) contributor).health();
    }

    @Nested
    class TheStore {

        @Test
        void is_up_with_the_head_of_the_log() {
            runner().run(context -> {
                context.getBean(EventStore.class)
                        .append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}"));
                Health store = health(context, "store");
                assertThat(store.getStatus()).isEqualTo(Status.UP);
                assertThat(store.getDetails()).containsEntry("headPosition", 1L);
            });
        }

        @Test
        void is_down_when_the_store_does_not_answer_within_the_timeout() {
            runner().withPropertyValues("factum.health.store-timeout=100ms")
                    .withBean(EventStore.class, FactumHealthTest::hangingStore)
                    .run(context -> {
                        Health store = health(context, "store");
                        assertThat(store.getStatus()).isEqualTo(Status.DOWN);
                        assertThat(store.getDetails()).containsEntry("error", "no answer within 100 ms");
                        // a second check joins the read still waiting, and answers the same
                        assertThat(health(context, "store")).isEqualTo(store);
                    });
        }

        @Test
        void is_down_with_the_error_when_the_store_fails() {
            runner().withBean(EventStore.class, FactumHealthTest::failingStore).run(context -> {
                Health store = health(context, "store");
                assertThat(store.getStatus()).isEqualTo(Status.DOWN);
                assertThat(store.getDetails())
                        .containsEntry("error", StoreException.class.getName() + ": the database is down");
            });
        }
    }

    @Nested
    class TheSubscriptions {

        @Test
        void are_up_with_each_one_s_state_and_lag() {
            runner().withUserConfiguration(Subscriptions.Idle.class).run(context -> {
                await().atMost(Duration.ofSeconds(10)).until(() -> context.getBean(FactumSubscriptions.class)
                        .subscription("idle")
                        .status()
                        .state()
                        .name()
                        .equals("LIVE"));
                Health subscriptions = health(context, "subscriptions");
                assertThat(subscriptions.getStatus()).isEqualTo(Status.UP);
                assertThat(subscriptions.getDetails())
                        .containsEntry("idle", Map.of("state", "LIVE", "lagEvents", 0L, "lag", "PT0S"));
            });
        }

        @Test
        void are_down_when_one_has_failed() {
            runner().withUserConfiguration(Subscriptions.OnAFailingStore.class)
                    .run(context -> await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                                    health(context, "subscriptions").getStatus())
                            .isEqualTo(Status.DOWN)));
        }

        @Test
        void are_out_of_service_when_one_lags_more_than_allowed() {
            runner().withPropertyValues("factum.health.max-lag=1ms")
                    .withUserConfiguration(Subscriptions.Stuck.class)
                    .run(context -> {
                        context.getBean(EventStore.class)
                                .append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}"));
                        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                                        health(context, "subscriptions").getStatus())
                                .isEqualTo(Status.OUT_OF_SERVICE));
                        assertThat(health(context, "subscriptions").getDetails())
                                .containsEntry("maxLag", "PT0.001S");
                        release.countDown(); // lets the subscription stop with the context
                    });
        }

        @Test
        void do_not_count_lag_when_no_limit_is_set() {
            runner().withUserConfiguration(Subscriptions.Stuck.class).run(context -> {
                context.getBean(EventStore.class)
                        .append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}"));
                Subscription stuck = context.getBean(FactumSubscriptions.class).subscription("stuck");
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> stuck.status().lag().compareTo(Duration.ZERO) > 0);
                assertThat(health(context, "subscriptions").getStatus()).isEqualTo(Status.UP);
                release.countDown(); // lets the subscription stop with the context
            });
        }
    }

    @Nested
    class TheParkedEvents {

        @Test
        void are_up_with_the_count_by_default() {
            runner().withUserConfiguration(Subscriptions.Poisoned.class).run(context -> {
                context.getBean(EventStore.class)
                        .append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}"));
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                                health(context, "parkedEvents").getDetails())
                        .containsEntry("parked", 1));
                Health parked = health(context, "parkedEvents");
                assertThat(parked.getStatus()).isEqualTo(Status.UP);
                assertThat(parked.getDetails()).containsEntry("subscriptions", Map.of("poisoned", 1));
            });
        }

        @Test
        void take_the_configured_status() {
            runner().withPropertyValues("factum.health.parked-status=out-of-service")
                    .withUserConfiguration(Subscriptions.Poisoned.class)
                    .run(context -> {
                        context.getBean(EventStore.class)
                                .append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}"));
                        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                                        health(context, "parkedEvents").getStatus())
                                .isEqualTo(Status.OUT_OF_SERVICE));
                    });
        }
    }

    @Nested
    class TheContributor {

        @Test
        void has_only_the_store_part_without_projections_or_subscriptions() {
            runner().run(context -> {
                var factum = context.getBean("factumHealthContributor", CompositeHealthContributor.class);
                assertThat(factum.stream()).map(HealthContributors.Entry::name).containsExactly("store");
            });
        }

        @Test
        void is_left_out_when_disabled() {
            runner().withPropertyValues("management.health.factum.enabled=false")
                    .run(context -> assertThat(context).doesNotHaveBean("factumHealthContributor"));
        }

        @Test
        void is_the_application_s_own_when_it_has_one() {
            HealthIndicator own = () -> Health.up().withDetail("own", true).build();
            runner().withBean("factumHealthContributor", HealthIndicator.class, () -> own)
                    .run(context -> assertThat(context.getBean("factumHealthContributor"))
                            .isSameAs(own));
        }
    }

    /** Subscriptions in the states the checks report. */
    static final class Subscriptions {

        private static final RetryPolicy ONCE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

        @Configuration(proxyBeanMethods = false)
        static class Idle {
            @Bean
            Subscription.Builder idle(EventStore store) {
                return Subscription.handler("idle", store, CheckpointStore.inMemory(), event -> {});
            }
        }

        @Configuration(proxyBeanMethods = false)
        static class Stuck {
            @Bean
            Subscription.Builder stuck(EventStore store) {
                return Subscription.handler("stuck", store, CheckpointStore.inMemory(), event -> release.await());
            }
        }

        @Configuration(proxyBeanMethods = false)
        static class Poisoned {
            @Bean
            Subscription.Builder poisoned(EventStore store) {
                return Subscription.handler("poisoned", store, CheckpointStore.inMemory(), event -> {
                            throw new IllegalStateException("cannot handle " + event.type());
                        })
                        .retry(ONCE);
            }
        }

        @Configuration(proxyBeanMethods = false)
        static class OnAFailingStore {
            @Bean
            Subscription.Builder failing() {
                return Subscription.handler(
                                "failing", (EventReader) failingStore(), CheckpointStore.inMemory(), event -> {})
                        .retry(ONCE);
            }
        }

        private Subscriptions() {}
    }

    /** A store whose every call waits until the test ends. */
    static EventStore hangingStore() {
        return proxy(() -> {
            release.await();
            throw new StoreException("released");
        });
    }

    /** A store whose every call fails as an unreachable database does. */
    static EventStore failingStore() {
        return proxy(() -> {
            throw new StoreException("the database is down");
        });
    }

    private interface Answer {
        Object call() throws Exception;
    }

    private static EventStore proxy(Answer answer) {
        return (EventStore) Proxy.newProxyInstance(
                EventStore.class.getClassLoader(), new Class<?>[] {EventStore.class}, (self, method, args) -> {
                    if (isObjectMethod(method)) {
                        return objectMethod(self, method, args);
                    }
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    return answer.call();
                });
    }

    private static boolean isObjectMethod(Method method) {
        return method.getDeclaringClass() == Object.class;
    }

    private static Object objectMethod(Object self, Method method, Object[] args)
            throws IllegalAccessException, InvocationTargetException {
        return switch (method.getName()) {
            case "equals" -> self == args[0];
            case "hashCode" -> System.identityHashCode(self);
            case "toString" -> "a test store";
            default -> method.invoke(self, args);
        };
    }
}
