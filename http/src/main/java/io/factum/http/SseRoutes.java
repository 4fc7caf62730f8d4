package io.factum.http;

import io.factum.core.AllSlice;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamDeletedException;
import io.factum.core.StreamIds;
import io.factum.core.StreamInfo;
import io.factum.core.StreamSlice;
import io.factum.core.StreamState;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live subscriptions over Server-Sent Events: {@code GET /subscriptions/streams/{id}}, {@code
 * /subscriptions/categories/{category}} and {@code /subscriptions/all}.
 *
 * <p>Each event is one SSE event: {@code id:} its stream version (stream subscriptions) or its position
 * {@code tx/pos} (category and {@code $all}), {@code event:} its type, {@code data:} its JSON entry (as in
 * the feeds, on one line). A client resumes with {@code Last-Event-ID} (or {@code ?from=}, same meaning:
 * the last id it has seen; {@code from=end} for new events only), and receives every later event once, in
 * order: the subscription catches up by reading from there, then follows the store with {@link
 * EventStore#awaitAppend}. Without either it starts at the beginning. A comment is sent after {@value
 * #HEARTBEAT_SECONDS} s without an event, which is also how a gone client is noticed; each client holds
 * a virtual thread of its own until then, and a place among the {@link LongLivedRequests} (a client over
 * its share is answered 429, one over the total 503).
 */
final class SseRoutes {

    static final int HEARTBEAT_SECONDS = 15;
    static final int BATCH = 100;

    private static final System.Logger LOG = System.getLogger(SseRoutes.class.getName());
    private static final Pattern POSITION = Pattern.compile("([0-9]{1,18})[/-]([0-9]{1,18})");
    private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");

    private static final AtomicInteger LIVE = new AtomicInteger();

    private SseRoutes() {}

    /** How many subscriptions are being served now, in this process. */
    static int liveSubscriptions() {
        return LIVE.get();
    }

    static void install(Rooms rooms, FactumHttp http) {
        install(rooms, http, Duration.ofSeconds(HEARTBEAT_SECONDS));
    }

    /** As {@link #install(JavalinConfig, FactumHttp)}, with another heartbeat interval (for tests). */
    static void install(Rooms rooms, FactumHttp http, Duration heartbeat) {
        EventStore store = http.store();
        Serving serving =
                new Serving(store, http.longLived(), heartbeat, http.limits().requestTimeout());
        rooms.get("/subscriptions/streams/{id}", ctx -> {
            String streamId = StreamIds.requireValid(ctx.pathParam("id"));
            Optional<StreamInfo> info = store.streamInfo(streamId);
            if (info.isPresent() && info.get().state() == StreamState.TOMBSTONED) {
                throw new StreamDeletedException(streamId);
            }
            long next = resumeFrom(ctx)
                    .map(from -> from.equals("end")
                            ? info.map(i -> i.lastVersion() + 1).orElse(0L)
                            : version(from) + 1)
                    .orElse(0L);
            start(ctx, serving, new StreamSource(store, streamId, next));
        });
        rooms.get("/subscriptions/categories/{category}", ctx -> {
            String category = ctx.pathParam("category");
            if (category.isBlank() || category.contains("-")) {
                throw ProblemException.badRequest(
                        "a category is the part of a stream id before the first '-', got '" + category + "'");
            }
            start(ctx, serving, allSource(ctx, store, EventFilter.categories(category)));
        });
        rooms.get("/subscriptions/all", ctx -> start(ctx, serving, allSource(ctx, store, EventFilter.all())));
    }

    private static AllSource allSource(Context ctx, EventStore store, EventFilter filter) {
        Position after = resumeFrom(ctx)
                .map(from -> from.equals("end") ? store.headPosition() : position(from))
                .orElse(Position.START);
        return new AllSource(store, filter, after);
    }

    private static Optional<String> resumeFrom(Context ctx) {
        String lastEventId = ctx.header("Last-Event-ID");
        if (lastEventId != null && !lastEventId.isBlank()) {
            return Optional.of(lastEventId.trim());
        }
        return Optional.ofNullable(ctx.queryParam("from")).map(String::trim).filter(s -> !s.isEmpty());
    }

    private static long version(String text) {
        if (!VERSION.matcher(text).matches()) {
            throw ProblemException.badRequest("a stream subscription resumes after a stream version (a number 0 or"
                    + " more) or from 'end', got Last-Event-ID/from '" + text + "'");
        }
        return Long.parseLong(text);
    }

    private static Position position(String text) {
        Matcher matcher = POSITION.matcher(text);
        if (!matcher.matches()) {
            throw ProblemException.badRequest("this subscription resumes after a position written tx/pos (like"
                    + " 0/42) or from 'end', got Last-Event-ID/from '" + text + "'");
        }
        return new Position(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2)));
    }

    /**
     * What every subscription of these routes shares: where its events come from, its place among the
     * long-lived requests, its heartbeat, and how long it may run ({@link HttpLimits#requestTimeout()}, zero
     * for as long as the client stays).
     */
    private record Serving(EventStore store, LongLivedRequests longLived, Duration heartbeat, Duration timeLimit) {}

    private static void start(Context ctx, Serving serving, Source source) throws IOException {
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw new ProblemException(
                    406,
                    "not-acceptable",
                    "Not acceptable",
                    "a subscription is a Server-Sent Events stream; send Accept: text/event-stream, got "
                            + (accept == null ? "no Accept header" : "Accept: " + accept),
                    Map.of());
        }
        FeedUrls urls = FeedUrls.of(ctx);
        LongLivedRequests.Permit permit = serving.longLived().admit(ctx);
        try {
            // the headers Javalin's SseHandler sends; it runs its clients on the application's async executor,
            // a cached pool of platform threads unless the application chose virtual threads
            HttpServletResponse response = ctx.res();
            response.setStatus(200);
            response.setCharacterEncoding("UTF-8");
            response.setContentType("text/event-stream");
            response.addHeader("Connection", "close");
            response.addHeader("Cache-Control", "no-cache");
            response.addHeader("X-Accel-Buffering", "no");
            response.flushBuffer();
            // serves the client on a virtual thread until it goes; returning then ends the response in order
            // on Factum's own threads and without Javalin's time limit: the host's async settings are its own,
            // the subscription keeps to HttpLimits.requestTimeout itself
            ctx.async(
                    task -> {
                        task.executor = serving.longLived().subscriptionThreads();
                        task.timeout = 0;
                    },
                    () -> {
                        try {
                            follow(new SseClient(ctx), serving, source, urls);
                        } finally {
                            permit.close();
                        }
                    });
        } catch (IOException | RuntimeException e) {
            permit.close();
            throw e;
        }
    }

    private static void follow(SseClient client, Serving serving, Source source, FeedUrls urls) {
        EventStore store = serving.store();
        long heartbeat = serving.heartbeat().toNanos();
        long started = System.nanoTime();
        long timeLimit = serving.timeLimit().isZero()
                ? Long.MAX_VALUE
                : serving.timeLimit().toNanos();
        long lastWrite = started;
        LIVE.incrementAndGet();
        try {
            while (!client.terminated()) {
                if (System.nanoTime() - started >= timeLimit) {
                    client.sendComment("the subscription reached the server's time limit of "
                            + serving.timeLimit().toSeconds() + " s; reconnect with Last-Event-ID to go on");
                    return;
                }
                Position seen = store.headPosition();
                Batch batch = source.next();
                for (RecordedEvent event : batch.events()) {
                    client.sendEvent(event.type(), StreamJson.entry(event, urls).toString(), source.id(event));
                    if (client.terminated()) {
                        return;
                    }
                    lastWrite = System.nanoTime();
                }
                if (!batch.caughtUp()) {
                    continue;
                }
                long now = System.nanoTime();
                long wait = Math.min(heartbeat - (now - lastWrite), timeLimit - (now - started));
                if (wait <= 0 || !store.awaitAppend(seen, Duration.ofNanos(wait))) {
                    if (System.nanoTime() - lastWrite >= heartbeat) {
                        client.sendComment("heartbeat");
                        lastWrite = System.nanoTime();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (StreamDeletedException e) {
            client.sendComment(String.valueOf(e.getMessage()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a subscription stopped: " + e.getMessage());
        } finally {
            LIVE.decrementAndGet();
            client.close();
        }
    }

    private record Batch(List<RecordedEvent> events, boolean caughtUp) {}

    private interface Source {
        Batch next();

        String id(RecordedEvent event);
    }

    /** A stream, by version. */
    private static final class StreamSource implements Source {
        private final EventStore store;
        private final String streamId;
        private long next;

        StreamSource(EventStore store, String streamId, long next) {
            this.store = store;
            this.streamId = streamId;
            this.next = next;
        }

        @Override
        public Batch next() {
            StreamSlice slice = store.readStream(streamId, ReadDirection.FORWARD, next, BATCH);
            next = Math.max(next, slice.nextVersion());
            return new Batch(slice.events(), slice.endOfStream());
        }

        @Override
        public String id(RecordedEvent event) {
            return Long.toString(event.streamVersion());
        }
    }

    /** The global log, filtered, by position. */
    private static final class AllSource implements Source {
        private final EventStore store;
        private final EventFilter filter;
        private Position after;

        AllSource(EventStore store, EventFilter filter, Position after) {
            this.store = store;
            this.filter = filter;
            this.after = after;
        }

        @Override
        public Batch next() {
            AllSlice slice = store.readAll(after, ReadDirection.FORWARD, BATCH, filter);
            if (!slice.events().isEmpty()) {
                after = slice.events().getLast().position();
            }
            return new Batch(slice.events(), slice.endOfLog());
        }

        @Override
        public String id(RecordedEvent event) {
            return event.position().toString();
        }
    }
}
