package io.factum.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.aggregate.Snapshot;
import io.factum.core.aggregate.SnapshotStore;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SnapshotValidationTest {

    private static Snapshot withData(String data) {
        return new Snapshot("account-1", 3, "Account", 1, data, Instant.EPOCH);
    }

    @Test
    void accepts_one_document_of_any_shape() {
        for (String data :
                new String[] {"{}", "[]", "1", "\"text\"", "null", "{\"a\":[{\"b\":\"\\u0001 ☃\"}],\"c\":2.5}"}) {
            Snapshot snapshot = withData(data);
            assertThat(SnapshotValidation.requireValid(snapshot)).isSameAs(snapshot);
        }
    }

    @Test
    void refuses_the_character_u0000_in_a_string_or_a_name_anywhere_in_the_document() {
        for (String data : new String[] {
            "\"a\\u0000b\"", "{\"x\":\"\\u0000\"}", "{\"\\u0000\":1}", "[1,[{\"deep\":[\"ok\",\"\\u0000\"]}]]"
        }) {
            assertThatThrownBy(() -> SnapshotValidation.requireValid(withData(data)))
                    .as(data)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("snapshot of account-1: data contains the character U+0000 in a string");
        }
    }

    @Test
    void refuses_data_nested_deeper_than_jackson_reads_with_a_message_not_a_null_pointer() {
        // failed before: a NullPointerException, as the nesting-depth error has no location
        String deep = "[".repeat(10_000) + "]".repeat(10_000);

        assertThatThrownBy(() -> SnapshotValidation.requireValid(withData(deep)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("snapshot of account-1: data is not valid JSON: Document nesting depth (1001)"
                        + " exceeds the maximum allowed (1000");
    }

    @Test
    void the_in_memory_store_refuses_u0000_like_every_store() {
        SnapshotStore snapshots = SnapshotStore.inMemory();

        assertThatThrownBy(() -> snapshots.save(withData("{\"x\":\"\\u0000\"}")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(snapshots.load("account-1")).isEmpty();
    }

    @Test
    void still_refuses_text_after_the_document() {
        assertThatThrownBy(() -> SnapshotValidation.requireValid(withData("{\"a\":\"b\"} 1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("snapshot of account-1: data must hold one JSON document, found more after it");
    }
}
