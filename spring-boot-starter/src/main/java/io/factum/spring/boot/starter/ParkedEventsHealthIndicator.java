package io.factum.spring.boot.starter;

import io.factum.core.subscription.SubscriptionStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Whether events are parked: an event some read model or handler lacks, never silent. While any is parked it
 * reports {@code factum.health.parked-status} ({@code UP} by default) with the count per subscription;
 * otherwise {@code UP}. Answered from memory.
 */
final class ParkedEventsHealthIndicator implements HealthIndicator {

    private final FactumSubscriptions subscriptions;
    private final Status whileParked;

    ParkedEventsHealthIndicator(FactumSubscriptions subscriptions, FactumProperties.ParkedStatus whileParked) {
        this.subscriptions = subscriptions;
        this.whileParked = switch (whileParked) {
            case UP -> Status.UP;
            case OUT_OF_SERVICE -> Status.OUT_OF_SERVICE;
            case DOWN -> Status.DOWN;
        };
    }

    @Override
    public Health health() {
        Map<String, Integer> parked = new LinkedHashMap<>();
        for (SubscriptionStatus status : subscriptions.statuses()) {
            if (status.parked() > 0) {
                parked.put(status.name(), status.parked());
            }
        }
        if (parked.isEmpty()) {
            return Health.up().withDetail("parked", 0).build();
        }
        int total = parked.values().stream().mapToInt(Integer::intValue).sum();
        return Health.status(whileParked)
                .withDetail("parked", total)
                .withDetail("subscriptions", parked)
                .build();
    }
}
