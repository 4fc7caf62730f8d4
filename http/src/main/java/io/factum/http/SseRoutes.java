package io.factum.http;

import io.javalin.config.JavalinConfig;

/** Live subscriptions over Server-Sent Events. */
final class SseRoutes {

    private SseRoutes() {}

    static void install(JavalinConfig config, FactumHttp http) {
        // filled in by its own change
    }
}
