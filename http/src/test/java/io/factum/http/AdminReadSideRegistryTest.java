package io.factum.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.subscription.SubscriptionState;
import io.factum.core.subscription.SubscriptionStatus;
import io.factum.http.AdminTestApp.FakeProjection;
import org.junit.jupiter.api.Test;

class AdminReadSideRegistryTest {

    @Test
    void reports_the_statuses_and_whether_any_failed() {
        ReadSideRegistry registry =
                new ReadSideRegistry().subscription(new FakeProjection("orders", 1, 1, SubscriptionState.LIVE));
        assertThat(registry.anyFailed()).isFalse();

        registry.subscription(new FakeProjection("stock", 1, 1, SubscriptionState.FAILED));

        assertThat(registry.statuses()).extracting(SubscriptionStatus::name).containsExactly("orders@v1", "stock@v1");
        assertThat(registry.anyFailed()).isTrue();
    }

    @Test
    void replaces_a_subscription_of_the_same_name_and_removes_one() {
        ReadSideRegistry registry = new ReadSideRegistry()
                .subscription(new FakeProjection("orders", 1, 1, SubscriptionState.FAILED))
                .subscription(new FakeProjection("orders", 1, 1, SubscriptionState.LIVE));

        assertThat(registry.subscriptions()).hasSize(1);
        assertThat(registry.anyFailed()).isFalse();
        assertThat(registry.removeSubscription("orders@v1")).isTrue();
        assertThat(registry.statuses()).isEmpty();
    }

    @Test
    void refuses_a_rebuild_without_a_callback_and_says_how_to_register_one() {
        assertThatThrownBy(() -> new ReadSideRegistry().rebuild("orders"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no rebuild callback is registered for projection 'orders';"
                        + " register one with ReadSideRegistry.rebuilder(name, startNextVersion)");
    }
}
