package io.factum.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The admin pages as FactumHttp mounts them, behind the security rules. */
class AdminMountTest {

    private static final String ADMIN_KEY = "admin-key-0123456789abcdef";
    private static final String READ_KEY = "read-key-0123456789abcdef";

    @Test
    void serves_the_pages_to_the_admin_role_only() throws Exception {
        try (EventStore store = EventStore.inMemory()) {
            store.append("order-1", ExpectedVersion.any(), EventData.of("OrderPlaced", "{}"));
            Javalin app = FactumHttp.builder(store)
                    .security(HttpSecurity.builder()
                            .apiKey(ADMIN_KEY, Role.ADMIN)
                            .apiKey(READ_KEY, Role.READ)
                            .build())
                    .build()
                    .start("127.0.0.1", 0);
            try {
                String base = "http://127.0.0.1:" + app.port();
                HttpClient client = HttpClient.newHttpClient();

                HttpResponse<String> asAdmin = client.send(
                        HttpRequest.newBuilder(URI.create(base + "/admin/streams"))
                                .header("Authorization", "Bearer " + ADMIN_KEY)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> asReader = client.send(
                        HttpRequest.newBuilder(URI.create(base + "/admin/streams"))
                                .header("Authorization", "Bearer " + READ_KEY)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> anonymousRebuild = client.send(
                        HttpRequest.newBuilder(URI.create(base + "/admin/projections/rebuild"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString("projection=orders"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

                assertThat(asAdmin.statusCode()).isEqualTo(200);
                assertThat(asAdmin.body()).contains("order-1");
                assertThat(asReader.statusCode()).isEqualTo(403);
                assertThat(anonymousRebuild.statusCode()).isEqualTo(401);
            } finally {
                app.stop();
            }
        }
    }

    @Test
    void links_back_to_the_application_that_hosts_the_pages_when_given_one() throws Exception {
        try (EventStore store = EventStore.inMemory()) {
            HttpSecurity admin =
                    HttpSecurity.builder().apiKey(ADMIN_KEY, Role.ADMIN).build();
            Javalin hosted = FactumHttp.builder(store)
                    .security(admin)
                    .applicationLink("Orders <app>", "/")
                    .prefix("/factum")
                    .build()
                    .start("127.0.0.1", 0);
            Javalin alone = FactumHttp.builder(store).security(admin).build().start("127.0.0.1", 0);
            try {
                HttpClient client = HttpClient.newHttpClient();
                HttpResponse<String> withLink = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hosted.port() + "/factum/admin"))
                                .header("Authorization", "Bearer " + ADMIN_KEY)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> without = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + alone.port() + "/admin"))
                                .header("Authorization", "Bearer " + ADMIN_KEY)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

                // the application's own address does not move with Factum's prefix; the label is escaped
                assertThat(withLink.body())
                        .contains(
                                "<a href=\"/\" class=\"application\" id=\"application-link\">← Orders &lt;app&gt;</a>");
                assertThat(without.body()).doesNotContain("application-link");
            } finally {
                hosted.stop();
                alone.stop();
            }
        }
    }

    @Test
    void refuses_an_application_link_that_is_not_an_address() {
        var builder = FactumHttp.builder(EventStore.inMemory());

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> builder.applicationLink("Orders", "javascript:alert(1)"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an application link is a path like / or an http(s) URL without spaces or quotes, got"
                        + " 'javascript:alert(1)'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> builder.applicationLink("", "/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an application link's label must be 1-60 characters, got 0");
    }
}
