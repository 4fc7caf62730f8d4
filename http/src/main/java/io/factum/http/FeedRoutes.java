package io.factum.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.core.AllSlice;
import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamDeletedException;
import io.factum.core.StreamInfo;
import io.factum.core.StreamMetadata;
import io.factum.core.StreamNotFoundException;
import io.factum.core.StreamSlice;
import io.factum.core.StreamState;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The event store as AtomPub-style feeds, and appends, modelled on EventStoreDB's HTTP API.
 *
 * <ul>
 *   <li>{@code GET /streams/{id}}: the head page, the newest {@value #DEFAULT_PAGE_SIZE} events;
 *   <li>{@code GET /streams/{id}/{from}/forward|backward/{count}}: fixed-URL pages ({@code from} a version,
 *       or {@code head} backward; for {@code $all} a position {@code tx-pos}, exclusive);
 *   <li>{@code GET /streams/{id}/{version}}: one event; {@code GET|POST /streams/{id}/metadata};
 *   <li>{@code POST /streams/{id}}: an append; {@code DELETE /streams/{id}}: a soft delete or, with {@code
 *       ES-HardDelete: true}, a tombstone.
 * </ul>
 *
 * <p>Pages that can never change are cacheable for good; the others carry an ETag, answer 304 to a
 * matching {@code If-None-Match}, and long-poll with {@code ES-LongPoll: <seconds>}.
 */
final class FeedRoutes {

    static final int DEFAULT_PAGE_SIZE = 20;
    static final int MAX_PAGE_SIZE = 1000;
    static final int MAX_LONG_POLL_SECONDS = 30;
    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    static final String REVALIDATE = "max-age=0, no-cache, must-revalidate";

    /** {@link #IMMUTABLE} for a response to a request that carried a credential: no shared cache keeps it. */
    static final String PRIVATE_IMMUTABLE = "private, max-age=31536000, immutable";

    /** {@link #REVALIDATE} for a response to a request that carried a credential. */
    static final String PRIVATE_REVALIDATE = "private, max-age=0, no-cache, must-revalidate";

    static final String JSON = "application/json";
    static final String ATOM_JSON = "application/vnd.eventstore.atom+json";
    static final String ATOM = AtomWriter.MEDIA_TYPE;

    private static final List<String> MEDIA_TYPES = List.of(JSON, ATOM_JSON, ATOM);
    private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");
    private static final Pattern POSITION_KEY = Pattern.compile("([0-9]{1,18})-([0-9]{1,18})");

    private final EventStore store;
    private final LongLivedRequests longLived;
    private final HttpLimits limits;

    private FeedRoutes(EventStore store, LongLivedRequests longLived, HttpLimits limits) {
        this.store = store;
        this.longLived = longLived;
        this.limits = limits;
    }

    static void install(Rooms rooms, FactumHttp http) {
        FeedRoutes routes = new FeedRoutes(http.store(), http.longLived(), http.limits());
        rooms.get("/streams/{id}", routes::head);
        rooms.get("/streams/{id}/{sub}", routes::eventOrMetadata);
        rooms.get("/streams/{id}/{from}/{direction}/{count}", routes::page);
        rooms.post("/streams/{id}", routes::append);
        rooms.post("/streams/{id}/{sub}", routes::setMetadata);
        rooms.delete("/streams/{id}", routes::delete);
    }

    // reading

    private void head(Context ctx) {
        String streamId = ctx.pathParam("id");
        FeedUrls urls = FeedUrls.of(ctx);
        String self = urls.stream(streamId);
        if (FeedUrls.ALL.equals(streamId)) {
            serve(ctx, false, () -> allPage(urls, Optional.empty(), false, DEFAULT_PAGE_SIZE, self));
        } else {
            serve(ctx, false, () -> streamPage(urls, streamId, OptionalLong.empty(), false, DEFAULT_PAGE_SIZE, self));
        }
    }

    private void page(Context ctx) {
        String streamId = ctx.pathParam("id");
        String from = ctx.pathParam("from");
        String direction = ctx.pathParam("direction").toLowerCase(Locale.ROOT);
        boolean forward;
        if (direction.equals("forward")) {
            forward = true;
        } else if (direction.equals("backward")) {
            forward = false;
        } else {
            throw ProblemException.badRequest(
                    "a page goes 'forward' or 'backward', got '" + ctx.pathParam("direction") + "'");
        }
        int count = pageSize(ctx.pathParam("count"));
        boolean fromHead = from.equalsIgnoreCase("head");
        if (fromHead && forward) {
            throw ProblemException.badRequest("a forward page starts at a version (or a position for $all), got"
                    + " 'head'; read the newest events with head/backward");
        }
        FeedUrls urls = FeedUrls.of(ctx);
        String self = urls.page(streamId, fromHead ? "head" : from, direction, count);
        if (FeedUrls.ALL.equals(streamId)) {
            Optional<Position> start = fromHead ? Optional.empty() : Optional.of(positionKey(from));
            serve(ctx, forward, () -> allPage(urls, start, forward, count, self));
        } else {
            OptionalLong start = fromHead ? OptionalLong.empty() : OptionalLong.of(version(from, "page start"));
            serve(ctx, forward, () -> streamPage(urls, streamId, start, forward, count, self));
        }
    }

    /**
     * How long a response may be kept, and by whom: what cannot change for good ({@link #IMMUTABLE}), the
     * rest revalidated ({@link #REVALIDATE}); a response to a request that carried a credential
     * ({@code Authorization} or {@code X-API-Key}) is {@code private}, so that a shared cache in front of
     * the server never serves what a key unlocked to a caller without one.
     */
    static String cacheControl(Context ctx, boolean immutable) {
        boolean credentialed = ctx.header("Authorization") != null || ctx.header("X-API-Key") != null;
        if (credentialed) {
            return immutable ? PRIVATE_IMMUTABLE : PRIVATE_REVALIDATE;
        }
        return immutable ? IMMUTABLE : REVALIDATE;
    }

    /**
     * Reads a page, long-polls if asked and nothing is newer, then answers it (or 304). A long poll waits
     * on the request's own thread (virtual, see {@link RequestThreads}) and holds a place among the {@link
     * LongLivedRequests} while it waits.
     */
    private void serve(Context ctx, boolean forward, Supplier<FeedPage> read) {
        String mediaType = mediaType(ctx);
        int longPoll = longPollSeconds(ctx);
        Position seen = store.headPosition();
        FeedPage page = read.get();
        if (longPoll > 0 && !page.immutable() && nothingNewer(ctx, page, forward, mediaType)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(longPoll).toNanos();
            LongLivedRequests.Permit permit = longLived.admit(ctx);
            try {
                while (nothingNewer(ctx, page, forward, mediaType)) {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0 || !store.awaitAppend(seen, Duration.ofNanos(remaining))) {
                        break;
                    }
                    seen = store.headPosition();
                    page = read.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                permit.close();
            }
        }
        String etag = page.etag(mediaType);
        ctx.header("Vary", "Accept");
        ctx.header("ETag", etag);
        ctx.header("Cache-Control", cacheControl(ctx, page.immutable()));
        if (matches(ctx.header("If-None-Match"), etag)) {
            ctx.status(304);
            return;
        }
        FeedUrls urls = FeedUrls.of(ctx);
        ctx.contentType(mediaType + "; charset=utf-8");
        ctx.result(
                mediaType.equals(ATOM)
                        ? AtomWriter.feed(page, urls)
                        : StreamJson.feed(page, urls, etag).toString());
    }

    private static boolean nothingNewer(Context ctx, FeedPage page, boolean forward, String mediaType) {
        return (forward && page.entries().isEmpty()) || matches(ctx.header("If-None-Match"), page.etag(mediaType));
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals("*") || tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private FeedPage streamPage(
            FeedUrls urls, String streamId, OptionalLong from, boolean forward, int count, String self) {
        StreamInfo info = requireReadable(streamId);
        StreamSlice slice = store.readStream(
                streamId,
                forward ? ReadDirection.FORWARD : ReadDirection.BACKWARD,
                from.orElse(StreamSlice.END),
                count);
        List<RecordedEvent> read = slice.events();
        List<RecordedEvent> newestFirst = forward ? read.reversed() : read;
        long last = slice.lastVersion();
        List<FeedPage.Link> links = new ArrayList<>();
        links.add(new FeedPage.Link("self", self));
        links.add(new FeedPage.Link("first", urls.page(streamId, "head", "backward", count)));
        links.add(new FeedPage.Link("last", urls.page(streamId, "0", "forward", count)));
        boolean immutable;
        if (forward) {
            long start = from.orElseThrow();
            immutable = read.size() == count && read.getFirst().streamVersion() == start;
            if (start > 0) {
                links.add(new FeedPage.Link("next", urls.page(streamId, Long.toString(start - 1), "backward", count)));
            }
            long newer = read.isEmpty() ? start : read.getLast().streamVersion() + 1;
            links.add(new FeedPage.Link("previous", urls.page(streamId, Long.toString(newer), "forward", count)));
        } else {
            immutable = from.isPresent()
                    && from.getAsLong() <= last
                    && !read.isEmpty()
                    && read.getFirst().streamVersion() == from.getAsLong()
                    && (read.size() == count || read.getLast().streamVersion() == 0);
            if (!read.isEmpty() && !slice.endOfStream()) {
                long older = read.getLast().streamVersion() - 1;
                links.add(new FeedPage.Link("next", urls.page(streamId, Long.toString(older), "backward", count)));
            }
            long newer = read.isEmpty() ? last + 1 : read.getFirst().streamVersion() + 1;
            links.add(new FeedPage.Link("previous", urls.page(streamId, Long.toString(newer), "forward", count)));
        }
        links.add(new FeedPage.Link("metadata", urls.metadata(streamId)));
        boolean headOfStream = newestFirst.isEmpty() || newestFirst.getFirst().streamVersion() >= last;
        return new FeedPage(
                streamId,
                self,
                headOfStream,
                links,
                newestFirst,
                etagVersion(last, info.metadata()),
                immutable,
                updated(newestFirst));
    }

    private FeedPage allPage(FeedUrls urls, Optional<Position> from, boolean forward, int count, String self) {
        String all = FeedUrls.ALL;
        Position head = store.headPosition();
        AllSlice slice = store.readAll(
                from.orElse(forward ? Position.START : Position.END),
                forward ? ReadDirection.FORWARD : ReadDirection.BACKWARD,
                count,
                EventFilter.all());
        List<RecordedEvent> read = slice.events();
        List<RecordedEvent> newestFirst = forward ? read.reversed() : read;
        List<FeedPage.Link> links = new ArrayList<>();
        links.add(new FeedPage.Link("self", self));
        links.add(new FeedPage.Link("first", urls.page(all, "head", "backward", count)));
        links.add(new FeedPage.Link("last", urls.page(all, FeedUrls.positionKey(Position.START), "forward", count)));
        if (!newestFirst.isEmpty() && !(slice.endOfLog() && !forward)) {
            String older = FeedUrls.positionKey(newestFirst.getLast().position());
            links.add(new FeedPage.Link("next", urls.page(all, older, "backward", count)));
        }
        Position newer = newestFirst.isEmpty()
                ? from.filter(p -> forward).orElse(Position.START)
                : newestFirst.getFirst().position();
        links.add(new FeedPage.Link("previous", urls.page(all, FeedUrls.positionKey(newer), "forward", count)));
        boolean immutable =
                forward ? read.size() == count : from.isPresent() && !from.get().isAfter(head);
        boolean headOfStream =
                newestFirst.isEmpty() || newestFirst.getFirst().position().compareTo(head) >= 0;
        return new FeedPage(
                all, self, headOfStream, links, newestFirst, head.toString(), immutable, updated(newestFirst));
    }

    /** The stream's last version, and its metadata when it has some: new limits change the pages too. */
    private static String etagVersion(long last, StreamMetadata metadata) {
        return metadata.equals(StreamMetadata.empty())
                ? Long.toString(last)
                : last + "/" + Integer.toHexString(metadata.hashCode());
    }

    private static Instant updated(List<RecordedEvent> newestFirst) {
        return newestFirst.stream()
                .map(RecordedEvent::recordedAt)
                .max(Comparator.naturalOrder())
                .orElseGet(Instant::now);
    }

    /** 404 for a stream without readable events, 410 for a tombstoned one. */
    private StreamInfo requireReadable(String streamId) {
        Optional<StreamInfo> info = store.streamInfo(streamId);
        if (info.isPresent() && info.get().state() == StreamState.TOMBSTONED) {
            throw new StreamDeletedException(streamId);
        }
        if (info.isEmpty()
                || info.get().state() != StreamState.ACTIVE
                || info.get().lastVersion() < 0) {
            throw new StreamNotFoundException(streamId);
        }
        return info.get();
    }

    private void eventOrMetadata(Context ctx) {
        String streamId = ctx.pathParam("id");
        String sub = ctx.pathParam("sub");
        if (sub.equals("metadata")) {
            metadata(ctx, streamId);
            return;
        }
        if (FeedUrls.ALL.equals(streamId)) {
            throw ProblemException.badRequest("an event of $all is read at its own stream's URL"
                    + " (its entry's link), not at /streams/$all/" + sub);
        }
        long version = version(sub, "event version");
        StreamSlice slice = store.readStream(streamId, ReadDirection.FORWARD, version, 1);
        if (slice.events().isEmpty() || slice.events().getFirst().streamVersion() != version) {
            requireReadable(streamId);
            throw new ProblemException(
                    404,
                    "event-not-found",
                    "Event not found",
                    "stream " + streamId + " has no event at version " + version + " (its last version is "
                            + slice.lastVersion() + ")",
                    Map.of("streamId", streamId, "version", version, "lastVersion", slice.lastVersion()));
        }
        RecordedEvent event = slice.events().getFirst();
        String mediaType = mediaType(ctx);
        FeedUrls urls = FeedUrls.of(ctx);
        ctx.header("Vary", "Accept");
        ctx.header("Cache-Control", cacheControl(ctx, true));
        ctx.contentType(mediaType + "; charset=utf-8");
        ctx.result(
                mediaType.equals(ATOM)
                        ? AtomWriter.entry(event, urls)
                        : StreamJson.entry(event, urls).toString());
    }

    private void metadata(Context ctx, String streamId) {
        requireNotAll(streamId, "has no metadata");
        StreamInfo info = store.streamInfo(streamId).orElseThrow(() -> new StreamNotFoundException(streamId));
        if (info.state() == StreamState.TOMBSTONED) {
            throw new StreamDeletedException(streamId);
        }
        ctx.header("Cache-Control", cacheControl(ctx, false));
        ctx.contentType(JSON);
        ctx.result(StreamJson.metadata(info.metadata()).toString());
    }

    // writing

    private void append(Context ctx) {
        String streamId = ctx.pathParam("id");
        requireNotAll(streamId, "cannot be appended to; append to a stream");
        ExpectedVersion expected = AppendRequests.expectedVersion(ctx);
        List<EventData> events =
                AppendRequests.events(AppendRequests.jsonBody(ctx, AppendRequests.EVENT_MEDIA_TYPES, limits));
        AppendResult result = store.append(streamId, expected, events);
        FeedUrls urls = FeedUrls.of(ctx);
        long first = result.streamVersion() - events.size() + 1;
        ObjectNode body = StreamJson.MAPPER.createObjectNode();
        body.put("streamId", result.streamId());
        body.put("version", result.streamVersion());
        body.put("firstVersion", first);
        body.put("position", result.position().toString());
        ctx.status(201);
        ctx.header("Location", urls.event(streamId, first));
        ctx.contentType(JSON);
        ctx.result(body.toString());
    }

    private void setMetadata(Context ctx) {
        String streamId = ctx.pathParam("id");
        if (!ctx.pathParam("sub").equals("metadata")) {
            throw ProblemException.notFound(
                    "POST goes to /streams/{id} (an append) or /streams/{id}/metadata, not " + ctx.path());
        }
        requireNotAll(streamId, "has no metadata");
        var metadata = AppendRequests.metadata(
                AppendRequests.jsonBody(ctx, Set.of(JSON, "application/vnd.eventstore.metadata+json"), limits));
        store.setStreamMetadata(streamId, metadata);
        ctx.contentType(JSON);
        ctx.result(StreamJson.metadata(metadata).toString());
    }

    private void delete(Context ctx) {
        String streamId = ctx.pathParam("id");
        requireNotAll(streamId, "cannot be deleted");
        ExpectedVersion expected = AppendRequests.expectedVersion(ctx);
        String hard = ctx.header("ES-HardDelete");
        boolean tombstone;
        if (hard == null || hard.trim().equalsIgnoreCase("false")) {
            tombstone = false;
        } else if (hard.trim().equalsIgnoreCase("true")) {
            tombstone = true;
        } else {
            throw ProblemException.badRequest("ES-HardDelete must be true or false, got '" + hard + "'");
        }
        if (tombstone) {
            store.tombstoneStream(streamId, expected);
        } else {
            store.deleteStream(streamId, expected);
        }
        ctx.status(204);
    }

    // request parts

    private static void requireNotAll(String streamId, String what) {
        if (FeedUrls.ALL.equals(streamId)) {
            throw ProblemException.badRequest("$all is the global log and " + what);
        }
    }

    /** The media type to answer in, by {@code Accept} (highest q first); JSON when nothing else fits. */
    static String mediaType(Context ctx) {
        String accept = ctx.header("Accept");
        if (accept == null) {
            return JSON;
        }
        record Choice(String type, double q) {}
        List<Choice> choices = new ArrayList<>();
        for (String part : accept.split(",")) {
            String[] pieces = part.split(";");
            String type = pieces[0].trim().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < pieces.length; i++) {
                String parameter = pieces[i].trim();
                if (parameter.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(parameter.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (q > 0) {
                choices.add(new Choice(type, q));
            }
        }
        choices.sort(Comparator.comparingDouble(Choice::q).reversed());
        for (Choice choice : choices) {
            if (MEDIA_TYPES.contains(choice.type())) {
                return choice.type();
            }
        }
        return JSON;
    }

    private static int pageSize(String text) {
        if (!VERSION.matcher(text).matches() || Long.parseLong(text) < 1 || Long.parseLong(text) > MAX_PAGE_SIZE) {
            throw ProblemException.badRequest("a page holds 1-" + MAX_PAGE_SIZE + " events, got '" + text + "'");
        }
        return Integer.parseInt(text);
    }

    private static long version(String text, String what) {
        if (!VERSION.matcher(text).matches()) {
            throw ProblemException.badRequest(what + " must be a version number 0 or more"
                    + (what.equals("page start") ? " or 'head'" : "") + ", got '" + text + "'");
        }
        return Long.parseLong(text);
    }

    private static Position positionKey(String text) {
        Matcher matcher = POSITION_KEY.matcher(text);
        if (!matcher.matches()) {
            throw ProblemException.badRequest("a page of $all starts at a position written tx-pos (like 0-0, or"
                    + " 12-345 for position 12/345) or 'head', got '" + text + "'");
        }
        return new Position(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2)));
    }

    private static int longPollSeconds(Context ctx) {
        String header = ctx.header("ES-LongPoll");
        if (header == null) {
            return 0;
        }
        if (!header.trim().matches("[0-9]{1,9}")) {
            throw ProblemException.badRequest(
                    "ES-LongPoll must be a number of seconds 0-" + MAX_LONG_POLL_SECONDS + ", got '" + header + "'");
        }
        return Math.min(Integer.parseInt(header.trim()), MAX_LONG_POLL_SECONDS);
    }
}
