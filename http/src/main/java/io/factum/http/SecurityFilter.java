package io.factum.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Authentication, roles and per-prefix rules of Factum's own routes, checked by their guard ({@link
 * Rooms}) before each of them runs, never as a filter of the host application; and the settings of an
 * application that is Factum's alone ({@link #serverDefaults}).
 *
 * <p>What each request needs, by method and path (paths are compared segment by segment, percent-decoded,
 * case-sensitive like the routes):
 *
 * <ul>
 *   <li>{@code GET}/{@code HEAD} {@code /health/...} and {@code /admin/static/...} (the pages' script):
 *       nothing;
 *   <li>{@code GET}/{@code HEAD} {@code /streams/{id}/...}: {@link Role#READ} and the read role of every
 *       stream rule whose prefix {@code id} starts with; {@code $all}, other {@code $} streams and {@code
 *       /streams} itself need the strictest read role of all rules;
 *   <li>{@code GET}/{@code HEAD} {@code /subscriptions/...}: {@link Role#READ} and the strictest read role
 *       of all rules (a live subscription may span streams);
 *   <li>{@code POST}/{@code DELETE} {@code /streams/{id}/...}: {@link Role#WRITE} and the write role of the
 *       matching rules ({@code $} streams: the strictest);
 *   <li>anything else, {@code /admin/...} and {@code /metrics} among it: {@link Role#ADMIN}.
 * </ul>
 *
 * <p>No or bad credentials: 401 with {@code WWW-Authenticate}; a role too low: 403; both as problem+json.
 * An authenticated request carries its {@link Principal} in the attribute {@link Principal#ATTRIBUTE}.
 */
final class SecurityFilter {

    private SecurityFilter() {}

    /**
     * The server-wide settings of an application that is Factum's alone (the standalone server): Jetty's
     * idle timeout and requests on virtual threads ({@link RequestThreads}) unless it chose a pool of its
     * own. A host application keeps its own.
     */
    static void serverDefaults(JavalinConfig config, HttpLimits limits) {
        long idleMillis = limits.idleTimeout().toMillis();
        config.jetty.modifyHttpConfiguration(jetty -> jetty.setIdleTimeout(idleMillis));
        if (config.jetty.threadPool == null) {
            config.jetty.threadPool = RequestThreads.pool();
        }
    }

    /**
     * Lets the request in if its credentials carry the role its method and {@code path} (below Factum's
     * prefix) need; otherwise answers 401 or 403 as a problem.
     *
     * @return true if the route may run
     */
    static boolean admit(Context ctx, String path, HttpSecurity security) {
        Optional<Role> required = requiredRole(ctx.method(), path, security.streamRules());
        if (required.isEmpty()) {
            return true;
        }
        // a write a browser sent from another site is refused before the credentials it carries are looked at
        if (CrossSiteRequests.refuse(ctx)) {
            return false;
        }
        return check(ctx, security, required.get());
    }

    private static boolean check(Context ctx, HttpSecurity security, Role needed) {
        Credentials credentials = credentials(ctx);
        Optional<Principal> principal =
                switch (credentials) {
                    case Credentials.None none ->
                        security.anonymousRole().map(role -> new Principal("anonymous", role));
                    case Credentials.Key key -> security.authenticateKey(key.key());
                    case Credentials.Basic basic -> security.authenticateUser(basic.user(), basic.password());
                    case Credentials.Malformed malformed -> Optional.empty();
                };
        String what = ctx.method() + " " + ctx.path();
        if (principal.isEmpty()) {
            deny(
                    ctx,
                    401,
                    "unauthorized",
                    "Unauthorized",
                    credentials instanceof Credentials.None
                            ? what + " needs the " + needed + " role; send an API key (Authorization: Bearer <key> or"
                                    + " X-API-Key)"
                                    + (security.hasUsers() ? " or a user name and password (HTTP Basic)" : "")
                            : "the credentials are not valid: " + ((Credentials.Invalid) credentials).reason(),
                    security);
            return false;
        }
        Principal who = principal.get();
        if (!who.role().includes(needed)) {
            if (credentials instanceof Credentials.None) {
                deny(
                        ctx,
                        401,
                        "unauthorized",
                        "Unauthorized",
                        what + " needs the " + needed + " role and anonymous callers have " + who.role()
                                + "; send credentials",
                        security);
            } else {
                deny(
                        ctx,
                        403,
                        "forbidden",
                        "Forbidden",
                        who.name() + " has the " + who.role() + " role but " + what + " needs " + needed,
                        security);
            }
            return false;
        }
        ctx.attribute(Principal.ATTRIBUTE, who);
        return true;
    }

    private static void deny(Context ctx, int status, String type, String title, String detail, HttpSecurity security) {
        if (status == 401) {
            if (security.hasUsers()) {
                ctx.header("WWW-Authenticate", "Basic realm=\"factum\", charset=\"UTF-8\"");
            } else {
                ctx.header("WWW-Authenticate", "Bearer realm=\"factum\"");
            }
        }
        ctx.header("Cache-Control", "no-store");
        SecurityProblems.write(ctx, status, type, title, detail);
    }

    /** The role a request needs, or empty if it is open to all. */
    static Optional<Role> requiredRole(HandlerType method, String path, List<SecurityStreamRule> rules) {
        List<String> segments = segments(path);
        if (segments.stream().anyMatch(s -> s.equals(".") || s.equals(".."))) {
            return Optional.of(Role.ADMIN);
        }
        boolean read = method == HandlerType.GET || method == HandlerType.HEAD;
        boolean write = method == HandlerType.POST || method == HandlerType.DELETE;
        String first = segments.isEmpty() ? "" : segments.get(0);
        if (first.equals("health") && read) {
            return Optional.empty();
        }
        // the admin pages' script (htmx), a public library: a page of the application may load it too, and a
        // browser must not be asked for credentials for it
        if (first.equals("admin")
                && read
                && segments.size() > 1
                && segments.get(1).equals("static")) {
            return Optional.empty();
        }
        if (first.equals("streams") && (read || write)) {
            Optional<String> stream = segments.size() > 1 && !segments.get(1).startsWith("$")
                    ? Optional.of(segments.get(1))
                    : Optional.empty();
            Role role = read ? Role.READ : Role.WRITE;
            for (SecurityStreamRule rule : rules) {
                if (stream.isEmpty() || rule.covers(stream.get())) {
                    role = role.atLeast(read ? rule.readRole() : rule.writeRole());
                }
            }
            return Optional.of(role);
        }
        if (first.equals("subscriptions") && read) {
            Role role = Role.READ;
            for (SecurityStreamRule rule : rules) {
                role = role.atLeast(rule.readRole());
            }
            return Optional.of(role);
        }
        return Optional.of(Role.ADMIN);
    }

    /** The non-empty, percent-decoded segments of a path ({@code +} stays a plus, as in paths). */
    static List<String> segments(String path) {
        List<String> segments = new ArrayList<>();
        for (String raw : path.split("/")) {
            if (!raw.isEmpty()) {
                String decoded;
                try {
                    decoded = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    decoded = "..";
                }
                segments.add(decoded);
            }
        }
        return segments;
    }

    static Credentials credentials(Context ctx) {
        String authorization = ctx.header("Authorization");
        if (authorization != null) {
            int space = authorization.indexOf(' ');
            String scheme = (space < 0 ? authorization : authorization.substring(0, space)).toLowerCase(Locale.ROOT);
            String value = space < 0 ? "" : authorization.substring(space + 1).trim();
            return switch (scheme) {
                case "bearer" ->
                    value.isEmpty()
                            ? new Credentials.Malformed("the bearer token is empty")
                            : new Credentials.Key(value);
                case "basic" -> basic(value);
                default -> new Credentials.Malformed("the Authorization scheme is not Bearer or Basic");
            };
        }
        String key = ctx.header("X-API-Key");
        if (key != null) {
            return key.isBlank()
                    ? new Credentials.Malformed("the X-API-Key header is empty")
                    : new Credentials.Key(key.trim());
        }
        return new Credentials.None();
    }

    private static Credentials basic(String encoded) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new Credentials.Malformed("the Basic credentials are not Base64");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return new Credentials.Malformed("the Basic credentials have no ':' between user and password");
        }
        return new Credentials.Basic(decoded.substring(0, colon), decoded.substring(colon + 1));
    }

    /** What a request sent to prove who it is. {@code toString} never shows a secret. */
    sealed interface Credentials {
        /** Credentials that may be checked and found wrong. */
        sealed interface Invalid extends Credentials {
            default String reason() {
                return "unknown API key or wrong user name or password";
            }
        }

        record None() implements Credentials {}

        record Key(String key) implements Invalid {
            @Override
            public String toString() {
                return "Key[***]";
            }
        }

        record Basic(String user, String password) implements Invalid {
            @Override
            public String toString() {
                return "Basic[" + user + ", ***]";
            }
        }

        record Malformed(String problem) implements Invalid {
            @Override
            public String reason() {
                return problem;
            }
        }
    }
}
