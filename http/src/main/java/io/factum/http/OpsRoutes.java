package io.factum.http;

import io.factum.core.Position;
import io.factum.core.observation.Observed;
import io.factum.core.observation.Sampled;
import io.factum.core.subscription.SubscriptionState;
import io.factum.core.subscription.SubscriptionStatus;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.RequestReplyReceiverContext;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Metrics and health: {@code /metrics} (Prometheus text), {@code /health/live}, {@code /health/ready},
 * a timer and a span per HTTP request, and a gauge per store figure ({@link StoreStats}).
 */
final class OpsRoutes {

    static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** The name of the observation of each request to Factum's routes. */
    static final String REQUESTS = "http.server.requests";

    private OpsRoutes() {}

    static void install(Rooms rooms, FactumHttp http) {
        Optional<MeterRegistry> meters = http.meters();
        rooms.get("/metrics", ctx -> metrics(ctx, meters));
        rooms.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
        // at most one probe's read of the store at a time; the others share it
        Sampled<Position> head = new Sampled<>("factum-ready-probe", Duration.ZERO, http.store()::headPosition);
        rooms.get("/health/ready", ctx -> ready(ctx, http, head));
        meters.ifPresent(registry -> http.storeStats().ifPresent(stats -> storeGauges(registry, stats)));
        meters.ifPresent(registry -> http.longLived().gauge(registry));
    }

    /**
     * Starts the observation of a request: its parent is the caller's W3C {@code traceparent} when the
     * registry's tracing handler propagates (it reads the headers through the receiver context).
     */
    static Observation start(Context ctx, ObservationRegistry registry) {
        RequestReplyReceiverContext<Context, Context> receiver =
                new RequestReplyReceiverContext<>((carrier, key) -> carrier.header(key));
        receiver.setCarrier(ctx);
        receiver.setResponse(ctx);
        return Observation.createNotStarted(REQUESTS, () -> receiver, registry)
                .contextualName("HTTP " + ctx.method())
                .lowCardinalityKeyValue("method", ctx.method().toString())
                .highCardinalityKeyValue("url.path", ctx.path())
                .start();
    }

    /** Ends the observation of a request with its route template and status. */
    static void finish(Context ctx, Observation request) {
        String route = route(ctx);
        request.contextualName("HTTP " + ctx.method() + " " + route)
                .lowCardinalityKeyValue("route", route)
                .lowCardinalityKeyValue("status", Integer.toString(ctx.statusCode()))
                .stop();
    }

    /** The route template that served the request (never the raw path: bounded tag values). */
    static String route(Context ctx) {
        try {
            Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
            return endpoint == null ? "unmatched" : endpoint.path;
        } catch (RuntimeException e) {
            return "unmatched";
        }
    }

    private static void metrics(Context ctx, Optional<MeterRegistry> meters) {
        if (meters.isPresent() && meters.get() instanceof PrometheusMeterRegistry prometheus) {
            ctx.contentType(PROMETHEUS_CONTENT_TYPE).result(prometheus.scrape());
            return;
        }
        SecurityProblems.write(
                ctx,
                404,
                "no-prometheus-registry",
                "Not Found",
                meters.isEmpty()
                        ? "no meter registry is configured: give FactumHttp.builder(store).meterRegistry(...) a"
                                + " PrometheusMeterRegistry to serve /metrics"
                        : "the meter registry is a " + meters.get().getClass().getSimpleName()
                                + ", not a PrometheusMeterRegistry; /metrics serves only the Prometheus text format");
    }

    private static void ready(Context ctx, FactumHttp http, Sampled<Position> storeHead) throws InterruptedException {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean up = true;
        Duration timeout = http.healthTimeout();
        try {
            Position head = storeHead.fresh(timeout);
            Optional<String> writes = http.writeProblem();
            if (writes.isPresent()) {
                up = false;
                checks.put("store", inOrder("status", "DOWN", "error", "writes fail: " + writes.get()));
            } else {
                checks.put("store", inOrder("status", "UP", "headPosition", head.position()));
            }
        } catch (TimeoutException e) {
            up = false;
            checks.put("store", inOrder("status", "DOWN", "error", "no answer within " + timeout.toMillis() + " ms"));
        } catch (RuntimeException e) {
            up = false;
            checks.put("store", inOrder("status", "DOWN", "error", e.getClass().getSimpleName()));
        }
        List<String> failed = new ArrayList<>();
        // subscriptions answer from memory
        List<SubscriptionStatus> statuses = http.readSide().statuses();
        for (SubscriptionStatus status : statuses) {
            if (status.state() == SubscriptionState.FAILED) {
                failed.add(status.name());
            }
        }
        if (!failed.isEmpty() || http.readSide().anyFailed()) {
            up = false;
            checks.put("readSide", inOrder("status", "DOWN", "failed", failed));
        } else {
            checks.put("readSide", Map.of("status", "UP"));
        }
        // a parked event is an event some read model or handler lacks: never silent
        Map<String, Integer> parked = new LinkedHashMap<>();
        for (SubscriptionStatus status : statuses) {
            if (status.parked() > 0) {
                parked.put(status.name(), status.parked());
            }
        }
        boolean degraded = false;
        if (parked.isEmpty()) {
            checks.put("parkedEvents", Map.of("status", "UP"));
        } else if (http.parkedEventsUnready()) {
            up = false;
            checks.put("parkedEvents", inOrder("status", "DOWN", "parked", parked));
        } else {
            degraded = true;
            checks.put("parkedEvents", inOrder("status", "DEGRADED", "parked", parked));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? (degraded ? "DEGRADED" : "UP") : "DOWN");
        body.put("checks", checks);
        ctx.header("Cache-Control", "no-store");
        ctx.status(up ? 200 : 503).json(body);
    }

    /** A check's two entries in this order: the status first, as a person reads it. */
    private static Map<String, Object> inOrder(String key, Object value, String otherKey, Object otherValue) {
        Map<String, Object> check = new LinkedHashMap<>();
        check.put(key, value);
        check.put(otherKey, otherValue);
        return check;
    }

    private static void storeGauges(MeterRegistry registry, StoreStats stats) {
        Map<String, Long> figures;
        try {
            figures = stats.figures();
        } catch (RuntimeException e) {
            return; // the store is not reachable now; its figures show on the admin pages when it is
        }
        // one read for all the figures (not one per figure), shared by the gauges of a scrape, which waits a
        // moment for it and then takes the last figures read
        Sampled<Map<String, Long>> sampled =
                new Sampled<>("factum-store-figures", Duration.ofSeconds(1), stats::figures);
        for (String name : figures.keySet()) {
            Gauge.builder(meterName(name), sampled, s -> {
                        Map<String, Long> last = s.recent(Observed.SCRAPE_WAIT);
                        Long value = last == null ? figures.get(name) : last.get(name);
                        return value == null ? Double.NaN : value;
                    })
                    .description("store figure '" + name + "'")
                    .strongReference(true)
                    .register(registry);
        }
    }

    /** {@code "xmin horizon age"} → {@code factum.store.xmin.horizon.age}. */
    static String meterName(String figure) {
        String words =
                figure.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", ".").replaceAll("^\\.|\\.$", "");
        return "factum.store." + words;
    }
}
