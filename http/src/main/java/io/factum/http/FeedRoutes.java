package io.factum.http;

import io.javalin.config.JavalinConfig;

/** The event store as AtomPub-style feeds, and appends. */
final class FeedRoutes {

    private FeedRoutes() {}

    static void install(JavalinConfig config, FactumHttp http) {
        // filled in by its own change
    }
}
