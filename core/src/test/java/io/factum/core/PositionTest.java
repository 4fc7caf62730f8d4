package io.factum.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class PositionTest {

    @Property
    void the_text_form_reads_back(@ForAll @LongRange(min = 0) long txId, @ForAll @LongRange(min = 0) long position) {
        Position original = new Position(txId, position);
        assertThat(Position.parse(original.toString())).isEqualTo(original);
    }

    @Test
    void orders_by_transaction_then_position() {
        assertThat(new Position(5, 100)).isLessThan(new Position(6, 1));
        assertThat(new Position(6, 1)).isLessThan(new Position(6, 2));
        assertThat(Position.START).isLessThan(Position.of(1));
        assertThat(Position.END).isGreaterThan(new Position(Long.MAX_VALUE - 1, Long.MAX_VALUE));
        assertThat(Position.of(2).isAfter(Position.of(1))).isTrue();
    }

    @Test
    void a_bare_number_is_a_single_writer_position() {
        assertThat(Position.parse("42")).isEqualTo(new Position(0, 42));
    }

    @Test
    void rejects_text_that_is_not_a_position() {
        assertThatThrownBy(() -> Position.parse("12/x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a position must look like 'txId/position' or 'position' with whole numbers, got '12/x'");
        assertThatThrownBy(() -> new Position(-1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a position's txId and position must be 0 or more, got -1/0");
    }
}
