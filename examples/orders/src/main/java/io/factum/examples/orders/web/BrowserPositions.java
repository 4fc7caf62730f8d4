package io.factum.examples.orders.web;

import io.factum.core.EventReader;
import io.factum.core.Position;
import io.factum.core.subscription.Answer;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.ReadModelQuery;
import io.factum.core.subscription.StaleReadModelException;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The position of the log a browser has seen, so that its next page is never older (monotonic reads,
 * across instances of the app): read from the task just done ({@code ?after=}) and the browser's cookie,
 * moved on by what each read of a request reflects, and written back into the cookie and the {@value
 * #HEADER} header when the page is sent. Thread-safe; the state of a request lives in its attributes.
 */
final class BrowserPositions {

    /** The cookie that keeps the latest position a browser saw. */
    static final String COOKIE = "orders-position";

    /** The header with the position a page reflects, as on the JSON API's answers. */
    static final String HEADER = "Factum-Position";

    /** The request attribute with the latest position the request's reads reflect. */
    private static final String SEEN = "orders.position-seen";

    /** The request attribute set when the browser's cookie was of another store. */
    private static final String FORGOTTEN = "orders.position-forgotten";

    private final EventReader store;
    private final Duration wait;

    BrowserPositions(EventReader store, Duration wait) {
        this.store = store;
        this.wait = wait;
    }

    /**
     * Runs a read-model query that reflects at least the position this browser has seen: the later of the
     * task just done ({@code ?after=}), the browser's cookie and what this request read before. It waits
     * (at most the wait given) for the read model.
     *
     * @throws NotUpToDate if the read model did not get there in time: the page says so (503), never shows
     *     older data
     */
    <T> T read(Context ctx, ProjectionSubscription readModel, ReadModelQuery<T> query) {
        Optional<Position> after = position(ctx.queryParam("after"));
        Optional<Position> cookie = cookie(ctx);
        Optional<Position> wanted = later(later(after, cookie), Optional.ofNullable(ctx.attribute(SEEN)));
        if (wanted.isEmpty()) {
            return seen(ctx, readModel.answer(query));
        }
        try {
            return seen(ctx, readModel.answer(wanted.get(), wait, query));
        } catch (StaleReadModelException e) {
            if (cookie.isPresent() && cookie.get().isAfter(store.headPosition())) {
                // a position this store never had (its database was replaced): forget it, read as asked
                ctx.removeCookie(COOKIE, "/");
                ctx.attribute(FORGOTTEN, Boolean.TRUE);
                ctx.attribute(SEEN, null);
                return after.isEmpty()
                        ? seen(ctx, readModel.answer(query))
                        : seen(ctx, readModel.answer(after.get(), wait, query));
            }
            throw new NotUpToDate("this page is not up to date yet with what you last saw or did (the read"
                    + " model is at " + e.reached() + ", you saw " + wanted.get() + "); reload it in a moment");
        }
    }

    /** Moves what this request has seen on to {@code position} (the position of a task just done), if later. */
    static void seen(Context ctx, Position position) {
        Position before = ctx.attribute(SEEN);
        if (before == null || position.isAfter(before)) {
            ctx.attribute(SEEN, position);
        }
    }

    /**
     * Puts the position this request has seen into the browser's cookie (scoped to the app, not readable by
     * scripts, only ever moved forward) and the {@value #HEADER} header; nothing if it read nothing.
     */
    static void remember(Context ctx) {
        Position seen = ctx.attribute(SEEN);
        if (seen == null) {
            return;
        }
        Optional<Position> cookie = cookie(ctx);
        if (cookie.isEmpty() || seen.isAfter(cookie.get())) {
            ctx.cookie(new Cookie(COOKIE, seen.toString(), "/", -1, false, true, null, SameSite.STRICT));
        }
        ctx.header(HEADER, seen.toString());
    }

    private static <T> T seen(Context ctx, Answer<T> answer) {
        seen(ctx, answer.position());
        return answer.value();
    }

    /** The browser's position cookie, unless this request found it to be of another store. */
    private static Optional<Position> cookie(Context ctx) {
        return Boolean.TRUE.equals(ctx.attribute(FORGOTTEN)) ? Optional.empty() : position(ctx.cookie(COOKIE));
    }

    private static Optional<Position> position(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Position.parse(text.strip()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<Position> later(Optional<Position> one, Optional<Position> other) {
        if (one.isEmpty()) {
            return other;
        }
        if (other.isEmpty()) {
            return one;
        }
        return other.get().isAfter(one.get()) ? other : one;
    }

    /** A read model that has not reached what the browser saw: answered with a page that says so (503). */
    static final class NotUpToDate extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotUpToDate(String message) {
            super(message);
        }
    }
}
