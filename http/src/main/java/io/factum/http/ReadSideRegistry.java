package io.factum.http;

import io.factum.core.Position;
import io.factum.core.subscription.CheckpointStore;
import io.factum.core.subscription.ConsumerGroup;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.Subscription;
import io.factum.core.subscription.SubscriptionState;
import io.factum.core.subscription.SubscriptionStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The subscriptions, SQL projections and consumer groups an application runs, for the admin pages and
 * health. The application fills it as it starts its read side:
 *
 * <pre>{@code
 * ReadSideRegistry readSide = new ReadSideRegistry()
 *         .checkpoints(checkpointStore)
 *         .leases(leaseStore)
 *         .subscription(ordersProjection)
 *         .group(shippingMember)
 *         .rebuilder("orders", () -> readSide.subscription(startOrdersProjection(nextVersion)));
 * }</pre>
 *
 * <p>Subscriptions and group members are kept by name (a subscription's {@link Subscription#name()}; a
 * member's group and member id): registering one under a name already taken replaces the earlier one.
 * Thread-safe: registering, removing and reading may happen on any thread at any time.
 */
public final class ReadSideRegistry {

    private final Map<String, Subscription> subscriptions = new ConcurrentSkipListMap<>();
    private final Map<String, ConsumerGroup> members = new ConcurrentSkipListMap<>();
    private final Map<String, Runnable> rebuilders = new ConcurrentHashMap<>();
    private final AtomicReference<CheckpointStore> checkpointStore = new AtomicReference<>();
    private final AtomicReference<LeaseStore> leaseStore = new AtomicReference<>();

    /** An empty registry. */
    public ReadSideRegistry() {}

    /** Shows {@code subscription} (a handler or a SQL projection), replacing one of the same name. */
    public ReadSideRegistry subscription(Subscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        subscriptions.put(subscription.name(), subscription);
        return this;
    }

    /** Shows the consumer group member {@code member}, replacing one with the same group and member id. */
    public ReadSideRegistry group(ConsumerGroup member) {
        Objects.requireNonNull(member, "member");
        members.put(member.group() + "\u0000" + member.member(), member);
        return this;
    }

    /**
     * The checkpoint store of the subscriptions: the admin pages read parked events and the active version
     * of projections from it.
     */
    public ReadSideRegistry checkpoints(CheckpointStore store) {
        checkpointStore.set(Objects.requireNonNull(store, "store"));
        return this;
    }

    /** The lease store of the consumer groups: the admin pages show every member's buckets from it. */
    public ReadSideRegistry leases(LeaseStore store) {
        leaseStore.set(Objects.requireNonNull(store, "store"));
        return this;
    }

    /**
     * What the rebuild button of projection {@code projectionName} does: {@code startNextVersion} should
     * start the projection's next version (a {@link Subscription#sqlProjection} whose {@code version()} is
     * higher than the active one, which core builds blue/green beside the active one) and register it here.
     * It runs on the HTTP request's thread; start the subscription and return, do not wait for it. Replaces
     * an earlier callback for the same projection.
     */
    public ReadSideRegistry rebuilder(String projectionName, Runnable startNextVersion) {
        Objects.requireNonNull(projectionName, "projectionName");
        rebuilders.put(projectionName, Objects.requireNonNull(startNextVersion, "startNextVersion"));
        return this;
    }

    /**
     * Stops showing the subscription named {@code name} (for example the old version of a projection once
     * the new one took over: it stops as {@link SubscriptionState#FAILED} and would count in {@link
     * #anyFailed()}).
     *
     * @return true if one was registered under that name
     */
    public boolean removeSubscription(String name) {
        return subscriptions.remove(Objects.requireNonNull(name, "name")) != null;
    }

    /** Stops showing the member {@code member} of {@code group}; true if it was registered. */
    public boolean removeGroupMember(String group, String member) {
        return members.remove(group + "\u0000" + member) != null;
    }

    /** The registered subscriptions, by name. */
    public List<Subscription> subscriptions() {
        return List.copyOf(subscriptions.values());
    }

    /** The registered consumer group members, by group and member id. */
    public List<ConsumerGroup> groups() {
        return List.copyOf(members.values());
    }

    /** The registered checkpoint store, if any. */
    public Optional<CheckpointStore> checkpointStore() {
        return Optional.ofNullable(checkpointStore.get());
    }

    /** The registered lease store, if any. */
    public Optional<LeaseStore> leaseStore() {
        return Optional.ofNullable(leaseStore.get());
    }

    /** True if a rebuild callback is registered for {@code projectionName}. */
    public boolean canRebuild(String projectionName) {
        return rebuilders.containsKey(projectionName);
    }

    /**
     * Runs the rebuild callback of {@code projectionName} on this thread.
     *
     * @throws IllegalArgumentException if no callback is registered for it
     */
    public void rebuild(String projectionName) {
        Runnable callback = rebuilders.get(projectionName);
        if (callback == null) {
            throw new IllegalArgumentException("no rebuild callback is registered for projection '" + projectionName
                    + "'; register one with ReadSideRegistry.rebuilder(name, startNextVersion)");
        }
        callback.run();
    }

    /**
     * The status of every registered subscription, then of every group member (named {@code
     * <group>/<member>}, with the member's state and last error; positions and lag are per bucket, so they
     * read START and 0 here), in the order of {@link #subscriptions()} and {@link #groups()}. Stable: health
     * builds readiness on it.
     */
    public List<SubscriptionStatus> statuses() {
        List<SubscriptionStatus> statuses = new ArrayList<>();
        for (Subscription subscription : subscriptions.values()) {
            statuses.add(subscription.status());
        }
        for (ConsumerGroup member : members.values()) {
            statuses.add(new SubscriptionStatus(
                    member.group() + "/" + member.member(),
                    member.state(),
                    Position.START,
                    Position.START,
                    Position.START,
                    0,
                    Duration.ZERO,
                    member.processed(),
                    0,
                    member.lastError()));
        }
        return List.copyOf(statuses);
    }

    /** True if a registered subscription or group member is {@link SubscriptionState#FAILED}. */
    public boolean anyFailed() {
        return subscriptions.values().stream().anyMatch(s -> s.status().state() == SubscriptionState.FAILED)
                || members.values().stream().anyMatch(m -> m.state() == SubscriptionState.FAILED);
    }
}
