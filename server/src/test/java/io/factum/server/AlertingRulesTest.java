package io.factum.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.factum.core.EventData;
import io.factum.core.ExpectedVersion;
import io.factum.core.SqlEventStore;
import io.factum.core.WrongExpectedVersionException;
import io.factum.core.command.CommandBus;
import io.factum.core.command.CommandContext;
import io.factum.core.observation.Observed;
import io.factum.core.subscription.RetryPolicy;
import io.factum.core.subscription.Subscription;
import io.factum.http.FactumHttp;
import io.factum.http.HttpSecurity;
import io.factum.http.Role;
import io.factum.store.postgres.PostgresEventStore;
import io.factum.store.sqlite.SqliteEventStore;
import io.javalin.Javalin;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus alert rules and the Grafana dashboard in {@code docs/monitoring} name only metrics that
 * Factum exports: an application on PostgreSQL and one on SQLite, each with an observed store, an observed
 * command bus, a subscription and Factum's HTTP routes, serve some traffic (a conflicting append, a parked
 * event), and every metric name in the rules' {@code expr} and the dashboard's targets must be in one of
 * their {@code /metrics} scrapes.
 */
class AlertingRulesTest {

    private static final String KEY = "alerting-test-key-0123456789";
    private static final Path MONITORING = Path.of("..", "docs", "monitoring");
    /** A Prometheus metric name in an expression: Factum's, HTTP's and the JVM's, by their prefixes. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:factum|http_server|jvm|process)_[a-zA-Z0-9_]+)\\b");

    private static EmbeddedPostgres postgres;
    private static String postgresScrape;
    private static String sqliteScrape;

    @TempDir
    static Path dir;

    @BeforeAll
    static void scrape_two_applications() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        postgresScrape = scrapeAfterTraffic(() -> PostgresEventStore.builder()
                .jdbcUrl(postgres.getJdbcUrl("postgres", "postgres"))
                .schema("alerting")
                .open());
        sqliteScrape = scrapeAfterTraffic(() -> SqliteEventStore.open(dir.resolve("alerting.db")));
    }

    @AfterAll
    static void stop() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void every_metric_of_the_alert_rules_is_exported() throws IOException {
        JsonNode rules = new ObjectMapper(new YAMLFactory())
                .readTree(MONITORING.resolve("factum-alerts.yml").toFile());
        List<String> expressions = new ArrayList<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                assertThat(rule.path("alert").asText())
                        .as("every rule is an alert with a name")
                        .isNotBlank();
                assertThat(rule.path("labels").path("severity").asText())
                        .as("the severity of %s", rule.path("alert").asText())
                        .isIn("critical", "warning", "info");
                expressions.add(rule.path("expr").asText());
            }
        }

        assertThat(expressions).as("the rules").hasSizeGreaterThanOrEqualTo(8);
        assertExported(expressions, "the alert rules");
    }

    @Test
    void every_metric_of_the_dashboard_is_exported() throws IOException {
        JsonNode dashboard = new ObjectMapper()
                .readTree(MONITORING.resolve("factum-dashboard.json").toFile());
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                expressions.add(variable.path("query").asText());
            }
        }

        assertThat(expressions).as("the dashboard's queries").hasSizeGreaterThanOrEqualTo(15);
        assertExported(expressions, "the dashboard");
    }

    @Test
    void the_store_figures_are_exported_by_the_store_they_belong_to() {
        assertThat(names(postgresScrape)).contains("factum_store_xmin_horizon_age");
        assertThat(names(sqliteScrape)).contains("factum_store_writer_failed_transactions");
    }

    private static void assertExported(List<String> expressions, String what) {
        Set<String> exported = new TreeSet<>(names(postgresScrape));
        exported.addAll(names(sqliteScrape));
        Set<String> named = new TreeSet<>();
        for (String expression : expressions) {
            Matcher matcher = METRIC.matcher(expression);
            boolean any = false;
            while (matcher.find()) {
                named.add(matcher.group(1));
                any = true;
            }
            assertThat(any)
                    .as("%s: the expression %s names a metric", what, expression)
                    .isTrue();
        }
        assertThat(exported)
                .as("the metrics exported, which must hold every metric %s names", what)
                .containsAll(named);
    }

    /** The names of the samples of a Prometheus text scrape. */
    private static Set<String> names(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.lines().toList()) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    /** Starts an application on the store, makes traffic of every kind the rules watch, and scrapes it. */
    private static String scrapeAfterTraffic(Supplier<SqlEventStore> open) throws Exception {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ObservationRegistry observations = Observed.withMetrics(meters);
        try (SqlEventStore store = Observed.store(open.get(), observations, meters)) {
            Javalin app = FactumHttp.builder(store)
                    .security(HttpSecurity.builder().apiKey(KEY, Role.ADMIN).build())
                    .meterRegistry(meters)
                    .observations(observations)
                    .storeStats(store::figures)
                    .writeProblem(store::writeProblem)
                    .build()
                    .start("127.0.0.1", 0);
            try (Subscription subscription = Subscription.handler(
                            "alerting-check", store, store.checkpoints(), event -> {
                                if (event.type().equals("Poisoned")) {
                                    throw new IllegalStateException("cannot handle " + event.type());
                                }
                            })
                    .retry(new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1)))
                    .meterRegistry(meters)
                    .start()) {
                CommandBus bus = CommandBus.builder()
                        .use(Observed.commands(observations))
                        .handle(
                                Place.class,
                                (command, context) -> store.append(
                                        "order-" + command.id(),
                                        ExpectedVersion.noStream(),
                                        EventData.of("Placed", "{}")))
                        .build();
                bus.send(new Place("1"), CommandContext.create());
                store.append("order-1", ExpectedVersion.any(), EventData.of("Poisoned", "{}"));
                try {
                    store.append("order-1", ExpectedVersion.noStream(), EventData.of("Placed", "{}"));
                } catch (WrongExpectedVersionException expected) {
                    // a failed append: outcome="conflict"
                }
                Instant deadline = Instant.now().plusSeconds(30);
                while (subscription.status().parked() < 1 && Instant.now().isBefore(deadline)) {
                    Thread.sleep(20);
                }
                assertThat(subscription.status().parked())
                        .as("the poisoned event is parked")
                        .isEqualTo(1);

                HttpResponse<String> metrics = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/metrics"))
                                        .header("X-API-Key", KEY)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.statusCode()).isEqualTo(200);
                // the request counter is written when a request ends: scrape a second time to see the first
                metrics = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/metrics"))
                                        .header("X-API-Key", KEY)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                return metrics.body();
            } finally {
                app.stop();
            }
        }
    }

    record Place(String id) {}
}
