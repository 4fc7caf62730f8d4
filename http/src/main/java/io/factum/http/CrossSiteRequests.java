package io.factum.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Protection against cross-site request forgery by the browser's own headers (OWASP's "verify the origin
 * with standard headers"): a request that changes state ({@code POST}, {@code PUT}, {@code PATCH}, {@code
 * DELETE}) sent by a browser from a page of another site is refused with 403 before it is authenticated,
 * so cookies or HTTP Basic credentials the browser keeps for this site cannot be ridden. A browser says
 * where a request comes from in {@code Sec-Fetch-Site} (only {@code same-origin} and {@code none}, a
 * request the user typed, pass) or, for older browsers, in {@code Origin} (it must name this host and
 * port). Clients that are not browsers send neither header and pass; they authenticate with keys.
 *
 * <p>The http module checks its own routes; an application guards its routes with {@link #guard()} in a
 * before-handler and sends {@link #FRAME_HEADERS} with its pages.
 */
public final class CrossSiteRequests {

    /** Headers for HTML pages: never framed by another site (clickjacking), forms post only to this site. */
    public static final Map<String, String> FRAME_HEADERS = Map.of(
            "X-Frame-Options",
            "DENY",
            "Content-Security-Policy",
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'");

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    private CrossSiteRequests() {}

    /** A before-handler that refuses cross-site writes with 403 problem+json and skips the rest. */
    public static Handler guard() {
        return ctx -> {
            if (refuse(ctx)) {
                ctx.skipRemainingHandlers();
            }
        };
    }

    /** Writes the 403 and returns true if the request is a write a browser sent from another site. */
    static boolean refuse(Context ctx) {
        String reason = reason(ctx.method().name(), ctx.header("Sec-Fetch-Site"), ctx.header("Origin"), ctx.host());
        if (reason == null) {
            return false;
        }
        Problems.write(
                ctx,
                403,
                "cross-site-request",
                "Cross-site request refused",
                ctx.method() + " " + ctx.path() + " was sent by a page of another site (" + reason
                        + "); it changes state, so only pages of this site may send it",
                Map.of());
        return true;
    }

    /** Why the request is refused, or null if it may go on. */
    static @Nullable String reason(
            String method, @Nullable String fetchSite, @Nullable String origin, @Nullable String host) {
        if (SAFE_METHODS.contains(method.toUpperCase(Locale.ROOT))) {
            return null;
        }
        if (fetchSite != null) {
            String site = fetchSite.trim().toLowerCase(Locale.ROOT);
            return site.equals("same-origin") || site.equals("none") ? null : "Sec-Fetch-Site: " + fetchSite;
        }
        if (origin == null) {
            return null;
        }
        String authority;
        try {
            authority = URI.create(origin.trim()).getRawAuthority();
        } catch (IllegalArgumentException e) {
            authority = null;
        }
        if (authority == null || host == null || !authority.equalsIgnoreCase(host.trim())) {
            return "Origin: " + origin;
        }
        return null;
    }
}
