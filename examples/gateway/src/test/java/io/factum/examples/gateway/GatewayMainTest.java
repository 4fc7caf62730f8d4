package io.factum.examples.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway's command line. */
class GatewayMainTest {

    @Test
    void defaults_to_port_8000_in_front_of_one_orders_instance_on_8080() {
        GatewayMain.Settings settings = parse(List.of(), Map.of());

        assertThat(settings.host()).isEqualTo("127.0.0.1");
        assertThat(settings.port()).isEqualTo(8000);
        assertThat(settings.routes()).containsExactly(Map.entry("/", List.of(URI.create("http://127.0.0.1:8080"))));
        assertThat(settings.apiKey()).isEmpty();
        assertThat(settings.requestsPerSecond()).isEqualTo(20);
        assertThat(settings.maxRequestBytes()).isEqualTo(1_048_576);
        assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void takes_several_orders_instances_other_routes_and_flags_over_environment_variables() {
        GatewayMain.Settings settings = parse(
                List.of(
                        "--orders",
                        "http://127.0.0.1:8080,http://127.0.0.1:8081",
                        "--route",
                        "/api/shipping/=http://127.0.0.1:8082",
                        "--port",
                        "9000"),
                Map.of("GATEWAY_PORT", "7000", "GATEWAY_API_KEY", "from-env"));

        assertThat(settings.port()).isEqualTo(9000);
        assertThat(settings.apiKey()).hasValue("from-env");
        assertThat(settings.routes())
                .containsExactly(
                        Map.entry("/api/shipping/", List.of(URI.create("http://127.0.0.1:8082"))),
                        Map.entry(
                                "/",
                                List.of(URI.create("http://127.0.0.1:8080"), URI.create("http://127.0.0.1:8081"))));
    }

    @Test
    void refuses_a_bad_route_a_url_that_is_not_http_and_a_limit_below_one() {
        assertThatThrownBy(() -> parse(List.of("--route", "api=http://x:1"), Map.of()))
                .hasMessage(
                        "--route must be PREFIX=URL[,URL...] like /api/shipping/=http://127.0.0.1:8082, got 'api=http://x:1'");
        assertThatThrownBy(() -> parse(List.of("--orders", "ftp://127.0.0.1:21"), Map.of()))
                .hasMessage("--orders: 'ftp://127.0.0.1:21' must be an http URL like http://127.0.0.1:8080");
        assertThatThrownBy(() -> parse(List.of("--requests-per-second", "0"), Map.of()))
                .hasMessage("--requests-per-second, --max-request-bytes and --request-timeout must be at least 1,"
                        + " got 0, 1048576 and 30");
        assertThatThrownBy(() -> parse(List.of("--port=70000"), Map.of()))
                .hasMessage("--port must be a number from 0 to 65535, got 70000");
    }

    @Test
    void prints_the_flags_and_their_environment_variables_for_help() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        var settings = GatewayMain.Settings.parse(
                List.of("--help"), Map.of("GATEWAY_PORT", "7000"), new PrintStream(out, true, UTF_8));

        assertThat(settings).isEmpty();
        assertThat(out.toString(UTF_8))
                .contains(
                        "--port=N",
                        "(7000)",
                        "--orders=URL[,URL...]",
                        "--route=PREFIX=URL[,URL...]",
                        "GATEWAY_API_KEY");
    }

    private static GatewayMain.Settings parse(List<String> args, Map<String, String> env) {
        return GatewayMain.Settings.parse(args, env, System.out).orElseThrow();
    }
}
