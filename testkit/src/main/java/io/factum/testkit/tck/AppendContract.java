package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamDeletedException;
import io.factum.core.StreamState;
import io.factum.core.WrongExpectedVersionException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Appends and every expected-version case on new, existing, soft-deleted and tombstoned streams. */
public abstract class AppendContract extends TckSupport {

    private void assertConflict(
            String stream, ExpectedVersion expected, long actual, StreamState state, String message) {
        Position headBefore = store.headPosition();
        assertThatThrownBy(() -> store.append(stream, expected, events(2)))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                    assertThat(e.streamId()).isEqualTo(stream);
                    assertThat(e.expected()).isEqualTo(expected);
                    assertThat(e.actualVersion()).isEqualTo(actual);
                    assertThat(e.actualState()).isEqualTo(state);
                })
                .hasMessage(message);
        assertThat(store.headPosition()).as("nothing written").isEqualTo(headBefore);
    }

    @Nested
    class On_a_new_stream {

        @Test
        void any_creates_it() {
            String stream = newStream("order");
            assertThat(store.append(stream, ExpectedVersion.any(), events(1)).streamVersion())
                    .isZero();
        }

        @Test
        void no_stream_creates_it() {
            String stream = newStream("order");
            assertThat(store.append(stream, ExpectedVersion.noStream(), events(3))
                            .streamVersion())
                    .isEqualTo(2);
        }

        @Test
        void stream_exists_is_a_conflict() {
            String stream = newStream("order");
            assertConflict(
                    stream,
                    ExpectedVersion.streamExists(),
                    -1,
                    StreamState.ACTIVE,
                    "stream " + stream + ": expected the stream to exist but it does not exist");
            assertThat(store.streamInfo(stream)).isEmpty();
        }

        @Test
        void an_exact_version_is_a_conflict() {
            String stream = newStream("order");
            assertConflict(
                    stream,
                    ExpectedVersion.exactly(0),
                    -1,
                    StreamState.ACTIVE,
                    "stream " + stream + ": expected version 0 but it does not exist");
        }

        @Test
        void a_stream_with_only_metadata_counts_as_new() {
            String stream = newStream("order");
            store.setStreamMetadata(
                    stream, io.factum.core.StreamMetadata.empty().with("owner", "sales"));
            assertThat(store.append(stream, ExpectedVersion.noStream(), events(1))
                            .streamVersion())
                    .isZero();
        }
    }

    @Nested
    class On_an_existing_stream {

        private final String stream = newStream("order");

        private void threeEvents() {
            store.append(stream, ExpectedVersion.noStream(), events(3));
        }

        @Test
        void any_appends() {
            threeEvents();
            assertThat(store.append(stream, ExpectedVersion.any(), events(1)).streamVersion())
                    .isEqualTo(3);
        }

        @Test
        void stream_exists_appends() {
            threeEvents();
            assertThat(store.append(stream, ExpectedVersion.streamExists(), events(2))
                            .streamVersion())
                    .isEqualTo(4);
        }

        @Test
        void the_exact_current_version_appends() {
            threeEvents();
            assertThat(store.append(stream, ExpectedVersion.exactly(2), events(1))
                            .streamVersion())
                    .isEqualTo(3);
        }

        @Test
        void no_stream_is_a_conflict() {
            threeEvents();
            assertConflict(
                    stream,
                    ExpectedVersion.noStream(),
                    2,
                    StreamState.ACTIVE,
                    "stream " + stream + ": expected no stream but it is at version 2");
        }

        @Test
        void an_older_version_is_a_conflict() {
            threeEvents();
            assertConflict(
                    stream,
                    ExpectedVersion.exactly(1),
                    2,
                    StreamState.ACTIVE,
                    "stream " + stream + ": expected version 1 but it is at version 2");
        }

        @Test
        void a_newer_version_is_a_conflict() {
            threeEvents();
            assertConflict(
                    stream,
                    ExpectedVersion.exactly(7),
                    2,
                    StreamState.ACTIVE,
                    "stream " + stream + ": expected version 7 but it is at version 2");
            assertThat(readWhole(stream)).hasSize(3);
        }
    }

    @Nested
    class On_a_soft_deleted_stream {

        private final String stream = newStream("order");

        private void threeEventsThenDelete() {
            store.append(stream, ExpectedVersion.noStream(), events(3));
            store.deleteStream(stream, ExpectedVersion.exactly(2));
        }

        @Test
        void any_recreates_it_and_versions_continue() {
            threeEventsThenDelete();
            assertThat(store.append(stream, ExpectedVersion.any(), events(1)).streamVersion())
                    .isEqualTo(3);
            assertThat(versionsOf(readWhole(stream))).containsExactly(3L);
        }

        @Test
        void no_stream_recreates_it_and_versions_continue() {
            threeEventsThenDelete();
            assertThat(store.append(stream, ExpectedVersion.noStream(), events(2))
                            .streamVersion())
                    .isEqualTo(4);
            assertThat(versionsOf(readWhole(stream))).containsExactly(3L, 4L);
            assertThat(store.streamInfo(stream).orElseThrow().state()).isEqualTo(StreamState.ACTIVE);
        }

        @Test
        void stream_exists_is_a_conflict() {
            threeEventsThenDelete();
            assertConflict(
                    stream,
                    ExpectedVersion.streamExists(),
                    2,
                    StreamState.SOFT_DELETED,
                    "stream " + stream + ": expected the stream to exist but it was deleted at version 2");
        }

        @Test
        void the_last_version_is_a_conflict() {
            threeEventsThenDelete();
            assertConflict(
                    stream,
                    ExpectedVersion.exactly(2),
                    2,
                    StreamState.SOFT_DELETED,
                    "stream " + stream + ": expected version 2 but it was deleted at version 2");
        }
    }

    @Nested
    class On_a_tombstoned_stream {

        @Test
        void every_expected_version_fails_for_good() {
            String stream = newStream("order");
            store.append(stream, ExpectedVersion.noStream(), events(2));
            store.tombstoneStream(stream, ExpectedVersion.exactly(1));
            Position head = store.headPosition();
            for (ExpectedVersion expected : List.of(
                    ExpectedVersion.any(),
                    ExpectedVersion.noStream(),
                    ExpectedVersion.streamExists(),
                    ExpectedVersion.exactly(1),
                    ExpectedVersion.exactly(2))) {
                assertThatThrownBy(() -> store.append(stream, expected, events(1)))
                        .as("append with %s", expected)
                        .isInstanceOfSatisfying(StreamDeletedException.class, e -> assertThat(e.streamId())
                                .isEqualTo(stream))
                        .hasMessage("stream " + stream
                                + " is tombstoned (hard-deleted): it cannot be read or written again");
            }
            assertThat(store.headPosition()).isEqualTo(head);
        }
    }

    @Nested
    class What_is_recorded {

        @Test
        void every_field_of_the_event() {
            String stream = newStream("order");
            UUID id = UUID.randomUUID();
            EventData data = new EventData(
                    id, "OrderPlaced", 3, "{\"total\": 12.5, \"lines\": [1, 2]}", "{\"correlationId\": \"c-1\"}");
            clock.advance(Duration.ofMillis(1234).plusNanos(567_891));

            AppendResult result = store.append(stream, ExpectedVersion.noStream(), data);

            RecordedEvent recorded = readWhole(stream).get(0);
            assertThat(recorded.eventId()).isEqualTo(id);
            assertThat(recorded.streamId()).isEqualTo(stream);
            assertThat(recorded.streamVersion()).isZero();
            assertThat(recorded.position()).isEqualTo(result.position());
            assertThat(recorded.type()).isEqualTo("OrderPlaced");
            assertThat(recorded.schemaVersion()).isEqualTo(3);
            assertThat(recorded.category()).isEqualTo("order");
            assertSameJson(recorded.data(), "{\"lines\":[1,2],\"total\":12.5}");
            assertSameJson(recorded.metadata(), "{\"correlationId\":\"c-1\"}");
            assertThat(recorded.recordedAt())
                    .as("the store's clock, to the microsecond")
                    .isEqualTo(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
        }

        @Test
        void unicode_survives_unchanged() {
            String stream = newStream("cliente");
            String text = "Größe ☃ 𝄞 日本語 \\\" \\n";
            store.append(stream, ExpectedVersion.any(), EventData.of("Named", "{\"name\":\"" + text + "\"}"));
            assertSameJson(readWhole(stream).get(0).data(), "{\"name\":\"" + text + "\"}");
        }

        @Test
        void a_batch_gets_consecutive_versions_and_increasing_positions() {
            String stream = newStream("order");
            store.append(stream, ExpectedVersion.noStream(), events(2));
            List<EventData> batch = events(5);

            AppendResult result = store.append(stream, ExpectedVersion.exactly(1), batch);

            List<RecordedEvent> read = readWhole(stream);
            assertThat(versionsOf(read)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(idsOf(read.subList(2, 7))).isEqualTo(idsOfData(batch));
            assertStrictlyIncreasing(read);
            assertThat(result.streamVersion()).isEqualTo(6);
            assertThat(result.position()).isEqualTo(read.get(6).position());
            assertThat(store.headPosition()).isEqualTo(result.position());
        }

        @Test
        void appends_to_many_streams_form_one_ordered_log() {
            String a = newStream("order");
            String b = newStream("invoice");
            AppendResult first = store.append(a, ExpectedVersion.any(), events(2));
            AppendResult second = store.append(b, ExpectedVersion.any(), events(1));
            AppendResult third = store.append(a, ExpectedVersion.any(), events(1));

            assertThat(second.position()).isGreaterThan(first.position());
            assertThat(third.position()).isGreaterThan(second.position());
            List<RecordedEvent> log = readWholeLog(store, EventFilter.all());
            assertThat(log).extracting(RecordedEvent::streamId).containsExactly(a, a, b, a);
            assertStrictlyIncreasing(log);
        }
    }
}
