package io.factum.core.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.StreamIds;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConsumerGroupTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final int STREAMS = 24;

    final EventStore store = EventStore.inMemory();
    final LeaseStore leases = LeaseStore.inMemory(Clock.systemUTC());
    final CheckpointStore checkpoints = CheckpointStore.inMemory(leases);
    final List<ConsumerGroup> members = new CopyOnWriteArrayList<>();

    /** Per stream, the versions in the order they were handled, and by whom. */
    final Map<String, List<Long>> handled = new ConcurrentHashMap<>();

    final Map<String, Set<String>> handlers = new ConcurrentHashMap<>();

    @AfterEach
    void close() {
        members.forEach(ConsumerGroup::close);
        store.close();
    }

    ConsumerGroup join(String member) {
        ConsumerGroup group = ConsumerGroup.builder("orders", member, store, checkpoints, leases)
                .buckets(8)
                .leaseTime(Duration.ofMillis(300))
                .batchSize(20)
                .handler(event -> {
                    handled.computeIfAbsent(event.streamId(), s -> new CopyOnWriteArrayList<>())
                            .add(event.streamVersion());
                    handlers.computeIfAbsent(event.streamId(), s -> ConcurrentHashMap.newKeySet())
                            .add(member);
                })
                .start();
        members.add(group);
        return group;
    }

    void appendRound(int round) {
        for (int s = 0; s < STREAMS; s++) {
            store.append("order-" + s, ExpectedVersion.any(), EventData.of("E" + round, "{}"));
        }
    }

    @Test
    void members_split_the_buckets_and_each_stream_is_handled_in_order() throws Exception {
        ConsumerGroup a = join("a");
        ConsumerGroup b = join("b");
        ConsumerGroup c = join("c");
        awaitBuckets(List.of(a, b, c), 8);
        for (int round = 0; round < 10; round++) {
            appendRound(round);
        }
        Position head = store.headPosition();
        for (ConsumerGroup member : List.of(a, b, c)) {
            assertThat(member.awaitPosition(head, WAIT)).isTrue();
        }
        Set<Integer> all = new HashSet<>();
        for (ConsumerGroup member : List.of(a, b, c)) {
            assertThat(member.buckets()).hasSizeBetween(2, 3);
            all.addAll(member.buckets());
        }
        assertThat(all).hasSize(8);
        assertEveryStreamHandledInOrder(10);
        // one member per stream: its bucket's
        handlers.forEach((stream, who) -> assertThat(who).as(stream).hasSize(1));
    }

    @Test
    void a_checkpoint_store_that_does_not_share_the_lease_store_stops_the_member_with_a_clear_error() throws Exception {
        // failed before: the member took its buckets, the checkpoint store refused every lease, the member
        // gave them up and took them again, for ever, handling nothing
        appendRound(0);
        ConsumerGroup member = ConsumerGroup.builder("orders", "a", store, CheckpointStore.inMemory(), leases)
                .buckets(8)
                .handler(event -> handled.computeIfAbsent(event.streamId(), s -> new CopyOnWriteArrayList<>())
                        .add(event.streamVersion()))
                .start();
        members.add(member);

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (member.state() != SubscriptionState.FAILED && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }

        assertThat(member.state()).isEqualTo(SubscriptionState.FAILED);
        assertThat(member.lastError()).hasValueSatisfying(error -> assertThat(error)
                .contains("the two do not share their leases")
                .contains("CheckpointStore.inMemory(leases)"));
        assertThat(handled.values().stream().mapToInt(List::size).sum())
                .as("handled at most the events of the bucket whose checkpoint it tried to save")
                .isLessThanOrEqualTo(STREAMS);
    }

    @Test
    void when_a_member_dies_its_buckets_move_to_the_others_and_nothing_is_lost() throws Exception {
        ConsumerGroup a = join("a");
        ConsumerGroup b = join("b");
        awaitBuckets(List.of(a, b), 8);
        for (int round = 0; round < 5; round++) {
            appendRound(round);
        }
        assertThat(b.awaitPosition(store.headPosition(), WAIT)).isTrue();
        assertThat(a.awaitPosition(store.headPosition(), WAIT)).isTrue();
        List<Integer> ofB = b.buckets();

        // when b dies without leaving, and more events arrive
        ((GroupMember) b).crash();
        members.remove(b);
        for (int round = 5; round < 10; round++) {
            appendRound(round);
        }

        // then a takes b's buckets once the leases expired, and catches up
        awaitBuckets(List.of(a), 8);
        assertThat(a.buckets()).containsAll(ofB);
        assertThat(a.awaitPosition(store.headPosition(), WAIT)).isTrue();
        assertEveryStreamHandledInOrder(10);
    }

    @Test
    void a_member_that_joins_takes_a_fair_share_from_the_others() throws Exception {
        ConsumerGroup a = join("a");
        awaitBuckets(List.of(a), 8);
        assertThat(a.buckets()).hasSize(8);
        ConsumerGroup b = join("b");
        awaitBuckets(List.of(a, b), 8);
        assertThat(a.buckets()).hasSize(4);
        assertThat(b.buckets()).hasSize(4);
        appendRound(0);
        assertThat(a.awaitPosition(store.headPosition(), WAIT)).isTrue();
        assertThat(b.awaitPosition(store.headPosition(), WAIT)).isTrue();
        assertEveryStreamHandledInOrder(1);
    }

    @Test
    void a_stale_member_cannot_move_a_bucket_it_lost() {
        Lease old = leases.acquire("g", 0, "stale", Duration.ofMillis(1)).orElseThrow();
        long until = System.nanoTime() + Duration.ofMillis(50).toNanos();
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        Lease taken = leases.acquire("g", 0, "fresh", Duration.ofSeconds(5)).orElseThrow();
        assertThat(taken.epoch()).isEqualTo(old.epoch() + 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> checkpoints.save("g/0", Position.START, Position.of(5), old))
                .isInstanceOf(LeaseLostException.class)
                .hasMessageStartingWith("consumer group g, bucket 0: member stale holds no lease with epoch 1");
        assertThat(checkpoints.load("g/0")).isEqualTo(Position.START);
        checkpoints.save("g/0", Position.START, Position.of(5), taken);
        assertThat(checkpoints.load("g/0")).isEqualTo(Position.of(5));
    }

    void assertEveryStreamHandledInOrder(int perStream) {
        for (int s = 0; s < STREAMS; s++) {
            List<Long> versions = handled.getOrDefault("order-" + s, List.of());
            // at least once, in order: a redelivery repeats a suffix, never goes back before it
            List<Long> distinct = versions.stream().distinct().toList();
            List<Long> expected = new ArrayList<>();
            for (long v = 0; v < perStream; v++) {
                expected.add(v);
            }
            assertThat(distinct)
                    .as("order-" + s + " (bucket " + StreamIds.bucket("order-" + s, 8) + ")")
                    .isEqualTo(expected);
        }
    }

    static void awaitBuckets(List<ConsumerGroup> group, int buckets) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            int held = group.stream().mapToInt(m -> m.buckets().size()).sum();
            int max = group.stream().mapToInt(m -> m.buckets().size()).max().orElse(0);
            int min = group.stream().mapToInt(m -> m.buckets().size()).min().orElse(0);
            if (held == buckets && max - min <= 1) {
                return;
            }
            Thread.sleep(10);
        }
        assertThat(group.stream().map(ConsumerGroup::buckets).toList())
                .as("buckets of the members")
                .isEqualTo("all " + buckets + " held, evenly");
    }
}
