package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.EventTooLargeException;
import io.factum.core.ExpectedVersion;
import io.factum.core.InvalidEventException;
import io.factum.core.InvalidStreamIdException;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.StoreLimits;
import io.factum.core.StoreOptions;
import io.factum.core.StreamMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Bad input: a clear error naming what was expected and found, and nothing written. */
public abstract class BadInputContract extends TckSupport {

    private final String stream = newStream("order");

    @AfterEach
    void nothing_was_written() {
        assertThat(store.headPosition()).as("the global log is empty").isEqualTo(Position.START);
        assertThat(store.streamInfo(stream)).as("no stream was created").isEmpty();
    }

    @Nested
    class Stream_ids {

        private void assertRejectedEverywhere(String id, String message) {
            List<ThrowingCallable> calls = List.of(
                    () -> store.append(id, ExpectedVersion.any(), events(1)),
                    () -> store.readStream(id, ReadDirection.FORWARD, 0, 10),
                    () -> store.setStreamMetadata(id, StreamMetadata.empty()),
                    () -> store.streamInfo(id),
                    () -> store.deleteStream(id, ExpectedVersion.any()),
                    () -> store.tombstoneStream(id, ExpectedVersion.any()));
            for (ThrowingCallable call : calls) {
                assertThatThrownBy(call)
                        .isInstanceOfSatisfying(InvalidStreamIdException.class, e -> assertThat(e.streamId())
                                .isEqualTo(id))
                        .hasMessage(message);
            }
        }

        @Test
        void must_not_be_empty() {
            assertRejectedEverywhere("", "stream id must be 1-200 characters, got 0");
        }

        @Test
        void must_not_be_longer_than_200_characters() {
            assertRejectedEverywhere("x".repeat(201), "stream id must be 1-200 characters, got 201");
            EventStore other = open(StoreOptions.defaults());
            String longest = "y".repeat(200);
            other.append(longest, ExpectedVersion.any(), events(1));
            assertThat(other.readStream(longest, ReadDirection.FORWARD, 0, 10).events())
                    .singleElement()
                    .satisfies(e -> assertThat(e.streamId()).isEqualTo(longest));
        }

        @Test
        void must_not_start_with_a_dollar() {
            assertRejectedEverywhere("$all", "stream id '$all' starts with '$', which is reserved for the store");
        }

        @Test
        void must_not_contain_control_characters() {
            assertRejectedEverywhere(
                    "order\n42", "stream id must not contain control characters, found U+000A at index 5");
        }

        @Test
        void must_be_well_formed_utf16() {
            // a store keeps an unpaired surrogate as '?', so sur-\uD800x and sur-?x were one stream
            assertRejectedEverywhere(
                    "sur-\uD800x",
                    "stream id must be well-formed UTF-16, found an unpaired surrogate U+D800 at index 4");
            assertRejectedEverywhere(
                    "sur-x\uDC00",
                    "stream id must be well-formed UTF-16, found an unpaired surrogate U+DC00 at index 5");
        }
    }

    @Nested
    class Null_arguments {

        private void assertNamed(String argument, ThrowingCallable call) {
            assertThatThrownBy(call)
                    .as(argument)
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage(argument + " is null");
        }

        @Test
        void an_append_names_the_null_argument_and_writes_nothing() {
            // failed before: bare NullPointerExceptions, and on PostgreSQL a null expected version came back as
            // a StoreException saying the append may or may not have been written
            assertNamed("streamId", () -> store.append(null, ExpectedVersion.any(), events(1)));
            assertNamed("expected", () -> store.append(stream, null, events(1)));
            assertNamed("events", () -> store.append(stream, ExpectedVersion.any(), (List<EventData>) null));
            List<EventData> withNull = new ArrayList<>(events(2));
            withNull.add(1, null);
            assertNamed("events[1]", () -> store.append(stream, ExpectedVersion.any(), withNull));
        }

        @Test
        void deletes_and_metadata_name_the_null_argument_and_change_nothing() {
            assertNamed("expected", () -> store.deleteStream(stream, null));
            assertNamed("expected", () -> store.tombstoneStream(stream, null));
            assertNamed("metadata", () -> store.setStreamMetadata(stream, null));
            assertNamed("streamId", () -> store.deleteStream(null, ExpectedVersion.any()));
            assertNamed("streamId", () -> store.streamInfo(null));
            assertNamed("streamId", () -> store.readStream(null, ReadDirection.FORWARD, 0, 10));
        }
    }

    @Nested
    class Events {

        private void assertInvalid(List<EventData> events, String message) {
            assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(), events))
                    .isInstanceOf(InvalidEventException.class)
                    .hasMessage(message);
        }

        @Test
        void an_append_needs_at_least_one_event() {
            assertInvalid(List.of(), "stream " + stream + ": an append needs at least one event, got none");
        }

        @Test
        void data_must_be_valid_json() {
            EventData bad = EventData.of("Placed", "{\"total\": 12");
            assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(), bad))
                    .isInstanceOf(InvalidEventException.class)
                    .hasMessageStartingWith(
                            "stream " + stream + ", event 0 (" + bad.eventId() + "): data is not valid JSON: ");
        }

        @Test
        void data_must_hold_one_document() {
            EventData bad = EventData.of("Placed", "{} {}");
            assertInvalid(
                    List.of(bad),
                    "stream " + stream + ", event 0 (" + bad.eventId()
                            + "): data must hold one JSON document, found more after it at offset 3");
        }

        @Test
        void data_must_not_be_empty() {
            EventData bad = EventData.of("Placed", " ");
            assertInvalid(
                    List.of(bad),
                    "stream " + stream + ", event 0 (" + bad.eventId()
                            + "): data must be a JSON document, got an empty text");
        }

        @Test
        void metadata_must_be_a_json_object() {
            EventData bad = EventData.of("Placed", "{}").withMetadata("[1]");
            assertInvalid(
                    List.of(bad),
                    "stream " + stream + ", event 0 (" + bad.eventId()
                            + "): metadata must be a JSON object, got an array");
        }

        @Test
        void strings_must_not_contain_the_nul_character() {
            EventData bad = EventData.of("Placed", "{\"note\":\"a\\u0000b\"}");
            assertInvalid(
                    List.of(bad),
                    "stream " + stream + ", event 0 (" + bad.eventId() + "): data contains the character U+0000 in a"
                            + " string, which cannot be stored (PostgreSQL refuses it); encode binary content, e.g. as"
                            + " Base64");
        }

        @Test
        void strings_must_be_valid_unicode() {
            EventData bad = EventData.of("Placed", "{}").withMetadata("{\"note\":\"\\ud800\"}");
            assertInvalid(
                    List.of(bad),
                    "stream " + stream + ", event 0 (" + bad.eventId() + "): metadata contains an unpaired surrogate"
                            + " U+D800 in a string, which is not valid Unicode");
        }

        @Test
        void numbers_must_fit_what_every_store_keeps_exactly() {
            EventData bad = EventData.of("Placed", "{\"amount\":1e200000}");
            assertInvalid(
                    List.of(bad),
                    "stream " + stream + ", event 0 (" + bad.eventId() + "): data contains the number 1e200000, beyond"
                            + " what can be stored exactly (at most 131072 digits before the point and 16383 after);"
                            + " send it as a string");
        }

        @Test
        void one_bad_event_fails_the_whole_append() {
            List<EventData> batch = new ArrayList<>(events(3));
            EventData bad = EventData.of("Placed", "{\"a\":1,\"a\":2}");
            batch.add(bad);
            assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(), batch))
                    .isInstanceOf(InvalidEventException.class)
                    .hasMessageStartingWith("stream " + stream + ", event 3 (" + bad.eventId()
                            + "): data is not valid JSON: Duplicate field 'a'");
        }

        @Test
        void the_type_must_be_well_formed_utf16() {
            EventData bad = new EventData(UUID.randomUUID(), "Placed\uD800", 1, "{}", "{}");
            assertInvalid(
                    List.of(bad),
                    "stream " + stream + ", event 0 (" + bad.eventId()
                            + "): event type must be well-formed UTF-16, found an unpaired surrogate U+D800 at index 6");
        }

        @Test
        void data_nested_too_deep_is_refused_with_a_message() {
            // failed before: a NullPointerException (Jackson's nesting-depth error has no location)
            EventData deep = EventData.of("Placed", "{\"a\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}");
            assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(), deep))
                    .isInstanceOf(InvalidEventException.class)
                    .hasMessageStartingWith("stream " + stream + ", event 0 (" + deep.eventId()
                            + "): data is not valid JSON: Document nesting depth (1001) exceeds the maximum allowed");
        }

        @Test
        void the_type_must_not_be_blank() {
            EventData bad = new EventData(UUID.randomUUID(), " ", 1, "{}", "{}");
            assertInvalid(
                    List.of(bad),
                    "stream " + stream + ", event 0 (" + bad.eventId()
                            + "): event type must be 1-200 characters and not blank, got ' '");
        }

        @Test
        void the_schema_version_must_be_positive() {
            EventData bad = new EventData(UUID.randomUUID(), "Placed", 0, "{}", "{}");
            assertInvalid(
                    List.of(bad),
                    "stream " + stream + ", event 0 (" + bad.eventId() + "): schema version must be 1 or more, got 0");
        }

        @Test
        void an_event_over_the_default_limit_of_one_mebibyte_is_too_large() {
            String data = "\"" + "x".repeat(1024 * 1024) + "\"";
            EventData big = EventData.of("Big", data);
            long size = 3 + data.length() + 2;
            assertThatThrownBy(() -> store.append(
                            stream, ExpectedVersion.any(), events(1).get(0), big))
                    .isInstanceOfSatisfying(EventTooLargeException.class, e -> {
                        assertThat(e.sizeBytes()).isEqualTo(size);
                        assertThat(e.limitBytes()).isEqualTo(1024 * 1024);
                    })
                    .hasMessage("event " + big.eventId() + " is " + size
                            + " bytes, more than the limit of 1048576 bytes (type, data and metadata as UTF-8);"
                            + " store large payloads elsewhere and reference them");
        }

        @Test
        void the_limits_are_configurable_and_count_utf8_bytes() {
            EventStore small = open(StoreOptions.defaults().withLimits(new StoreLimits(20, 2)));
            // type 1 byte + metadata 2 bytes + data: "\"ä…\"" where each ä is 2 bytes
            EventData fits = EventData.of("T", "\"" + "ä".repeat(7) + "\"");
            EventData over = EventData.of("T", "\"" + "ä".repeat(8) + "\"");
            String id = newStream("small");
            assertThatThrownBy(() -> small.append(id, ExpectedVersion.any(), over))
                    .isInstanceOf(EventTooLargeException.class)
                    .hasMessageStartingWith(
                            "event " + over.eventId() + " is 21 bytes, more than the limit of 20 bytes");
            assertThatThrownBy(() -> small.append(id, ExpectedVersion.any(), events(3)))
                    .isInstanceOf(InvalidEventException.class)
                    .hasMessage("stream " + id
                            + ": an append may carry at most 2 events, got 3; split it into several appends");
            assertThat(small.headPosition()).isEqualTo(Position.START);
            small.append(id, ExpectedVersion.any(), fits);
            assertThat(readWholeLog(small, EventFilter.all())).hasSize(1);
        }
    }
}
