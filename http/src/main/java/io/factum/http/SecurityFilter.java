package io.factum.http;

import io.javalin.config.JavalinConfig;

/** Authentication, roles, per-prefix rules, request limits. */
final class SecurityFilter {

    private SecurityFilter() {}

    static void install(JavalinConfig config, FactumHttp http) {
        // filled in by its own change
    }
}
