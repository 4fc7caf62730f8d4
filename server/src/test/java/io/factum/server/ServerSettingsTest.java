package io.factum.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.http.HttpLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerSettingsTest {

    @Test
    void has_defaults_for_a_local_embedded_store() {
        ServerSettings settings = ServerSettings.parse(List.of(), Map.of());

        assertThat(settings.dataDir()).isEqualTo(Path.of("data"));
        assertThat(settings.host()).isEqualTo("127.0.0.1");
        assertThat(settings.port()).isEqualTo(2113);
        assertThat(settings.postgres()).isFalse();
        assertThat(settings.anyKey()).isFalse();
        assertThat(settings.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.httpLimits()).isEqualTo(HttpLimits.defaults());
    }

    @Test
    void takes_the_limits_of_slow_and_long_lived_requests() {
        ServerSettings settings = ServerSettings.parse(
                List.of("--max-long-lived-requests", "50", "--min-request-data-rate=0"),
                Map.of("FACTUM_MAX_LONG_LIVED_REQUESTS_PER_CLIENT", "5", "FACTUM_MAX_LONG_LIVED_REQUESTS", "9"));

        assertThat(settings.httpLimits().maxLongLivedRequests()).isEqualTo(50);
        assertThat(settings.httpLimits().maxLongLivedRequestsPerClient()).isEqualTo(5);
        assertThat(settings.httpLimits().minRequestDataRate()).isZero();
        assertThatThrownBy(() -> ServerSettings.parse(List.of("--max-long-lived-requests", "0"), Map.of()))
                .isInstanceOf(ServerUsageException.class)
                .hasMessage("Invalid value for option '--max-long-lived-requests': must be a whole number from 1 to"
                        + " 2147483647, got '0'");
        assertThatThrownBy(() -> ServerSettings.parse(List.of(), Map.of("FACTUM_MIN_REQUEST_DATA_RATE", "fast")))
                .hasMessage("Invalid value for option '--min-request-data-rate': must be a whole number from 0 to"
                        + " 2147483647, got 'fast'");
    }

    @Test
    void flags_win_over_the_environment() {
        ServerSettings settings = ServerSettings.parse(
                List.of("--port=9000", "--host", "0.0.0.0", "--allow-anonymous-read"),
                Map.of(
                        "FACTUM_PORT", "8000",
                        "FACTUM_API_KEY", "admin-key-123456",
                        "FACTUM_JDBC_URL", "jdbc:postgresql://db/factum",
                        "FACTUM_JDBC_PASSWORD", "pw"));

        assertThat(settings.port()).isEqualTo(9000);
        assertThat(settings.host()).isEqualTo("0.0.0.0");
        assertThat(settings.adminKey()).hasValue("admin-key-123456");
        assertThat(settings.jdbcPassword()).hasValue("pw");
        assertThat(settings.postgres()).isTrue();
        assertThat(settings.allowAnonymousRead()).isTrue();
        assertThat(settings.toString()).doesNotContain("admin-key-123456").doesNotContain("pw,");
    }

    @Test
    void prints_every_flag_for_help() {
        ServerSettings settings = ServerSettings.parse(List.of("--help"), Map.of());

        assertThat(settings.help()).isTrue();
        assertThat(ServerSettings.usage())
                .contains("--data-dir=DIR", "--jdbc-url=URL", "--api-key=KEY", "--max-long-lived-requests-per-client=N")
                .contains("FACTUM_JDBC_PASSWORD")
                .contains(
                        "Exit status: 0 after a clean stop, 1 if it failed to start or to close the store, 2 for a bad"
                                + " flag.");
    }

    @Test
    void takes_a_switch_from_the_environment_or_as_a_flag_with_a_value() {
        assertThat(ServerSettings.parse(List.of(), Map.of("FACTUM_ALLOW_ANONYMOUS_READ", "yes"))
                        .allowAnonymousRead())
                .isTrue();
        assertThat(ServerSettings.parse(
                                List.of("--allow-anonymous-read=false"), Map.of("FACTUM_ALLOW_ANONYMOUS_READ", "true"))
                        .allowAnonymousRead())
                .isFalse();
    }

    @Test
    void says_what_is_wrong_with_a_flag() {
        assertThatThrownBy(() -> ServerSettings.parse(List.of("--prot", "1"), Map.of()))
                .isInstanceOf(ServerUsageException.class)
                .hasMessageStartingWith("Unknown options: '--prot', '1'");
        assertThatThrownBy(() -> ServerSettings.parse(List.of("--port"), Map.of()))
                .hasMessage("Missing required parameter for option '--port' (PORT)");
        assertThatThrownBy(() -> ServerSettings.parse(List.of("--port", "http"), Map.of()))
                .hasMessage("Invalid value for option '--port': must be a whole number from 0 to 65535, got 'http'");
        assertThatThrownBy(() -> ServerSettings.parse(List.of(), Map.of("FACTUM_INSECURE_ANONYMOUS", "maybe")))
                .hasMessage("Invalid value for option '--insecure-anonymous': is true or false, got 'maybe'");
        assertThatThrownBy(() -> ServerSettings.parse(List.of("data"), Map.of()))
                .hasMessageStartingWith("Unmatched argument at index 0: 'data'");
    }
}
