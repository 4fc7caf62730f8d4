package io.factum.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StreamIdsTest {

    @Test
    void the_category_is_the_part_before_the_first_dash() {
        assertThat(StreamIds.category("order-42")).isEqualTo("order");
        assertThat(StreamIds.category("order-42-line-1")).isEqualTo("order");
        assertThat(StreamIds.category("order")).isEqualTo("order");
        assertThat(StreamIds.category("-42")).isEmpty();
    }

    @Test
    void accepts_unicode_and_the_longest_id() {
        assertThat(StreamIds.requireValid("kunde-Größe")).isEqualTo("kunde-Größe");
        assertThat(StreamIds.requireValid("a".repeat(200))).hasSize(200);
    }

    @Test
    void a_dollar_inside_the_id_is_allowed() {
        assertThat(StreamIds.requireValid("price-$5")).isEqualTo("price-$5");
    }

    @Test
    void names_the_rule_that_was_broken() {
        assertThatThrownBy(() -> StreamIds.requireValid("tab\there"))
                .isInstanceOf(InvalidStreamIdException.class)
                .hasMessage("stream id must not contain control characters, found U+0009 at index 3");
    }

    @Test
    void an_exact_expected_version_must_not_be_negative() {
        assertThatThrownBy(() -> ExpectedVersion.exactly(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "expected version must be 0 or more (use ExpectedVersion.noStream() for a new stream), got -1");
    }
}
