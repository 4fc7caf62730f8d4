package io.factum.http;

import io.javalin.config.JavalinConfig;

/** The admin pages. */
final class AdminRoutes {

    private AdminRoutes() {}

    static void install(JavalinConfig config, FactumHttp http) {
        // filled in by its own change
    }
}
