package io.factum.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * Factum's own routes in a host application: each is registered under the prefix and wrapped in Factum's
 * guard, which observes the request (timer and span), checks its credentials and role, and answers a failure as
 * problem+json. Nothing of it is a filter or an exception handler of the application, so the host's own
 * routes keep their behaviour, their security and their error handling.
 */
final class Rooms {

    /** The attribute that carries the prefix to whatever builds URLs of Factum's routes. */
    static final String PREFIX = "factum.prefix";

    private final RoutesConfig routes;
    private final String prefix;
    private final ObservationRegistry observations;
    private final HttpSecurity security;

    Rooms(RoutesConfig routes, FactumHttp http) {
        this.routes = routes;
        this.prefix = http.prefix();
        this.observations = http.observations();
        this.security = http.security();
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

    @SuppressWarnings("try") // the scope makes the request current for the route; it is not used in the body
    private Handler guard(Handler handler) {
        return ctx -> {
            ctx.attribute(PREFIX, prefix);
            Observation request = OpsRoutes.start(ctx, observations);
            try (Observation.Scope ignored = request.openScope()) {
                if (SecurityFilter.admit(ctx, within(ctx.path()), security)) {
                    handler.handle(ctx);
                }
            } catch (Exception e) {
                Problems.answer(ctx, e);
                if (ctx.statusCode() >= 500) {
                    request.error(e);
                }
            } finally {
                OpsRoutes.finish(ctx, request);
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
