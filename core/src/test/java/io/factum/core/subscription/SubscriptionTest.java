package io.factum.core.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventReader;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SubscriptionTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5));

    final EventStore store = EventStore.inMemory();
    final CheckpointStore checkpoints = CheckpointStore.inMemory();
    final List<Subscription> running = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        running.forEach(Subscription::close);
        store.close();
    }

    AppendResult append(String stream, String... types) {
        return store.append(
                stream,
                ExpectedVersion.any(),
                java.util.Arrays.stream(types)
                        .map(type -> EventData.of(type, "{}"))
                        .toList());
    }

    Subscription start(Subscription.Builder builder) {
        Subscription subscription = builder.retry(FAST).start();
        running.add(subscription);
        return subscription;
    }

    @Nested
    class Delivery {

        @Test
        void catches_up_then_receives_live_events_in_log_order() throws Exception {
            // given
            append("order-1", "Created", "ItemAdded");
            append("order-2", "Created");
            List<String> seen = new CopyOnWriteArrayList<>();
            Subscription subscription = start(
                    Subscription.handler("summary", store, checkpoints, e -> seen.add(e.streamId() + "/" + e.type()))
                            .batchSize(2));
            // when
            AppendResult live = append("order-1", "Confirmed");
            // then
            assertThat(subscription.awaitPosition(live.position(), WAIT)).isTrue();
            assertThat(seen)
                    .containsExactly("order-1/Created", "order-1/ItemAdded", "order-2/Created", "order-1/Confirmed");
            assertThat(checkpoints.load("summary")).isEqualTo(live.position());
            awaitState(subscription, SubscriptionState.LIVE);
        }

        @Test
        void goes_on_from_its_checkpoint_after_a_restart() throws Exception {
            append("order-1", "Created", "ItemAdded");
            List<String> first = new CopyOnWriteArrayList<>();
            Subscription one = start(Subscription.handler("s", store, checkpoints, e -> first.add(e.type())));
            assertThat(one.awaitPosition(store.headPosition(), WAIT)).isTrue();
            one.close();
            AppendResult later = append("order-1", "Confirmed");
            List<String> second = new CopyOnWriteArrayList<>();
            Subscription two = start(Subscription.handler("s", store, checkpoints, e -> second.add(e.type())));
            assertThat(two.awaitPosition(later.position(), WAIT)).isTrue();
            assertThat(first).containsExactly("Created", "ItemAdded");
            assertThat(second).containsExactly("Confirmed");
        }

        @Test
        void reads_only_what_its_filter_keeps_and_still_passes_positions_of_other_events() throws Exception {
            append("order-1", "Created");
            append("customer-1", "Registered");
            AppendResult last = append("customer-2", "Registered");
            List<String> seen = new CopyOnWriteArrayList<>();
            Subscription subscription =
                    start(Subscription.handler("orders", store, checkpoints, e -> seen.add(e.streamId()))
                            .filter(EventFilter.categories("order")));
            assertThat(subscription.awaitPosition(last.position(), WAIT)).isTrue();
            assertThat(seen).containsExactly("order-1");
            assertThat(subscription.status().processedThrough()).isEqualTo(last.position());
            assertThat(subscription.status().lagEvents()).isZero();
        }

        @Test
        void a_wait_for_a_position_not_reached_in_time_says_false() throws Exception {
            AtomicBoolean block = new AtomicBoolean(true);
            Subscription subscription = start(Subscription.handler("slow", store, checkpoints, e -> {
                while (block.get()) {
                    Thread.sleep(5);
                }
            }));
            AppendResult appended = append("order-1", "Created");
            assertThat(subscription.awaitPosition(appended.position(), Duration.ofMillis(50)))
                    .isFalse();
            block.set(false);
            assertThat(subscription.awaitPosition(appended.position(), WAIT)).isTrue();
        }

        @Test
        void two_instances_of_one_subscription_end_with_the_checkpoint_at_the_head() throws Exception {
            for (int i = 0; i < 200; i++) {
                append("order-" + (i % 7), "E" + i);
            }
            AtomicInteger handled = new AtomicInteger();
            EventHandler handler = e -> handled.incrementAndGet();
            Subscription a = start(
                    Subscription.handler("twin", store, checkpoints, handler).batchSize(10));
            Subscription b = start(
                    Subscription.handler("twin", store, checkpoints, handler).batchSize(10));
            assertThat(a.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(b.awaitPosition(store.headPosition(), WAIT)).isTrue();
            // at-least-once: both may handle a batch, but the checkpoint only ever moves forward to the head
            assertThat(checkpoints.load("twin")).isEqualTo(store.headPosition());
            assertThat(handled.get()).isGreaterThanOrEqualTo(200);
        }
    }

    @Nested
    class Batch_handlers {

        @Test
        void get_what_was_read_at_once_and_after_a_failure_one_event_at_a_time() throws Exception {
            for (int i = 0; i < 6; i++) {
                append("order-" + i, i == 3 ? "Flaky" : "E");
            }
            List<List<String>> calls = new CopyOnWriteArrayList<>();
            AtomicInteger failures = new AtomicInteger();
            Subscription subscription = start(Subscription.batchHandler("batches", store, checkpoints, events -> {
                        calls.add(events.stream().map(RecordedEvent::streamId).toList());
                        if (events.size() > 1
                                && events.stream().anyMatch(e -> e.type().equals("Flaky"))
                                && failures.getAndIncrement() == 0) {
                            throw new IllegalStateException("not yet");
                        }
                    })
                    .batchSize(10));

            assertThat(subscription.awaitPosition(store.headPosition(), WAIT)).isTrue();

            List<String> all = List.of("order-0", "order-1", "order-2", "order-3", "order-4", "order-5");
            // the batch, then (after it failed) each event alone: at least once
            assertThat(calls.get(0)).isEqualTo(all);
            assertThat(calls.subList(1, calls.size()))
                    .containsExactly(
                            List.of("order-0"),
                            List.of("order-1"),
                            List.of("order-2"),
                            List.of("order-3"),
                            List.of("order-4"),
                            List.of("order-5"));
            assertThat(checkpoints.load("batches")).isEqualTo(store.headPosition());
            assertThat(subscription.parked()).isEmpty();
        }

        @Test
        void grouped_by_key_keep_the_order_within_a_key_and_run_keys_side_by_side() throws Exception {
            // key a waits until key b has been handled: only possible if the two run at once
            java.util.concurrent.CountDownLatch bSeen = new java.util.concurrent.CountDownLatch(1);
            List<String> seen = new CopyOnWriteArrayList<>();
            BatchHandler handler = BatchHandler.concurrentBy(RecordedEvent::streamId, 4, event -> {
                if (event.streamId().equals("a") && event.type().equals("A1")) {
                    assertThat(bSeen.await(10, java.util.concurrent.TimeUnit.SECONDS))
                            .isTrue();
                }
                seen.add(event.type());
                if (event.streamId().equals("b")) {
                    bSeen.countDown();
                }
            });
            append("a", "A1", "A2", "A3");
            append("b", "B1");

            handler.handleAll(store.readAll(Position.START, io.factum.core.ReadDirection.FORWARD, 10, EventFilter.all())
                    .events());

            assertThat(seen).containsExactly("B1", "A1", "A2", "A3");
        }

        @Test
        void grouped_by_key_throw_the_first_failure_after_every_key_is_done() {
            List<String> seen = new CopyOnWriteArrayList<>();
            BatchHandler handler = BatchHandler.concurrentBy(RecordedEvent::streamId, 2, event -> {
                if (event.type().equals("Bad")) {
                    throw new IllegalArgumentException("bad " + event.streamId());
                }
                seen.add(event.type());
            });
            append("a", "Bad", "A2");
            append("b", "B1", "B2");
            append("c", "Bad");

            assertThatThrownBy(() -> handler.handleAll(
                            store.readAll(Position.START, io.factum.core.ReadDirection.FORWARD, 10, EventFilter.all())
                                    .events()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("bad a");
            assertThat(seen).containsExactly("B1", "B2");
            assertThatThrownBy(() -> BatchHandler.concurrentBy(RecordedEvent::streamId, 0, e -> {}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("parallelism must be 1 or more, got 0");
        }
    }

    @Nested
    class Failures {

        @Test
        void retries_a_failing_event_and_goes_on_when_it_succeeds() throws Exception {
            AtomicInteger tries = new AtomicInteger();
            List<String> seen = new CopyOnWriteArrayList<>();
            Subscription subscription = start(Subscription.handler("flaky", store, checkpoints, e -> {
                if (e.type().equals("Flaky") && tries.incrementAndGet() < 3) {
                    throw new IllegalStateException("not yet");
                }
                seen.add(e.type());
            }));
            AppendResult last = append("order-1", "A", "Flaky", "B");
            assertThat(subscription.awaitPosition(last.position(), WAIT)).isTrue();
            assertThat(seen).containsExactly("A", "Flaky", "B");
            assertThat(subscription.parked()).isEmpty();
            assertThat(subscription.status().lastError()).isEmpty();
        }

        @Test
        void retries_a_batch_whose_handler_says_retry_later_for_as_long_as_it_says_so_and_parks_nothing()
                throws Exception {
            AtomicInteger tries = new AtomicInteger();
            List<String> seen = new CopyOnWriteArrayList<>();
            List<String> errorsSeen = new CopyOnWriteArrayList<>();
            Subscription[] self = new Subscription[1];
            Subscription subscription = start(Subscription.batchHandler("outage", store, checkpoints, events -> {
                // more tries than the policy's 3: an unavailable broker is no fault of the event
                if (tries.incrementAndGet() <= 5) {
                    if (self[0] != null) {
                        self[0].status().lastError().ifPresent(errorsSeen::add);
                    }
                    throw new RetryLaterException("broker localhost:1 did not answer");
                }
                events.forEach(e -> seen.add(e.type()));
            }));
            self[0] = subscription;
            AppendResult last = append("order-1", "A", "B");
            assertThat(subscription.awaitPosition(last.position(), WAIT)).isTrue();
            assertThat(seen).containsExactly("A", "B");
            assertThat(tries).hasValue(6);
            assertThat(subscription.parked()).isEmpty();
            assertThat(errorsSeen).isNotEmpty().allSatisfy(error -> assertThat(error)
                    .isEqualTo("io.factum.core.subscription.RetryLaterException: broker localhost:1 did not answer"));
        }

        @Test
        void parks_an_event_that_keeps_failing_and_goes_on_with_the_next() throws Exception {
            List<String> seen = new CopyOnWriteArrayList<>();
            AtomicBoolean broken = new AtomicBoolean(true);
            Subscription subscription = start(Subscription.handler("poison", store, checkpoints, e -> {
                if (e.type().equals("Poison") && broken.get()) {
                    throw new IllegalArgumentException("cannot read the price");
                }
                seen.add(e.type());
            }));
            AppendResult last = append("order-1", "A", "Poison", "B");
            assertThat(subscription.awaitPosition(last.position(), WAIT)).isTrue();
            assertThat(seen).containsExactly("A", "B");
            List<ParkedEvent> parked = subscription.parked();
            assertThat(parked).hasSize(1);
            ParkedEvent poison = parked.get(0);
            assertThat(poison.streamId()).isEqualTo("order-1");
            assertThat(poison.streamVersion()).isEqualTo(1);
            assertThat(poison.type()).isEqualTo("Poison");
            assertThat(poison.attempts()).isEqualTo(3);
            assertThat(poison.error()).isEqualTo("java.lang.IllegalArgumentException: cannot read the price");
            assertThat(subscription.status().parked()).isEqualTo(1);

            // when the cause is fixed, the parked event is replayed and unparked
            broken.set(false);
            assertThat(subscription.replayParked(poison.position())).isTrue();
            assertThat(seen).containsExactly("A", "B", "Poison");
            assertThat(subscription.parked()).isEmpty();
        }

        @Test
        void told_to_hold_the_stream_parks_the_streams_later_events_behind_the_poison_and_replays_them_in_order()
                throws Exception {
            List<String> seen = new CopyOnWriteArrayList<>();
            AtomicBoolean broken = new AtomicBoolean(true);
            Subscription subscription = start(Subscription.handler("ordered", store, checkpoints, e -> {
                        if (e.type().equals("Poison") && broken.get()) {
                            throw new IllegalArgumentException("cannot read the price");
                        }
                        seen.add(e.streamId() + "/" + e.type());
                    })
                    .batchSize(2)
                    .onParked(OnParked.HOLD_STREAM));
            append("order-1", "A", "Poison", "B");
            append("order-2", "C");
            AppendResult last = append("order-1", "D");
            assertThat(subscription.awaitPosition(last.position(), WAIT)).isTrue();
            assertThat(seen).containsExactly("order-1/A", "order-2/C");
            assertThat(subscription.parked()).extracting(ParkedEvent::type).containsExactly("Poison", "B", "D");
            assertThat(subscription.parked().get(1).error()).startsWith("held back");

            broken.set(false);
            assertThat(subscription.replayParked(subscription.parked().get(0).position()))
                    .isTrue();
            assertThat(seen).containsExactly("order-1/A", "order-2/C", "order-1/Poison", "order-1/B", "order-1/D");
            assertThat(subscription.parked()).isEmpty();
        }

        @Test
        void a_replay_that_fails_again_keeps_the_event_parked() throws Exception {
            Subscription subscription = start(Subscription.handler("poison", store, checkpoints, e -> {
                throw new IllegalStateException("always");
            }));
            AppendResult last = append("order-1", "Poison");
            assertThat(subscription.awaitPosition(last.position(), WAIT)).isTrue();
            assertThat(subscription.replayParked(last.position())).isFalse();
            assertThat(subscription.parked()).hasSize(1);
            assertThat(subscription.status().lastError())
                    .hasValueSatisfying(error -> assertThat(error).contains("always"));
        }

        @Test
        void replaying_a_position_that_is_not_parked_is_refused() {
            Subscription subscription = start(Subscription.handler("s", store, checkpoints, e -> {}));
            assertThatThrownBy(() -> subscription.replayParked(Position.of(42)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("subscription s has no event parked at position 0/42");
        }
    }

    @Nested
    class Control {

        @Test
        void a_paused_subscription_reads_nothing_until_resumed() throws Exception {
            List<String> seen = new CopyOnWriteArrayList<>();
            Subscription subscription = start(Subscription.handler("p", store, checkpoints, e -> seen.add(e.type())));
            assertThat(subscription.awaitPosition(Position.START, WAIT)).isTrue();
            subscription.pause();
            awaitState(subscription, SubscriptionState.PAUSED);
            AppendResult appended = append("order-1", "A");
            assertThat(subscription.awaitPosition(appended.position(), Duration.ofMillis(200)))
                    .isFalse();
            assertThat(seen).isEmpty();
            subscription.resume();
            assertThat(subscription.awaitPosition(appended.position(), WAIT)).isTrue();
            assertThat(seen).containsExactly("A");
        }

        @Test
        void a_closed_subscription_is_stopped() {
            Subscription subscription = start(Subscription.handler("c", store, checkpoints, e -> {}));
            subscription.close();
            assertThat(subscription.status().state()).isEqualTo(SubscriptionState.STOPPED);
        }

        @Test
        void reports_lag_in_events_and_time_and_publishes_gauges() throws Exception {
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            AtomicBoolean block = new AtomicBoolean(true);
            Subscription subscription = Subscription.handler("lagging", store, checkpoints, e -> {
                        while (block.get()) {
                            Thread.sleep(5);
                        }
                    })
                    .batchSize(1)
                    .meterRegistry(meters)
                    .start();
            running.add(subscription);
            append("order-1", "A", "B", "C");
            Thread.sleep(50);
            SubscriptionStatus status = subscription.status();
            assertThat(status.lagEvents()).isEqualTo(3);
            assertThat(status.state()).isEqualTo(SubscriptionState.CATCHING_UP);
            assertThat(meters.get("factum.subscription.lag.events")
                            .tag("subscription", "lagging")
                            .gauge()
                            .value())
                    .isEqualTo(3.0);
            block.set(false);
            assertThat(subscription.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(subscription.status().lagEvents()).isZero();
            assertThat(subscription.status().lag()).isEqualTo(Duration.ZERO);
            assertThat(meters.get("factum.subscription.events")
                            .tag("subscription", "lagging")
                            .functionCounter()
                            .count())
                    .isEqualTo(3.0);
        }

        @Test
        void status_and_gauges_answer_from_memory_while_the_store_hangs() throws Exception {
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            AtomicBoolean hang = new AtomicBoolean();
            CountDownLatch release = new CountDownLatch(1);
            EventReader reader = hanging(EventReader.class, store, hang, release);
            CheckpointStore hangingCheckpoints = hanging(CheckpointStore.class, checkpoints, hang, release);
            AtomicBoolean failing = new AtomicBoolean(true);
            Subscription subscription = start(Subscription.handler("remembers", reader, hangingCheckpoints, e -> {
                        if (failing.get()) {
                            throw new IllegalStateException("poison");
                        }
                    })
                    .meterRegistry(meters));
            AppendResult last = append("order-1", "A", "B");
            assertThat(subscription.awaitPosition(last.position(), WAIT)).isTrue();
            try {
                hang.set(true);
                append("order-1", "C");
                // every call the subscription or a scrape makes to the store now waits until released; the
                // status must not (before it answered from memory it read the head and the parked events)
                SubscriptionStatus status =
                        CompletableFuture.supplyAsync(subscription::status).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(status.checkpoint()).isEqualTo(last.position());
                assertThat(status.parked()).isEqualTo(2);
                double lag = CompletableFuture.supplyAsync(() -> meters.get("factum.subscription.lag.events")
                                .tag("subscription", "remembers")
                                .gauge()
                                .value())
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(lag).isZero();
            } finally {
                release.countDown();
            }
            failing.set(false);
            assertThat(subscription.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(subscription.status().lagEvents()).isZero();
        }

        /** {@code target} behind a proxy whose every call waits for {@code release} while {@code hang} is set. */
        @SuppressWarnings("unchecked")
        static <T> T hanging(Class<T> type, T target, AtomicBoolean hang, CountDownLatch release) {
            return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
                if (hang.get() && method.getDeclaringClass() != Object.class) {
                    release.await();
                }
                try {
                    return method.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
        }

        @Test
        void refuses_a_bad_name() {
            assertThatThrownBy(() -> Subscription.handler("has space", store, checkpoints, e -> {}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a subscription name must be 1-100 letters, digits and . _ - @ /, got 'has space'");
        }
    }

    static void awaitState(Subscription subscription, SubscriptionState state) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (subscription.status().state() != state && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(subscription.status().state()).isEqualTo(state);
    }

    static String describe(RecordedEvent event) {
        return event.streamId() + "@" + event.streamVersion();
    }
}
