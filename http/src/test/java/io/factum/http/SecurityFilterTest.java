package io.factum.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SecurityFilterTest {

    private static final String ADMIN_KEY = "admin-key-0123456789";
    private static final String READ_KEY = "read-key-0123456789";
    private static final String WRITE_KEY = "write-key-0123456789";

    private final HttpClient client = HttpClient.newHttpClient();
    private EventStore store;
    private Javalin app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.stop();
        }
        if (store != null) {
            store.close();
        }
    }

    private void start(HttpSecurity security) {
        store = EventStore.inMemory();
        app = FactumHttp.builder(store)
                .security(security)
                .meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .build()
                .start("127.0.0.1", 0);
    }

    private static HttpSecurity keys() {
        return HttpSecurity.builder()
                .apiKey(ADMIN_KEY, Role.ADMIN)
                .apiKey(READ_KEY, Role.READ)
                .apiKey(WRITE_KEY, Role.WRITE)
                .user("ops", "correct horse battery", Role.READ)
                .streamRule("payment-", Role.ADMIN, Role.ADMIN)
                .build();
    }

    private HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method(
                        method,
                        method.equals("POST")
                                ? HttpRequest.BodyPublishers.ofString("[]")
                                : HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String bearer(String key) {
        return "Bearer " + key;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Nested
    class By_default {

        @Test
        void health_is_open_and_everything_else_needs_credentials() throws Exception {
            start(HttpSecurity.denyAll());

            assertThat(send("GET", "/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = send("GET", "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(401);
            assertThat(metrics.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"factum\"");
            assertThat(metrics.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(metrics.body())
                    .contains("\"status\":401")
                    .contains("\"title\":\"Unauthorized\"")
                    .contains("GET /metrics needs the ADMIN role");
            assertThat(send("GET", "/streams/order-1").statusCode()).isEqualTo(401);
            assertThat(send("POST", "/streams/order-1").statusCode()).isEqualTo(401);
            assertThat(send("GET", "/admin").statusCode()).isEqualTo(401);
        }

        @Test
        void refusals_use_the_documented_problem_types_and_offer_only_what_the_server_accepts() throws Exception {
            // failed before: type https://factum.io/problems/..., and a 401 suggesting HTTP Basic to a server
            // that has no users
            start(HttpSecurity.builder().apiKey(READ_KEY, Role.READ).build());

            HttpResponse<String> unauthorized = send("GET", "/streams/order-1");
            HttpResponse<String> forbidden = send("GET", "/metrics", "X-API-Key", READ_KEY);

            assertThat(unauthorized.body())
                    .contains("\"type\":\"urn:factum:problem:unauthorized\"")
                    .contains("send an API key")
                    .doesNotContain("Basic");
            assertThat(forbidden.body()).contains("\"type\":\"urn:factum:problem:forbidden\"");
        }

        @Test
        void an_unknown_key_is_refused_and_not_echoed() throws Exception {
            start(HttpSecurity.denyAll());

            HttpResponse<String> response = send("GET", "/streams/order-1", "Authorization", bearer("guessed-key-42"));

            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.body()).contains("credentials are not valid").doesNotContain("guessed-key-42");
        }
    }

    @Nested
    class With_api_keys_and_users {

        @Test
        void a_bearer_key_or_x_api_key_header_passes_with_its_role() throws Exception {
            start(keys());

            HttpResponse<String> metrics = send("GET", "/metrics", "Authorization", bearer(ADMIN_KEY));
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValue(OpsRoutes.PROMETHEUS_CONTENT_TYPE);
            assertThat(send("GET", "/metrics", "X-API-Key", ADMIN_KEY).statusCode())
                    .isEqualTo(200);
            assertThat(send("GET", "/streams/order-1", "X-API-Key", READ_KEY).statusCode())
                    .isNotIn(401, 403);
        }

        @Test
        void a_role_too_low_is_forbidden_naming_the_roles_but_not_the_key() throws Exception {
            start(keys());

            HttpResponse<String> response = send("GET", "/metrics", "Authorization", bearer(READ_KEY));

            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(response.headers().firstValue("WWW-Authenticate")).isEmpty();
            assertThat(response.body())
                    .contains("\"status\":403")
                    .contains("api-key-2 has the READ role but GET /metrics needs ADMIN")
                    .doesNotContain(READ_KEY);
        }

        @Test
        void reading_needs_read_and_writing_needs_write() throws Exception {
            start(keys());

            assertThat(send("POST", "/streams/order-1", "X-API-Key", READ_KEY).statusCode())
                    .isEqualTo(403);
            assertThat(send("DELETE", "/streams/order-1", "X-API-Key", READ_KEY).statusCode())
                    .isEqualTo(403);
            assertThat(send("POST", "/streams/order-1", "X-API-Key", WRITE_KEY).statusCode())
                    .isNotIn(401, 403);
            assertThat(send("GET", "/streams/order-1", "X-API-Key", WRITE_KEY).statusCode())
                    .isNotIn(401, 403);
            assertThat(send("GET", "/subscriptions/streams/order-1", "X-API-Key", WRITE_KEY)
                            .statusCode())
                    .isEqualTo(403);
            assertThat(send("GET", "/admin", "X-API-Key", WRITE_KEY).statusCode())
                    .isEqualTo(403);
            assertThat(send("GET", "/admin", "X-API-Key", ADMIN_KEY).statusCode())
                    .isNotIn(401, 403);
        }

        @Test
        void appends_to_several_streams_and_reads_by_query_need_the_strictest_role_of_any_stream() throws Exception {
            start(keys());

            // they span streams, so the payment- rule (ADMIN) applies whatever streams they name
            assertThat(send("POST", "/streams", "X-API-Key", READ_KEY).statusCode())
                    .isEqualTo(403);
            assertThat(send("POST", "/streams", "X-API-Key", WRITE_KEY).statusCode())
                    .isEqualTo(403);
            assertThat(send("POST", "/streams", "X-API-Key", ADMIN_KEY).statusCode())
                    .isNotIn(401, 403);
            assertThat(send("GET", "/streams/$query?tag=a", "X-API-Key", READ_KEY)
                            .statusCode())
                    .isEqualTo(403);
            assertThat(send("GET", "/streams/$query?tag=a", "X-API-Key", ADMIN_KEY)
                            .statusCode())
                    .isNotIn(401, 403);
        }

        @Test
        void a_user_signs_in_with_basic_and_a_wrong_password_is_refused() throws Exception {
            start(keys());

            assertThat(send("GET", "/streams/order-1").body()).contains("or a user name and password (HTTP Basic)");
            assertThat(send("GET", "/streams/order-1", "Authorization", basic("ops", "correct horse battery"))
                            .statusCode())
                    .isNotIn(401, 403);
            HttpResponse<String> wrong = send("GET", "/streams/order-1", "Authorization", basic("ops", "wrong"));
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.headers().firstValue("WWW-Authenticate"))
                    .hasValue("Basic realm=\"factum\", charset=\"UTF-8\"");
            assertThat(wrong.body()).doesNotContain("wrong\"");
            assertThat(send("GET", "/streams/order-1", "Authorization", basic("nobody", "correct horse battery"))
                            .statusCode())
                    .isEqualTo(401);
            assertThat(send("GET", "/streams/order-1", "Authorization", "Basic !!!")
                            .statusCode())
                    .isEqualTo(401);
        }

        @Test
        void a_stream_rule_raises_the_role_for_its_prefix_and_for_the_global_log() throws Exception {
            start(keys());

            assertThat(send("GET", "/streams/payment-1", "X-API-Key", READ_KEY).statusCode())
                    .isEqualTo(403);
            assertThat(send("GET", "/streams/payment%2D1", "X-API-Key", READ_KEY)
                            .statusCode())
                    .isEqualTo(403);
            assertThat(send("POST", "/streams/payment-1", "X-API-Key", WRITE_KEY)
                            .statusCode())
                    .isEqualTo(403);
            assertThat(send("GET", "/streams/$all", "X-API-Key", READ_KEY).statusCode())
                    .isEqualTo(403);
            assertThat(send("GET", "/streams/%24all", "X-API-Key", READ_KEY).statusCode())
                    .isEqualTo(403);
            assertThat(send("GET", "/subscriptions/all", "X-API-Key", READ_KEY).statusCode())
                    .isEqualTo(403);
            assertThat(send("GET", "/streams/payment-1", "X-API-Key", ADMIN_KEY).statusCode())
                    .isNotIn(401, 403);
            assertThat(send("GET", "/streams/$all", "X-API-Key", ADMIN_KEY).statusCode())
                    .isNotIn(401, 403);
        }
    }

    @Nested
    class Cross_site_requests {

        @Test
        void a_write_a_browser_sent_from_another_site_is_refused_before_its_credentials_count() throws Exception {
            // failed before: a foreign page's form post rode on the browser's credentials
            start(keys());
            String basic = basic("ops", "correct horse battery");

            HttpResponse<String> foreignOrigin =
                    send("POST", "/streams/order-1", "X-API-Key", WRITE_KEY, "Origin", "http://evil.example");
            HttpResponse<String> crossSite =
                    send("POST", "/admin/projections/rebuild", "Authorization", basic, "Sec-Fetch-Site", "cross-site");
            HttpResponse<String> sameSite =
                    send("DELETE", "/streams/order-1", "X-API-Key", WRITE_KEY, "Sec-Fetch-Site", "same-site");

            for (HttpResponse<String> refused : List.of(foreignOrigin, crossSite, sameSite)) {
                assertThat(refused.statusCode()).isEqualTo(403);
                assertThat(refused.body()).contains("urn:factum:problem:cross-site-request");
            }
            assertThat(store.streamInfo("order-1")).isEmpty();
        }

        @Test
        void writes_from_this_site_and_from_clients_that_are_not_browsers_go_on() throws Exception {
            start(keys());
            String self = "http://127.0.0.1:" + app.port();

            assertThat(send("POST", "/streams/order-1", "X-API-Key", WRITE_KEY, "Sec-Fetch-Site", "same-origin")
                            .statusCode())
                    .isNotEqualTo(403);
            assertThat(send("POST", "/streams/order-1", "X-API-Key", WRITE_KEY, "Origin", self)
                            .statusCode())
                    .isNotEqualTo(403);
            assertThat(send("POST", "/streams/order-1", "X-API-Key", WRITE_KEY).statusCode())
                    .isNotEqualTo(403);
            assertThat(send("GET", "/streams/order-1", "X-API-Key", READ_KEY, "Sec-Fetch-Site", "cross-site")
                            .statusCode())
                    .isNotEqualTo(403);
        }

        @Test
        void admin_pages_may_not_be_framed_by_another_site() throws Exception {
            start(keys());

            HttpResponse<String> page = send("GET", "/admin", "X-API-Key", ADMIN_KEY);

            assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
            assertThat(page.headers().firstValue("Content-Security-Policy"))
                    .hasValueSatisfying(csp -> assertThat(csp).contains("frame-ancestors 'none'"));
        }
    }

    @Nested
    class Caching {

        private void appendOne() {
            store.append(
                    "order-1",
                    ExpectedVersion.any(),
                    List.of(new EventData(UUID.randomUUID(), "OrderPlaced", 1, "{}", EventData.NO_METADATA)));
        }

        @Test
        void what_a_credential_read_is_private_so_no_shared_cache_serves_it_to_anyone_else() throws Exception {
            start(keys());
            appendOne();

            // failed before: public, max-age=31536000, immutable with Vary: Accept only
            assertThat(send("GET", "/streams/order-1/0", "X-API-Key", READ_KEY)
                            .headers()
                            .firstValue("Cache-Control"))
                    .hasValue("private, max-age=31536000, immutable");
            assertThat(send("GET", "/streams/order-1/0", "Authorization", basic("ops", "correct horse battery"))
                            .headers()
                            .firstValue("Cache-Control"))
                    .hasValue("private, max-age=31536000, immutable");
            assertThat(send("GET", "/streams/order-1", "Authorization", bearer(READ_KEY))
                            .headers()
                            .firstValue("Cache-Control"))
                    .hasValue("private, max-age=0, no-cache, must-revalidate");
            assertThat(send("GET", "/streams/order-1/metadata", "X-API-Key", ADMIN_KEY)
                            .headers()
                            .firstValue("Cache-Control"))
                    .hasValue("private, max-age=0, no-cache, must-revalidate");
        }

        @Test
        void what_anyone_may_read_without_a_credential_stays_public() throws Exception {
            start(HttpSecurity.builder().anonymous(Role.READ).build());
            appendOne();

            assertThat(send("GET", "/streams/order-1/0").headers().firstValue("Cache-Control"))
                    .hasValue("public, max-age=31536000, immutable");
            assertThat(send("GET", "/streams/order-1").headers().firstValue("Cache-Control"))
                    .hasValue("max-age=0, no-cache, must-revalidate");
        }
    }

    @Nested
    class Anonymous_access {

        @Test
        void lets_requests_without_credentials_read_but_asks_for_them_to_write() throws Exception {
            start(HttpSecurity.builder().anonymous(Role.READ).build());

            assertThat(send("GET", "/streams/order-1").statusCode()).isNotIn(401, 403);
            HttpResponse<String> write = send("POST", "/streams/order-1");
            assertThat(write.statusCode()).isEqualTo(401);
            assertThat(write.body()).contains("anonymous callers have READ");
        }

        @Test
        void a_bad_key_is_not_downgraded_to_anonymous() throws Exception {
            start(HttpSecurity.builder().anonymous(Role.READ).build());

            assertThat(send("GET", "/streams/order-1", "X-API-Key", "not-a-key-at-all")
                            .statusCode())
                    .isEqualTo(401);
        }
    }

    @Nested
    class Decisions {

        private final List<SecurityStreamRule> rules =
                List.of(new SecurityStreamRule("payment-", Role.ADMIN, Role.ADMIN));

        @Test
        void unknown_paths_and_methods_need_admin() {
            assertThat(SecurityFilter.requiredRole(HandlerType.GET, "/", rules)).hasValue(Role.ADMIN);
            assertThat(SecurityFilter.requiredRole(HandlerType.PUT, "/streams/order-1", rules))
                    .hasValue(Role.ADMIN);
            assertThat(SecurityFilter.requiredRole(HandlerType.GET, "/Streams/order-1", rules))
                    .hasValue(Role.ADMIN);
            assertThat(SecurityFilter.requiredRole(HandlerType.GET, "/streams/%2e%2e/admin", rules))
                    .hasValue(Role.ADMIN);
            assertThat(SecurityFilter.requiredRole(HandlerType.POST, "/health/live", rules))
                    .hasValue(Role.ADMIN);
        }

        @Test
        void health_is_open_and_streams_follow_the_rules() {
            assertThat(SecurityFilter.requiredRole(HandlerType.GET, "/health/ready", rules))
                    .isEmpty();
            assertThat(SecurityFilter.requiredRole(HandlerType.HEAD, "/streams/order-1/0/forward/20", rules))
                    .hasValue(Role.READ);
            assertThat(SecurityFilter.requiredRole(HandlerType.GET, "//streams//payment-9", rules))
                    .hasValue(Role.ADMIN);
            assertThat(SecurityFilter.requiredRole(HandlerType.GET, "/streams", rules))
                    .hasValue(Role.ADMIN);
            assertThat(SecurityFilter.requiredRole(HandlerType.POST, "/streams/order-1", List.of()))
                    .hasValue(Role.WRITE);
            assertThat(SecurityFilter.requiredRole(HandlerType.GET, "/subscriptions/order-1", List.of()))
                    .hasValue(Role.READ);
            assertThat(SecurityFilter.requiredRole(
                            HandlerType.GET,
                            "/streams/a+b",
                            List.of(new SecurityStreamRule("a+", Role.WRITE, Role.ADMIN))))
                    .isEqualTo(Optional.of(Role.WRITE));
        }

        @Test
        void roles_include_the_lower_ones() {
            assertThat(Role.ADMIN.includes(Role.WRITE)).isTrue();
            assertThat(Role.WRITE.includes(Role.READ)).isTrue();
            assertThat(Role.READ.includes(Role.WRITE)).isFalse();
        }
    }

    @Nested
    class Configuration {

        @Test
        void rejects_short_keys_duplicate_keys_and_bad_user_names() {
            assertThatThrownBy(() -> HttpSecurity.builder().apiKey("short", Role.READ))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("an API key must have 8 characters or more, got 5");
            assertThatThrownBy(() ->
                            HttpSecurity.builder().apiKey(ADMIN_KEY, Role.READ).apiKey(ADMIN_KEY, Role.ADMIN))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("this API key is already configured");
            assertThatThrownBy(() -> HttpSecurity.builder().user("a:b", "pw", Role.READ))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a user name must be non-empty and without ':', got 'a:b'");
            assertThatThrownBy(() -> HttpSecurity.builder().streamRule("", Role.READ, Role.READ))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("a stream rule's prefix must not be empty");
        }

        @Test
        void limits_reject_nonsense() {
            assertThatThrownBy(() -> HttpLimits.defaults().withMaxRequestBytes(0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxRequestBytes must be 1 or more, got 0");
            assertThatThrownBy(() -> HttpLimits.defaults().withMinRequestDataRate(-1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("minRequestDataRate must be 0 (no minimum) or more bytes per second, got -1");
            assertThatThrownBy(() -> HttpLimits.defaults().withMaxLongLivedRequests(0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxLongLivedRequests must be 1 or more, got 0");
            assertThatThrownBy(() -> HttpLimits.defaults().withMaxLongLivedRequestsPerClient(0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxLongLivedRequestsPerClient must be 1 or more, got 0");
            assertThat(HttpLimits.defaults().maxRequestBytes()).isEqualTo(4L * 1024 * 1024);
            assertThat(HttpLimits.defaults().minRequestDataRate()).isEqualTo(1024);
            assertThat(HttpLimits.defaults().maxLongLivedRequests()).isEqualTo(1000);
            assertThat(HttpLimits.defaults().maxLongLivedRequestsPerClient()).isEqualTo(100);
        }
    }
}
