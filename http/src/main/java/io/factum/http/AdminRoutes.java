package io.factum.http;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.factum.core.Position;
import io.factum.core.StreamSlice;
import io.factum.core.subscription.Subscription;
import io.factum.http.AdminViews.ActionResult;
import io.factum.http.AdminViews.EventPage;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The admin pages under {@code /admin}: server-rendered HTML (JTE templates, compiled at build time, with
 * HTML escaping of every value) and htmx for the actions, which are POSTs so that the security rules can
 * reserve them to the admin role. Every page is also usable without JavaScript: the action forms post and
 * are redirected back.
 */
final class AdminRoutes {

    /** The htmx build served with the pages (npm package htmx.org, vendored). */
    static final String HTMX = "htmx-2.0.11.min.js";

    private static final String HTMX_PATH = "/admin/static/" + HTMX;

    private AdminRoutes() {}

    static void install(Rooms rooms, FactumHttp http) {
        TemplateEngine templates = TemplateEngine.createPrecompiled(
                null, ContentType.Html, AdminRoutes.class.getClassLoader(), "io.factum.http");
        AdminPages pages = new AdminPages(http.store(), http.readSide(), http.storeStats());
        ReadSideRegistry readSide = http.readSide();
        Optional<FactumHttp.ApplicationLink> link = http.applicationLink();
        byte[] htmx = resource("static/" + HTMX);

        rooms.get(HTMX_PATH, ctx -> {
            ctx.contentType("text/javascript; charset=utf-8");
            ctx.header("Cache-Control", "public, max-age=31536000, immutable");
            ctx.result(htmx);
        });
        rooms.get("/admin", ctx -> render(ctx, templates, link, "overview.jte", pages.overview()));
        rooms.get("/admin/streams", ctx -> render(ctx, templates, link, "streams.jte", pages.streams(query(ctx, "q"))));
        rooms.get("/admin/stream", ctx -> {
            String id = query(ctx, "id");
            long from = longParam(ctx, "from", StreamSlice.END);
            AdminViews.StreamPage page = pages.stream(id, from);
            if (page.problem().isPresent()) {
                ctx.status(404);
            }
            render(ctx, templates, link, "stream.jte", page);
        });
        rooms.get("/admin/event", ctx -> {
            String stream = query(ctx, "stream");
            long version = longParam(ctx, "version", -1);
            Optional<EventPage> event = version < 0 ? Optional.empty() : pages.event(stream, version);
            if (event.isEmpty()) {
                ctx.status(404);
                render(
                        ctx,
                        templates,
                        link,
                        "notFound.jte",
                        "no visible event at version " + version + " of stream '" + stream + "'");
            } else {
                render(ctx, templates, link, "event.jte", event.get());
            }
        });
        rooms.get("/admin/correlation", ctx -> {
            String id = query(ctx, "id");
            render(ctx, templates, link, "correlation.jte", pages.correlation(id));
        });
        rooms.get("/admin/projections", ctx -> render(ctx, templates, link, "projections.jte", pages.readSidePage()));

        rooms.post("/admin/subscriptions/replay", ctx -> {
            String name = form(ctx, "subscription");
            String positionText = form(ctx, "position");
            ActionResult result = replay(readSide, name, positionText);
            answer(ctx, templates, result);
        });
        rooms.post("/admin/projections/rebuild", ctx -> {
            String projection = form(ctx, "projection");
            ActionResult result;
            if (!readSide.canRebuild(projection)) {
                ctx.status(404);
                result = new ActionResult(
                        "no rebuild callback is registered for projection '" + projection + "'", false);
            } else {
                try {
                    readSide.rebuild(projection);
                    result = new ActionResult(
                            "rebuild of '" + projection + "' started: the next version builds beside the active one",
                            true);
                } catch (RuntimeException e) {
                    ctx.status(500);
                    result = new ActionResult(
                            "the rebuild callback of '" + projection + "' failed: " + AdminPages.describe(e), false);
                }
            }
            answer(ctx, templates, result);
        });
    }

    private static ActionResult replay(ReadSideRegistry readSide, String name, String positionText) {
        Optional<Subscription> subscription = readSide.subscriptions().stream()
                .filter(s -> s.name().equals(name))
                .findFirst();
        if (subscription.isEmpty()) {
            return new ActionResult("no subscription named '" + name + "' is registered", false);
        }
        Position position;
        try {
            position = Position.parse(positionText);
        } catch (RuntimeException e) {
            return new ActionResult("not a position: '" + positionText + "'", false);
        }
        try {
            return subscription.get().replayParked(position)
                    ? new ActionResult("replayed the event at " + position + ": it is no longer parked", true)
                    : new ActionResult("the event at " + position + " failed again and stays parked", false);
        } catch (IllegalArgumentException e) {
            return new ActionResult(AdminPages.describe(e), false);
        }
    }

    /** htmx swaps the fragment in; a plain form post goes back to the read side page. */
    private static void answer(Context ctx, TemplateEngine templates, ActionResult result) {
        if (ctx.header("HX-Request") == null) {
            ctx.redirect(Rooms.prefixOf(ctx) + "/admin/projections", io.javalin.http.HttpStatus.SEE_OTHER);
            return;
        }
        // a fragment htmx swaps into the page, without the layout
        render(ctx, templates, Optional.empty(), "actionResult.jte", result);
    }

    /** Where the layout's header names the application that hosts the pages, if it was given. */
    static final String APPLICATION_LINK = "<span data-factum-application-link hidden></span>";

    private static void render(
            Context ctx,
            TemplateEngine templates,
            Optional<FactumHttp.ApplicationLink> link,
            String template,
            Object model) {
        StringOutput output = new StringOutput();
        Map<String, Object> params = new HashMap<>();
        params.put("page", model);
        templates.render(template, params, output);
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Content-Type-Options", "nosniff");
        CrossSiteRequests.FRAME_HEADERS.forEach(ctx::header);
        // the pages link to /admin/...: below a prefix, every such link moves with it
        String prefix = Rooms.prefixOf(ctx);
        String html = output.toString();
        html = prefix.isEmpty() ? html : html.replace("\"/admin", "\"" + prefix + "/admin");
        // after the prefix: the application's own address is not Factum's and does not move with it
        ctx.html(html.replace(
                APPLICATION_LINK,
                link.map(l -> "<a href=\"" + escape(l.href()) + "\" class=\"application\" id=\"application-link\">← "
                                + escape(l.label()) + "</a>")
                        .orElse("")));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    private static String query(Context ctx, String name) {
        String value = ctx.queryParam(name);
        return value == null ? "" : value.strip();
    }

    private static String form(Context ctx, String name) {
        String value = ctx.formParam(name);
        return value == null ? "" : value;
    }

    private static long longParam(Context ctx, String name, long fallback) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.strip());
            return parsed < 0 ? fallback : parsed;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = AdminRoutes.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource io/factum/http/" + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
