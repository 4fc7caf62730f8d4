package io.factum.spring.boot.starter;

import io.factum.core.subscription.SubscriptionState;
import io.factum.core.subscription.SubscriptionStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Whether the projections and subscriptions run: {@code DOWN} if one has {@code FAILED} (its store fails, or
 * it cannot run, such as a projection older than the active version), {@code OUT_OF_SERVICE} if one lags
 * behind the head by more than {@code factum.health.max-lag} (when set), {@code UP} otherwise. The details
 * give each one's state and lag. Answered from memory: it never waits for the store.
 */
final class SubscriptionsHealthIndicator implements HealthIndicator {

    private final FactumSubscriptions subscriptions;
    private final Optional<Duration> maxLag;

    SubscriptionsHealthIndicator(FactumSubscriptions subscriptions, Optional<Duration> maxLag) {
        this.subscriptions = subscriptions;
        this.maxLag = maxLag;
    }

    @Override
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean failed = false;
        boolean lagging = false;
        for (SubscriptionStatus status : subscriptions.statuses()) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("state", status.state().name());
            detail.put("lagEvents", status.lagEvents());
            detail.put("lag", status.lag().toString());
            status.lastError().ifPresent(error -> detail.put("lastError", error));
            details.put(status.name(), detail);
            failed |= status.state() == SubscriptionState.FAILED;
            lagging |= maxLag.filter(limit -> status.lag().compareTo(limit) > 0).isPresent();
        }
        Health.Builder health = failed ? Health.down() : lagging ? Health.outOfService() : Health.up();
        maxLag.ifPresent(limit -> health.withDetail("maxLag", limit.toString()));
        return health.withDetails(details).build();
    }
}
