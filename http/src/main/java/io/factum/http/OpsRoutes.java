package io.factum.http;

import io.javalin.config.JavalinConfig;
import java.util.Map;

/** Metrics and health. */
final class OpsRoutes {

    private OpsRoutes() {}

    static void install(JavalinConfig config, FactumHttp http) {
        config.routes.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
    }
}
