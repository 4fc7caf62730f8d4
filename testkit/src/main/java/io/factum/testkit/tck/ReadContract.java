package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.AllSlice;
import io.factum.core.AppendResult;
import io.factum.core.EventFilter;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamSlice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Reading streams forward and backward in pages, and the global log with filters. */
public abstract class ReadContract extends TckSupport {

    @Nested
    class A_stream {

        private final String stream = newStream("order");

        @Test
        void reads_forward_in_pages() {
            store.append(stream, ExpectedVersion.noStream(), events(10));

            StreamSlice first = store.readStream(stream, ReadDirection.FORWARD, 0, 4);
            StreamSlice second = store.readStream(stream, ReadDirection.FORWARD, first.nextVersion(), 4);
            StreamSlice third = store.readStream(stream, ReadDirection.FORWARD, second.nextVersion(), 4);

            assertThat(versionsOf(first.events())).containsExactly(0L, 1L, 2L, 3L);
            assertThat(first.endOfStream()).isFalse();
            assertThat(first.lastVersion()).isEqualTo(9);
            assertThat(versionsOf(second.events())).containsExactly(4L, 5L, 6L, 7L);
            assertThat(versionsOf(third.events())).containsExactly(8L, 9L);
            assertThat(third.endOfStream()).isTrue();
            assertThat(third.nextVersion()).isEqualTo(10);
        }

        @Test
        void reads_an_exact_page_to_its_end() {
            store.append(stream, ExpectedVersion.noStream(), events(4));
            StreamSlice slice = store.readStream(stream, ReadDirection.FORWARD, 2, 2);
            assertThat(versionsOf(slice.events())).containsExactly(2L, 3L);
            assertThat(slice.endOfStream()).isTrue();
        }

        @Test
        void reads_backward_from_the_end_in_pages() {
            store.append(stream, ExpectedVersion.noStream(), events(5));

            StreamSlice first = store.readStream(stream, ReadDirection.BACKWARD, StreamSlice.END, 3);
            StreamSlice second = store.readStream(stream, ReadDirection.BACKWARD, first.nextVersion(), 3);

            assertThat(versionsOf(first.events())).containsExactly(4L, 3L, 2L);
            assertThat(first.endOfStream()).isFalse();
            assertThat(first.nextVersion()).isEqualTo(1);
            assertThat(versionsOf(second.events())).containsExactly(1L, 0L);
            assertThat(second.endOfStream()).isTrue();
            assertThat(second.lastVersion()).isEqualTo(4);
        }

        @Test
        void reads_backward_from_a_version() {
            store.append(stream, ExpectedVersion.noStream(), events(5));
            StreamSlice slice = store.readStream(stream, ReadDirection.BACKWARD, 2, 10);
            assertThat(versionsOf(slice.events())).containsExactly(2L, 1L, 0L);
            assertThat(slice.endOfStream()).isTrue();
        }

        @Test
        void reads_nothing_past_its_end() {
            store.append(stream, ExpectedVersion.noStream(), events(3));
            StreamSlice slice = store.readStream(stream, ReadDirection.FORWARD, 3, 10);
            assertThat(slice.events()).isEmpty();
            assertThat(slice.endOfStream()).isTrue();
            assertThat(slice.lastVersion()).isEqualTo(2);
            assertThat(slice.nextVersion()).isEqualTo(3);
        }

        @Test
        void that_does_not_exist_reads_as_empty() {
            StreamSlice forward = store.readStream(stream, ReadDirection.FORWARD, 0, 10);
            StreamSlice backward = store.readStream(stream, ReadDirection.BACKWARD, StreamSlice.END, 10);
            assertThat(forward.events()).isEmpty();
            assertThat(forward.endOfStream()).isTrue();
            assertThat(forward.lastVersion()).isEqualTo(ExpectedVersion.NO_STREAM_VERSION);
            assertThat(backward.events()).isEmpty();
            assertThat(backward.endOfStream()).isTrue();
        }

        @Test
        void streams_lazily_across_pages() {
            store.append(stream, ExpectedVersion.noStream(), events(2500));
            try (Stream<RecordedEvent> all = store.streamEvents(stream)) {
                assertThat(all.map(RecordedEvent::streamVersion).toList())
                        .hasSize(2500)
                        .startsWith(0L, 1L)
                        .endsWith(2498L, 2499L);
            }
        }

        @Test
        void rejects_a_page_size_below_one_and_a_negative_version() {
            assertThatThrownBy(() -> store.readStream(stream, ReadDirection.FORWARD, 0, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxCount must be 1 or more, got 0");
            assertThatThrownBy(() -> store.readStream(stream, ReadDirection.FORWARD, -1, 10))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("fromVersion must be 0 or more, got -1");
        }
    }

    @Nested
    class The_global_log {

        @Test
        void is_empty_at_first() {
            assertThat(store.headPosition()).isEqualTo(Position.START);
            AllSlice slice = store.readAll(Position.START, ReadDirection.FORWARD, 10, EventFilter.all());
            assertThat(slice.events()).isEmpty();
            assertThat(slice.endOfLog()).isTrue();
        }

        @Test
        void reads_forward_in_pages_from_a_checkpoint() {
            List<AppendResult> appends = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                appends.add(store.append(newStream("order"), ExpectedVersion.noStream(), events(2)));
            }

            AllSlice first = store.readAll(Position.START, ReadDirection.FORWARD, 4, EventFilter.all());
            AllSlice second = store.readAll(first.next(), ReadDirection.FORWARD, 4, EventFilter.all());
            AllSlice rest = store.readAll(second.next(), ReadDirection.FORWARD, 4, EventFilter.all());

            assertThat(first.events()).hasSize(4);
            assertThat(first.endOfLog()).isFalse();
            assertThat(first.next()).isEqualTo(first.events().get(3).position());
            assertThat(second.events()).hasSize(4);
            assertThat(rest.events()).hasSize(2);
            assertThat(rest.endOfLog()).isTrue();
            assertThat(rest.events().get(1).position()).isEqualTo(appends.get(4).position());
            List<RecordedEvent> all = new ArrayList<>(first.events());
            all.addAll(second.events());
            all.addAll(rest.events());
            assertStrictlyIncreasing(all);
            assertThat(store.headPosition()).isEqualTo(appends.get(4).position());
        }

        @Test
        void reads_backward_from_the_end() {
            String a = newStream("order");
            store.append(a, ExpectedVersion.noStream(), events(3));
            List<RecordedEvent> forward = readWholeLog(store, EventFilter.all());

            AllSlice first = store.readAll(Position.END, ReadDirection.BACKWARD, 2, EventFilter.all());
            AllSlice second = store.readAll(first.next(), ReadDirection.BACKWARD, 2, EventFilter.all());

            assertThat(idsOf(first.events()))
                    .containsExactly(forward.get(2).eventId(), forward.get(1).eventId());
            assertThat(first.endOfLog()).isFalse();
            assertThat(idsOf(second.events())).containsExactly(forward.get(0).eventId());
            assertThat(second.endOfLog()).isTrue();
        }

        @Test
        void filters_by_category() {
            store.append(newStream("order"), ExpectedVersion.any(), event("Placed", 1));
            store.append(newStream("invoice"), ExpectedVersion.any(), event("Issued", 2));
            store.append(newStream("order"), ExpectedVersion.any(), event("Placed", 3));
            store.append(newStream("orderline"), ExpectedVersion.any(), event("Added", 4));
            store.append("order", ExpectedVersion.any(), event("Bare", 5));

            List<RecordedEvent> orders = readWholeLog(store, EventFilter.categories("order"));

            assertThat(orders).extracting(RecordedEvent::type).containsExactly("Placed", "Placed", "Bare");
            assertStrictlyIncreasing(orders);
            assertThat(readWholeLog(store, EventFilter.categories("invoice", "orderline")))
                    .extracting(RecordedEvent::type)
                    .containsExactly("Issued", "Added");
        }

        @Test
        void filters_by_type_and_by_both() {
            String order = newStream("order");
            store.append(order, ExpectedVersion.any(), event("Placed", 1), event("Paid", 2));
            store.append(newStream("invoice"), ExpectedVersion.any(), event("Paid", 3));
            store.append(order, ExpectedVersion.any(), event("Shipped", 4));

            assertThat(readWholeLog(store, EventFilter.eventTypes("Paid")))
                    .extracting(RecordedEvent::category)
                    .containsExactly("order", "invoice");
            assertThat(readWholeLog(store, EventFilter.eventTypes("Placed", "Shipped")))
                    .extracting(RecordedEvent::type)
                    .containsExactly("Placed", "Shipped");
            assertThat(readWholeLog(store, EventFilter.categories("order").andEventTypes("Paid")))
                    .extracting(RecordedEvent::data)
                    .hasSize(1)
                    .allSatisfy(data -> assertSameJson(data, "{\"n\":2}"));
        }

        @Test
        void pages_through_a_filter_that_matches_little() {
            for (int i = 0; i < 30; i++) {
                store.append(newStream(i % 10 == 0 ? "rare" : "common"), ExpectedVersion.any(), events(1));
            }
            assertThat(readWholeLog(store, EventFilter.categories("rare"))).hasSize(3);
            AllSlice backward = store.readAll(Position.END, ReadDirection.BACKWARD, 2, EventFilter.categories("rare"));
            assertThat(backward.events()).hasSize(2);
            assertThat(backward.events().get(0).position())
                    .isGreaterThan(backward.events().get(1).position());
        }

        @Test
        void streams_lazily_from_a_checkpoint() {
            store.append(newStream("order"), ExpectedVersion.any(), events(1500));
            AppendResult last = store.append(newStream("order"), ExpectedVersion.any(), events(700));
            Position middle = readWholeLog(store, EventFilter.all()).get(999).position();
            try (Stream<RecordedEvent> rest = store.streamAll(middle, EventFilter.all())) {
                List<RecordedEvent> events = rest.toList();
                assertThat(events).hasSize(1200);
                assertThat(events.get(events.size() - 1).position()).isEqualTo(last.position());
            }
        }
    }

    @Nested
    class Waiting_for_appends {

        @Test
        void times_out_when_nothing_is_appended() throws InterruptedException {
            assertThat(store.awaitAppend(Position.START, Duration.ofMillis(50))).isFalse();
        }

        @Test
        void returns_at_once_when_the_head_is_already_past() throws InterruptedException {
            store.append(newStream("order"), ExpectedVersion.any(), events(1));
            assertThat(store.awaitAppend(Position.START, Duration.ofSeconds(10)))
                    .isTrue();
        }

        @Test
        void wakes_when_another_thread_appends() throws Exception {
            AppendResult first = store.append(newStream("order"), ExpectedVersion.any(), events(1));
            CompletableFuture<Boolean> woke = CompletableFuture.supplyAsync(() -> {
                try {
                    return store.awaitAppend(first.position(), Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
            Thread.sleep(100);
            AppendResult second = store.append(newStream("order"), ExpectedVersion.any(), events(1));

            assertThat(woke.get(30, TimeUnit.SECONDS)).isTrue();
            assertThat(store.headPosition()).isEqualTo(second.position());
        }
    }
}
