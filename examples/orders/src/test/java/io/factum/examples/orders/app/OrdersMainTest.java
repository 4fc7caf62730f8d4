package io.factum.examples.orders.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.examples.orders.ordering.OrderStatus;
import io.factum.examples.orders.readmodel.OrderSearch;
import io.factum.examples.orders.readmodel.OrderSummaries;
import io.javalin.Javalin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, and the one Javalin application with the API, the admin pages and the demo data. */
class OrdersMainTest {

    @Nested
    class Settings {

        @Test
        void defaults_to_port_8080_on_127_0_0_1_and_a_sqlite_file_in_data() {
            var settings = parse(List.of(), Map.of());

            assertThat(settings.port()).isEqualTo(8080);
            assertThat(settings.host()).isEqualTo("127.0.0.1");
            assertThat(settings.dataDir()).isEqualTo(Path.of("data"));
            assertThat(settings.jdbcUrl()).isEmpty();
            assertThat(settings.demoData()).isFalse();
            assertThat(settings.storeDescription())
                    .endsWith(Path.of("data", "orders.db").toString());
        }

        @Test
        void takes_flags_over_environment_variables() {
            var settings = parse(
                    List.of("--port", "9090", "--host=0.0.0.0", "--data-dir", "/tmp/x", "--demo-data"),
                    Map.of("ORDERS_PORT", "7070", "ORDERS_JDBC_USER", "app"));

            assertThat(settings.port()).isEqualTo(9090);
            assertThat(settings.host()).isEqualTo("0.0.0.0");
            assertThat(settings.dataDir()).isEqualTo(Path.of("/tmp/x"));
            assertThat(settings.demoData()).isTrue();
            assertThat(settings.jdbcUser()).contains("app");
        }

        @Test
        void reads_the_port_and_the_jdbc_url_from_the_environment() {
            var settings = parse(
                    List.of(),
                    Map.of("ORDERS_PORT", "7070", "ORDERS_JDBC_URL", "jdbc:postgresql://db:5432/orders?password=s"));

            assertThat(settings.port()).isEqualTo(7070);
            assertThat(settings.jdbcUrl()).contains("jdbc:postgresql://db:5432/orders?password=s");
            assertThat(settings.storeDescription()).isEqualTo("PostgreSQL jdbc:postgresql://db:5432/orders");
        }

        @Test
        void refuses_a_bad_port_an_unknown_flag_a_missing_value_and_a_non_postgres_url() {
            assertThatThrownBy(() -> parse(List.of("--port", "http"), Map.of()))
                    .hasMessage("Invalid value for option '--port': 'http' is not an int");
            assertThatThrownBy(() -> parse(List.of("--port=70000"), Map.of()))
                    .hasMessage("--port must be a number from 0 to 65535, got 70000");
            assertThatThrownBy(() -> parse(List.of("--colour", "red"), Map.of()))
                    .hasMessageStartingWith("Unknown options: '--colour', 'red'");
            assertThatThrownBy(() -> parse(List.of("--port"), Map.of()))
                    .hasMessage("Missing required parameter for option '--port' (N)");
            assertThatThrownBy(() -> parse(List.of("--jdbc-url", "jdbc:mysql://x/y"), Map.of()))
                    .hasMessage("--jdbc-url must be a PostgreSQL URL like jdbc:postgresql://localhost:5432/orders,"
                            + " got 'jdbc:mysql://x/y'");
            assertThatThrownBy(() -> parse(List.of(), Map.of("ORDERS_PORT", "eighty")))
                    .as("a bad environment variable is refused like a bad flag")
                    .hasMessage("Invalid value for option '--port': 'eighty' is not an int");
        }

        @Test
        void prints_the_flags_and_their_environment_variables_for_help() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            var settings = OrdersMain.Settings.parse(
                    List.of("--help"), Map.of("ORDERS_PORT", "7070"), new PrintStream(out, true, UTF_8));

            assertThat(settings).isEmpty();
            assertThat(out.toString(UTF_8))
                    .contains(
                            "--port=N", "(7070)", "--data-dir=DIR", "--jdbc-url=URL", "--demo-data", "ORDERS_JDBC_USER")
                    .contains("Exit status: 0 after a clean stop, 1 if it failed, 2 for a bad flag.");
        }

        private static OrdersMain.Settings parse(List<String> args, Map<String, String> env) {
            return OrdersMain.Settings.parse(args, env, System.out).orElseThrow();
        }
    }

    @Nested
    class Serving {

        @TempDir
        Path dir;

        @Test
        void serves_the_api_and_the_admin_pages_on_one_port_and_loads_the_demo_data_once() throws Exception {
            try (OrdersApp app =
                    OrdersApp.builder().sqlite(dir.resolve("orders.db")).start()) {
                assertThat(DemoData.loadOnce(app)).isTrue();
                assertThat(DemoData.loadOnce(app)).isFalse();
                Javalin web = OrdersMain.serve(app, "127.0.0.1", 0, "s3cret-admin");
                try {
                    String base = "http://127.0.0.1:" + web.port();
                    assertThat(get(base + "/api/orders").statusCode()).isEqualTo(200);
                    assertThat(get(base + "/api/orders").body()).contains("BOOK-NOTES");
                    assertThat(get(base + "/").statusCode())
                            .as("the web UI, the app's own")
                            .isEqualTo(200);
                    // failed before: anonymous callers had the ADMIN role
                    var anonymous = get(base + "/admin");
                    assertThat(anonymous.statusCode()).isEqualTo(401);
                    assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
                            .hasValueSatisfying(value -> assertThat(value).startsWith("Basic"));
                    assertThat(get(base + "/streams/$all").statusCode()).isEqualTo(401);
                    var admin = get(base + "/admin", "admin", "s3cret-admin");
                    assertThat(admin.statusCode()).isEqualTo(200);
                    assertThat(admin.body()).contains("Factum admin");
                    assertThat(get(base + "/admin/projections", "admin", "s3cret-admin")
                                    .body())
                            .contains("order_summary");
                    assertThat(get(base + "/health/ready").statusCode()).isEqualTo(200);
                    // the demo data's commands and appends, and the read models' lag, on /metrics for the admin
                    assertThat(get(base + "/metrics").statusCode()).isEqualTo(401);
                    assertThat(get(base + "/metrics", "admin", "s3cret-admin").body())
                            .contains(
                                    "factum_commands_seconds_count{command=\"CreateOrder\",error=\"none\",outcome=\"accepted\"}")
                            .contains("factum_appends_seconds_count{category=\"order\",error=\"none\",outcome=\"ok\"}")
                            .contains("factum_subscription_lag_events{subscription=\"order_summary@v");
                    var unknownOrder = get(base + "/api/orders/00000000-0000-0000-0000-000000000000");
                    assertThat(unknownOrder.statusCode()).isEqualTo(404);
                    assertThat(unknownOrder.body()).contains("urn:factum:orders:not-found");

                    // every state-changing route of the composed app: a page of another site is refused, and
                    // Factum's admin actions need credentials too
                    var foreignCommand = post(base + "/api/customers", "{}", "Origin", "http://evil.example");
                    assertThat(foreignCommand.statusCode()).isEqualTo(403);
                    assertThat(foreignCommand.body()).contains("cross-site-request");
                    assertThat(post(base + "/admin/projections/rebuild", "", "Sec-Fetch-Site", "same-origin")
                                    .statusCode())
                            .as("an admin action without credentials")
                            .isEqualTo(401);
                    assertThat(post(
                                            base + "/admin/projections/rebuild",
                                            "",
                                            "Authorization",
                                            "Basic "
                                                    + Base64.getEncoder()
                                                            .encodeToString("admin:s3cret-admin".getBytes(UTF_8)),
                                            "Origin",
                                            "http://evil.example")
                                    .statusCode())
                            .as("an admin action with the browser's credentials, from another site")
                            .isEqualTo(403);
                    assertThat(post(base + "/streams/order-x", "[]", "Sec-Fetch-Site", "same-origin")
                                    .statusCode())
                            .as("an append without credentials")
                            .isEqualTo(401);
                } finally {
                    web.stop();
                }
                assertThat(app.orderSummaries()
                                .query(OrderSummaries.find(OrderSearch.all().inStatus(OrderStatus.PENDING))))
                        .hasSize(2);
            }
        }

        private HttpResponse<String> get(String url) throws IOException, InterruptedException {
            return HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        }

        private HttpResponse<String> post(String url, String body, String... headers)
                throws IOException, InterruptedException {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .headers(headers)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        }

        private HttpResponse<String> get(String url, String user, String password)
                throws IOException, InterruptedException {
            String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(UTF_8));
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .header("Authorization", "Basic " + basic)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        }

        @Test
        void makes_an_admin_password_at_first_start_prints_it_once_and_keeps_it() throws Exception {
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            ByteArrayOutputStream second = new ByteArrayOutputStream();

            String made = OrdersMain.adminPassword(Map.of(), dir, new PrintStream(first, true, UTF_8));
            String kept = OrdersMain.adminPassword(Map.of(), dir, new PrintStream(second, true, UTF_8));

            assertThat(made).hasSizeGreaterThanOrEqualTo(20).isEqualTo(kept);
            assertThat(first.toString(UTF_8)).contains("password " + made + " (made now");
            assertThat(second.toString(UTF_8)).doesNotContain(made).contains("admin-password");
            assertThat(java.nio.file.Files.getPosixFilePermissions(dir.resolve("admin-password")))
                    .containsExactlyInAnyOrder(
                            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            assertThat(OrdersMain.adminPassword(
                            Map.of("ORDERS_ADMIN_PASSWORD", "from-env"), dir, new PrintStream(second, true, UTF_8)))
                    .isEqualTo("from-env");
        }
    }
}
