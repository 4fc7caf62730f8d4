package io.factum.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;

/**
 * Factum's own routes in a host application: each is registered under the prefix and wrapped in Factum's
 * guard, which measures and traces the request, checks its credentials and role, and answers a failure as
 * problem+json. Nothing of it is a filter or an exception handler of the application, so the host's own
 * routes keep their behaviour, their security and their error handling.
 */
final class Rooms {

    /** The attribute that carries the prefix to whatever builds URLs of Factum's routes. */
    static final String PREFIX = "factum.prefix";

    private final RoutesConfig routes;
    private final String prefix;
    private final Handler start;
    private final HttpSecurity security;
    private final Optional<MeterRegistry> meters;

    Rooms(RoutesConfig routes, FactumHttp http) {
        this.routes = routes;
        this.prefix = http.prefix();
        this.start = OpsRoutes.start(http);
        this.security = http.security();
        this.meters = http.meters();
    }

    String prefix() {
        return prefix;
    }

    void get(String path, Handler handler) {
        routes.get(prefix + path, guard(handler));
    }

    void post(String path, Handler handler) {
        routes.post(prefix + path, guard(handler));
    }

    void delete(String path, Handler handler) {
        routes.delete(prefix + path, guard(handler));
    }

    private Handler guard(Handler handler) {
        return ctx -> {
            ctx.attribute(PREFIX, prefix);
            start.handle(ctx);
            try {
                if (SecurityFilter.admit(ctx, within(ctx.path()), security)) {
                    handler.handle(ctx);
                }
            } catch (Exception e) {
                Problems.answer(ctx, e);
            } finally {
                OpsRoutes.finish(ctx, meters);
            }
        };
    }

    /** The request's path below the prefix, as the security rules see it. */
    private String within(String path) {
        return path.startsWith(prefix) ? path.substring(prefix.length()) : path;
    }

    /** The prefix of the Factum route serving {@code ctx}, empty outside one. */
    static String prefixOf(Context ctx) {
        String prefix = ctx.attribute(PREFIX);
        return prefix == null ? "" : prefix;
    }
}
