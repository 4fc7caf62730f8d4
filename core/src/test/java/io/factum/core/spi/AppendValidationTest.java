package io.factum.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class AppendValidationTest {

    @Property(tries = 500)
    void counts_utf8_bytes_like_the_encoder(@ForAll String text) {
        assertThat(AppendValidation.utf8Length(text)).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
    }
}
