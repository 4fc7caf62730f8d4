package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventFilter;
import io.factum.core.ExpectedVersion;
import io.factum.core.ReadDirection;
import io.factum.core.StreamDeletedException;
import io.factum.core.StreamMetadata;
import io.factum.core.StreamNotFoundException;
import io.factum.core.StreamSlice;
import io.factum.core.StreamState;
import io.factum.core.WrongExpectedVersionException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Soft delete (re-creatable, versions continue) and tombstone (gone for good). */
public abstract class DeletionContract extends TckSupport {

    private final String stream = newStream("cart");

    @Nested
    class Soft_delete {

        @Test
        void hides_the_stream_from_reads_but_not_from_the_global_log() {
            store.append(stream, ExpectedVersion.noStream(), events(3));

            store.deleteStream(stream, ExpectedVersion.exactly(2));

            StreamSlice slice = store.readStream(stream, ReadDirection.FORWARD, 0, 10);
            assertThat(slice.events()).isEmpty();
            assertThat(slice.endOfStream()).isTrue();
            assertThat(slice.lastVersion()).isEqualTo(ExpectedVersion.NO_STREAM_VERSION);
            assertThat(store.readStream(stream, ReadDirection.BACKWARD, StreamSlice.END, 10)
                            .events())
                    .isEmpty();
            assertThat(store.streamInfo(stream).orElseThrow().state()).isEqualTo(StreamState.SOFT_DELETED);
            assertThat(store.streamInfo(stream).orElseThrow().lastVersion()).isEqualTo(2);
            assertThat(readWholeLog(store, EventFilter.all())).hasSize(3);
        }

        @Test
        void then_an_append_recreates_it_with_versions_that_continue() {
            store.append(stream, ExpectedVersion.noStream(), events(3));
            store.deleteStream(stream, ExpectedVersion.any());

            store.append(stream, ExpectedVersion.noStream(), events(2));

            assertThat(versionsOf(readWhole(stream))).containsExactly(3L, 4L);
            assertThat(store.streamInfo(stream).orElseThrow().state()).isEqualTo(StreamState.ACTIVE);
            assertThat(store.append(stream, ExpectedVersion.exactly(4), events(1))
                            .streamVersion())
                    .isEqualTo(5);
        }

        @Test
        void keeps_custom_metadata() {
            store.append(stream, ExpectedVersion.noStream(), events(1));
            store.setStreamMetadata(stream, StreamMetadata.empty().with("owner", "web"));
            store.deleteStream(stream, ExpectedVersion.any());
            assertThat(store.streamInfo(stream).orElseThrow().metadata().custom())
                    .containsEntry("owner", "web");
        }

        @Test
        void shows_in_the_metadata_as_truncate_before_which_a_metadata_update_must_keep() {
            store.append(stream, ExpectedVersion.noStream(), events(2));
            store.deleteStream(stream, ExpectedVersion.any());
            store.append(stream, ExpectedVersion.any(), events(1));
            StreamMetadata afterDelete = store.streamInfo(stream).orElseThrow().metadata();
            assertThat(afterDelete.truncateBefore()).hasValue(2);

            store.setStreamMetadata(stream, afterDelete.with("owner", "web"));
            assertThat(versionsOf(readWhole(stream))).containsExactly(2L);

            // as in EventStoreDB: metadata without the truncate-before brings the earlier events back
            store.setStreamMetadata(stream, StreamMetadata.empty());
            assertThat(versionsOf(readWhole(stream))).containsExactly(0L, 1L, 2L);
        }

        @Test
        void then_a_retry_of_an_append_from_before_still_returns_its_original_result() {
            java.util.List<io.factum.core.EventData> batch = events(2);
            var original = store.append(stream, ExpectedVersion.noStream(), batch);
            store.deleteStream(stream, ExpectedVersion.any());

            assertThat(store.append(stream, ExpectedVersion.noStream(), batch)).isEqualTo(original);
            assertThat(readWhole(stream)).isEmpty();
        }

        @Test
        void checks_the_expected_version_and_changes_nothing_on_a_conflict() {
            store.append(stream, ExpectedVersion.noStream(), events(3));

            assertThatThrownBy(() -> store.deleteStream(stream, ExpectedVersion.exactly(1)))
                    .isInstanceOf(WrongExpectedVersionException.class)
                    .hasMessage("stream " + stream + ": expected version 1 but it is at version 2");
            assertThat(readWhole(stream)).hasSize(3);
        }

        @Test
        void of_a_stream_that_does_not_exist_fails() {
            assertThatThrownBy(() -> store.deleteStream(stream, ExpectedVersion.any()))
                    .isInstanceOf(StreamNotFoundException.class)
                    .hasMessage("stream " + stream + " does not exist");
        }
    }

    @Nested
    class Tombstone {

        private void assertTombstoned(ThrowingCallable call) {
            assertThatThrownBy(call)
                    .isInstanceOf(StreamDeletedException.class)
                    .hasMessage(
                            "stream " + stream + " is tombstoned (hard-deleted): it cannot be read or written again");
        }

        @Test
        void makes_reads_appends_and_metadata_fail_for_good() {
            store.append(stream, ExpectedVersion.noStream(), events(3));

            store.tombstoneStream(stream, ExpectedVersion.exactly(2));

            assertTombstoned(() -> store.readStream(stream, ReadDirection.FORWARD, 0, 10));
            assertTombstoned(() -> store.readStream(stream, ReadDirection.BACKWARD, StreamSlice.END, 10));
            assertTombstoned(() -> store.append(stream, ExpectedVersion.any(), events(1)));
            assertTombstoned(() -> store.setStreamMetadata(stream, StreamMetadata.empty()));
            assertTombstoned(() -> store.deleteStream(stream, ExpectedVersion.any()));
            assertTombstoned(() -> store.tombstoneStream(stream, ExpectedVersion.any()));
            assertThat(store.streamInfo(stream).orElseThrow().state()).isEqualTo(StreamState.TOMBSTONED);
        }

        @Test
        void also_refuses_a_retry_of_an_append_from_before() {
            java.util.List<io.factum.core.EventData> batch = events(2);
            store.append(stream, ExpectedVersion.noStream(), batch);
            store.tombstoneStream(stream, ExpectedVersion.any());
            assertTombstoned(() -> store.append(stream, ExpectedVersion.noStream(), batch));
        }

        @Test
        void can_reserve_a_stream_that_never_existed() {
            store.tombstoneStream(stream, ExpectedVersion.noStream());
            assertTombstoned(() -> store.append(stream, ExpectedVersion.noStream(), events(1)));
        }

        @Test
        void can_follow_a_soft_delete() {
            store.append(stream, ExpectedVersion.noStream(), events(1));
            store.deleteStream(stream, ExpectedVersion.any());
            store.tombstoneStream(stream, ExpectedVersion.any());
            assertTombstoned(() -> store.append(stream, ExpectedVersion.any(), events(1)));
        }

        @Test
        void checks_the_expected_version() {
            store.append(stream, ExpectedVersion.noStream(), events(2));
            assertThatThrownBy(() -> store.tombstoneStream(stream, ExpectedVersion.noStream()))
                    .isInstanceOf(WrongExpectedVersionException.class)
                    .hasMessage("stream " + stream + ": expected no stream but it is at version 1");
            assertThat(readWhole(stream)).hasSize(2);
        }
    }
}
