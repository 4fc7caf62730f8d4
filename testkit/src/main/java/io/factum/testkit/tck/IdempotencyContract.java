package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.AppendResult;
import io.factum.core.DuplicateEventException;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.ExpectedVersion;
import io.factum.core.InvalidEventException;
import io.factum.core.Position;
import io.factum.core.StreamMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Idempotent retries: the same event ids at the same place return the original result and write nothing;
 * any other reuse of a stored id is a conflict.
 */
public abstract class IdempotencyContract extends TckSupport {

    private void assertDuplicate(
            String stream,
            ExpectedVersion expected,
            List<EventData> batch,
            EventData first,
            String existingStream,
            long existingVersion) {
        Position head = store.headPosition();
        int logSize = readWholeLog(store, EventFilter.all()).size();
        assertThatThrownBy(() -> store.append(stream, expected, batch))
                .isInstanceOfSatisfying(DuplicateEventException.class, e -> {
                    assertThat(e.eventId()).isEqualTo(first.eventId());
                    assertThat(e.existingStreamId()).isEqualTo(existingStream);
                    assertThat(e.existingVersion()).isEqualTo(existingVersion);
                })
                .hasMessage("stream " + stream + ": event " + first.eventId() + " is already stored as version "
                        + existingVersion + " of stream " + existingStream
                        + "; a retry must repeat the whole original append at the same place, new events need new ids");
        assertThat(store.headPosition()).as("nothing written").isEqualTo(head);
        assertThat(readWholeLog(store, EventFilter.all())).hasSize(logSize);
    }

    @Nested
    class A_retry_with_other_content {

        private void assertOtherContent(String stream, EventData stored, EventData retried, String difference) {
            store.append(stream, ExpectedVersion.noStream(), stored);
            Position head = store.headPosition();

            assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(), retried))
                    .isInstanceOfSatisfying(DuplicateEventException.class, e -> {
                        assertThat(e.eventId()).isEqualTo(stored.eventId());
                        assertThat(e.existingVersion()).isZero();
                    })
                    .hasMessage("stream " + stream + ": event " + stored.eventId() + " is already stored as version 0"
                            + " of stream " + stream + " with " + difference
                            + "; a retry must repeat the original events unchanged, new events need new ids");
            assertThat(store.headPosition()).as("nothing written").isEqualTo(head);
            assertThat(readWhole(stream)).singleElement().satisfies(event -> assertThat(event.type())
                    .isEqualTo(stored.type()));
        }

        @Test
        void is_a_conflict_when_the_data_differs() {
            // failed before: the same id at the same place with other data was answered as a retry
            UUID id = UUID.randomUUID();
            assertOtherContent(
                    newStream("order"),
                    new EventData(id, "ItemAdded", 1, "{\"price\":10}", "{}"),
                    new EventData(id, "ItemAdded", 1, "{\"price\":1e300}", "{}"),
                    "other data");
        }

        @Test
        void is_a_conflict_when_the_type_differs() {
            UUID id = UUID.randomUUID();
            assertOtherContent(
                    newStream("order"),
                    new EventData(id, "OrderPlaced", 1, "{}", "{}"),
                    new EventData(id, "OrderCancelled", 1, "{}", "{}"),
                    "type OrderPlaced, not OrderCancelled");
        }

        @Test
        void is_still_a_retry_when_only_the_json_is_written_otherwise() {
            // a store may keep JSON its own way (PostgreSQL's jsonb reorders keys and drops spaces)
            String stream = newStream("order");
            UUID id = UUID.randomUUID();
            AppendResult original = store.append(
                    stream,
                    ExpectedVersion.noStream(),
                    new EventData(id, "ItemAdded", 1, "{\"sku\":\"A-1\",\"price\":1.50,\"qty\":2}", "{}"));

            AppendResult retried = store.append(
                    stream,
                    ExpectedVersion.noStream(),
                    new EventData(
                            id, "ItemAdded", 1, "{ \"qty\": 2, \"price\": 1.5, \"sku\": \"A-1\" }", "{\"retry\":1}"));

            assertThat(retried).isEqualTo(original);
            assertThat(readWhole(stream)).hasSize(1);
        }
    }

    @Nested
    class A_full_retry {

        @Test
        void returns_the_original_result_and_writes_nothing() {
            String stream = newStream("order");
            store.append(stream, ExpectedVersion.noStream(), events(1));
            List<EventData> batch = events(3);
            AppendResult original = store.append(stream, ExpectedVersion.exactly(0), batch);

            AppendResult retried = store.append(stream, ExpectedVersion.exactly(0), batch);

            assertThat(retried).isEqualTo(original);
            assertThat(readWhole(stream)).hasSize(4);
            assertThat(store.headPosition()).isEqualTo(original.position());
        }

        @Test
        void succeeds_after_the_stream_moved_on() {
            String stream = newStream("order");
            List<EventData> batch = events(2);
            AppendResult original = store.append(stream, ExpectedVersion.noStream(), batch);
            store.append(stream, ExpectedVersion.any(), events(4));

            assertThat(store.append(stream, ExpectedVersion.noStream(), batch)).isEqualTo(original);
            assertThat(store.append(stream, ExpectedVersion.any(), batch)).isEqualTo(original);
            assertThat(store.append(stream, ExpectedVersion.streamExists(), batch))
                    .isEqualTo(original);
            assertThat(readWhole(stream)).hasSize(6);
        }

        @Test
        void of_a_single_event_with_any() {
            String stream = newStream("order");
            EventData once = event("Placed", 1);
            AppendResult original = store.append(stream, ExpectedVersion.any(), once);
            assertThat(store.append(stream, ExpectedVersion.any(), once)).isEqualTo(original);
            assertThat(readWhole(stream)).hasSize(1);
        }
    }

    @Nested
    class A_conflict {

        @Test
        void when_only_part_of_the_append_is_stored() {
            String stream = newStream("order");
            List<EventData> batch = events(2);
            store.append(stream, ExpectedVersion.noStream(), batch);
            List<EventData> overlapping = new ArrayList<>(batch);
            overlapping.add(event("Counted", 9));

            assertDuplicate(stream, ExpectedVersion.noStream(), overlapping, batch.get(0), stream, 0);
        }

        @Test
        void when_a_stored_id_comes_with_new_ones_first() {
            String stream = newStream("order");
            List<EventData> batch = events(2);
            store.append(stream, ExpectedVersion.noStream(), batch);
            EventData fresh = event("Counted", 5);

            assertDuplicate(stream, ExpectedVersion.any(), List.of(fresh, batch.get(1)), batch.get(1), stream, 1);
        }

        @Test
        void when_the_ids_are_stored_in_another_stream() {
            String stream = newStream("order");
            String other = newStream("order");
            List<EventData> batch = events(2);
            store.append(other, ExpectedVersion.noStream(), batch);

            assertDuplicate(stream, ExpectedVersion.noStream(), batch, batch.get(0), other, 0);
        }

        @Test
        void when_the_ids_come_in_another_order() {
            String stream = newStream("order");
            List<EventData> batch = events(2);
            store.append(stream, ExpectedVersion.noStream(), batch);

            assertDuplicate(
                    stream, ExpectedVersion.noStream(), List.of(batch.get(1), batch.get(0)), batch.get(1), stream, 1);
        }

        @Test
        void when_the_expected_version_names_another_place() {
            String stream = newStream("order");
            store.append(stream, ExpectedVersion.noStream(), events(2));
            List<EventData> batch = events(1);
            store.append(stream, ExpectedVersion.exactly(1), batch);

            assertDuplicate(stream, ExpectedVersion.exactly(0), batch, batch.get(0), stream, 2);
        }

        @Test
        void when_an_append_repeats_an_id_within_itself() {
            String stream = newStream("order");
            EventData twice = event("Counted", 1);
            assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(), List.of(twice, twice)))
                    .isInstanceOf(InvalidEventException.class)
                    .hasMessage("stream " + stream + ": event id " + twice.eventId()
                            + " appears more than once in the append (again at index 1)");
            assertThat(store.streamInfo(stream)).isEmpty();
        }
    }

    @Nested
    class Locating_an_event_id {

        @Test
        void finds_where_each_id_is_stored() {
            String stream = newStream("order");
            store.append(stream, ExpectedVersion.noStream(), events(1));
            List<EventData> batch = events(2);
            AppendResult result = store.append(stream, ExpectedVersion.exactly(0), batch);

            var last = store.locateEvent(batch.get(1).eventId()).orElseThrow();
            assertThat(last.eventId()).isEqualTo(batch.get(1).eventId());
            assertThat(last.streamId()).isEqualTo(stream);
            assertThat(last.streamVersion()).isEqualTo(2);
            assertThat(last.position()).isEqualTo(result.position());
            assertThat(store.locateEvent(batch.get(0).eventId()).orElseThrow().streamVersion())
                    .isEqualTo(1);
        }

        @Test
        void finds_nothing_for_an_id_never_stored() {
            assertThat(store.locateEvent(java.util.UUID.randomUUID())).isEmpty();
        }

        @Test
        void finds_ids_that_reads_hide_since_ids_stay_taken() {
            String truncated = newStream("order");
            List<EventData> first = events(1);
            store.append(truncated, ExpectedVersion.noStream(), first);
            store.append(truncated, ExpectedVersion.exactly(0), events(2));
            store.setStreamMetadata(truncated, StreamMetadata.empty().withTruncateBefore(2));
            String tombstoned = newStream("order");
            List<EventData> gone = events(1);
            store.append(tombstoned, ExpectedVersion.noStream(), gone);
            store.tombstoneStream(tombstoned, ExpectedVersion.any());

            assertThat(store.locateEvent(first.get(0).eventId()).orElseThrow().streamVersion())
                    .isEqualTo(0);
            assertThat(store.locateEvent(gone.get(0).eventId()).orElseThrow().streamId())
                    .isEqualTo(tombstoned);
        }
    }
}
