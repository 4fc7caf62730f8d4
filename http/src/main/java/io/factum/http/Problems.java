package io.factum.http;

import io.javalin.config.JavalinConfig;

/** Error handlers: every failure as RFC 9457 problem+json. */
final class Problems {

    private Problems() {}

    static void install(JavalinConfig config, FactumHttp http) {
        // filled in by its own change
    }
}
