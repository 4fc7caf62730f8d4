package io.factum.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.core.AllSlice;
import io.factum.core.EventFilter;
import io.factum.core.EventStore;
import io.factum.core.InvalidInputException;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamDeletedException;
import io.factum.core.StreamIds;
import io.factum.core.StreamInfo;
import io.factum.core.StreamSlice;
import io.factum.core.subscription.CheckpointStore;
import io.factum.core.subscription.ConsumerGroup;
import io.factum.core.subscription.Lease;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.ParkedEvent;
import io.factum.core.subscription.ProjectionSubscription;
import io.factum.core.subscription.Subscription;
import io.factum.core.subscription.SubscriptionState;
import io.factum.core.subscription.SubscriptionStatus;
import io.factum.http.AdminViews.ChainRow;
import io.factum.http.AdminViews.Correlation;
import io.factum.http.AdminViews.EventPage;
import io.factum.http.AdminViews.EventRow;
import io.factum.http.AdminViews.Figure;
import io.factum.http.AdminViews.GroupRow;
import io.factum.http.AdminViews.LeaseRow;
import io.factum.http.AdminViews.MemberRow;
import io.factum.http.AdminViews.Overview;
import io.factum.http.AdminViews.ParkedRow;
import io.factum.http.AdminViews.ProjectionRow;
import io.factum.http.AdminViews.ReadSide;
import io.factum.http.AdminViews.StreamPage;
import io.factum.http.AdminViews.StreamRow;
import io.factum.http.AdminViews.Streams;
import io.factum.http.AdminViews.SubscriptionRow;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Builds the admin pages' views from the store and the read side. Lists of streams and correlation chains
 * come from a backward scan of the most recent {@link #SCAN_LIMIT} events of the global log: bounded work
 * per request, whatever the size of the store.
 */
final class AdminPages {

    /** How many of the most recent events the stream list and the correlation chain look at. */
    static final int SCAN_LIMIT = 10_000;

    /** The most streams a list shows. */
    static final int MAX_STREAM_ROWS = 500;

    /** Events per page of a stream. */
    static final int PAGE_SIZE = 20;

    private static final int SCAN_PAGE = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventStore store;
    private final ReadSideRegistry readSide;
    private final Optional<StoreStats> storeStats;

    AdminPages(EventStore store, ReadSideRegistry readSide, Optional<StoreStats> storeStats) {
        this.store = store;
        this.readSide = readSide;
        this.storeStats = storeStats;
    }

    Overview overview() {
        Position head = store.headPosition();
        List<Figure> figures = new ArrayList<>();
        Optional<String> figuresError = Optional.empty();
        if (storeStats.isPresent()) {
            try {
                new TreeMap<>(storeStats.get().figures())
                        .forEach((name, value) -> figures.add(new Figure(name, String.valueOf(value))));
            } catch (RuntimeException e) {
                figuresError = Optional.of("the store's figures failed: " + describe(e));
            }
        }
        List<SubscriptionStatus> statuses = readSide.statuses();
        int failed = (int) statuses.stream()
                .filter(s -> s.state() == SubscriptionState.FAILED)
                .count();
        List<StreamRow> recent = recentStreams(1000, "").rows();
        return new Overview(
                head.toString(),
                head.position(),
                figures,
                figuresError,
                statuses.size(),
                failed,
                recent.subList(0, Math.min(20, recent.size())),
                1000);
    }

    /**
     * The distinct streams among the most recent {@link #SCAN_LIMIT} events whose id starts with {@code
     * query} or whose category is {@code query}, most recently written first; and the stream whose id is
     * {@code query}, looked up exactly (however old).
     */
    Streams streams(String query) {
        Recent recent = recentStreams(SCAN_LIMIT, query);
        Optional<StreamRow> exact = Optional.empty();
        if (!query.isEmpty()) {
            exact = exactStream(query);
        }
        boolean capped = recent.rows().size() > MAX_STREAM_ROWS;
        List<StreamRow> rows = capped ? recent.rows().subList(0, MAX_STREAM_ROWS) : recent.rows();
        return new Streams(query, exact, rows, capped, MAX_STREAM_ROWS, recent.scanned(), SCAN_LIMIT);
    }

    private record Recent(List<StreamRow> rows, int scanned) {}

    private Recent recentStreams(int limit, String query) {
        Map<String, StreamRow> latest = new LinkedHashMap<>();
        int scanned = scanBackward(limit, event -> {
            String id = event.streamId();
            if (!latest.containsKey(id)
                    && (id.startsWith(query) || event.category().equals(query))) {
                latest.put(id, streamRow(event));
            }
        });
        return new Recent(List.copyOf(latest.values()), scanned);
    }

    private Optional<StreamRow> exactStream(String streamId) {
        try {
            Optional<StreamInfo> info = store.streamInfo(streamId);
            if (info.isEmpty()) {
                return Optional.empty();
            }
            StreamSlice last = store.readStream(streamId, ReadDirection.BACKWARD, StreamSlice.END, 1);
            if (last.events().isEmpty()) {
                return Optional.of(new StreamRow(
                        streamId,
                        StreamIds.category(streamId),
                        streamHref(streamId),
                        info.get().lastVersion(),
                        "(no visible events: " + info.get().state() + ")",
                        ""));
            }
            return Optional.of(streamRow(last.events().getFirst()));
        } catch (InvalidInputException | StreamDeletedException e) {
            return Optional.empty();
        }
    }

    /** A page of {@code streamId}, newest first, starting at version {@code from} (END for the last). */
    StreamPage stream(String streamId, long from) {
        Optional<StreamInfo> info;
        try {
            info = store.streamInfo(streamId);
        } catch (InvalidInputException e) {
            return new StreamPage(
                    streamId, "", -1, List.of(), Optional.empty(), Optional.empty(), Optional.of(describe(e)));
        }
        if (info.isEmpty()) {
            return new StreamPage(
                    streamId,
                    "",
                    -1,
                    List.of(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of("there is no stream '" + streamId + "'"));
        }
        StreamSlice slice;
        try {
            slice = store.readStream(streamId, ReadDirection.BACKWARD, from, PAGE_SIZE);
        } catch (StreamDeletedException e) {
            return new StreamPage(
                    streamId,
                    info.get().state().name(),
                    info.get().lastVersion(),
                    List.of(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(describe(e)));
        }
        List<EventRow> events = slice.events().stream()
                .map(e -> new EventRow(
                        e.streamVersion(),
                        e.position().toString(),
                        e.type(),
                        e.recordedAt().toString(),
                        eventHref(e.streamId(), e.streamVersion())))
                .toList();
        Optional<String> older = slice.endOfStream()
                ? Optional.empty()
                : Optional.of(streamHref(streamId) + "&from=" + slice.nextVersion());
        Optional<String> newer = Optional.empty();
        if (from != StreamSlice.END && from < slice.lastVersion()) {
            long newerFrom = from + PAGE_SIZE;
            newer = Optional.of(
                    newerFrom >= slice.lastVersion()
                            ? streamHref(streamId)
                            : streamHref(streamId) + "&from=" + newerFrom);
        }
        return new StreamPage(
                streamId, info.get().state().name(), slice.lastVersion(), events, newer, older, Optional.empty());
    }

    /** The event at {@code version} of {@code streamId}, if it is there and visible. */
    Optional<EventPage> event(String streamId, long version) {
        StreamSlice slice;
        try {
            slice = store.readStream(streamId, ReadDirection.FORWARD, version, 1);
        } catch (InvalidInputException | StreamDeletedException e) {
            return Optional.empty();
        }
        if (slice.events().isEmpty() || slice.events().getFirst().streamVersion() != version) {
            return Optional.empty();
        }
        RecordedEvent event = slice.events().getFirst();
        Optional<String> correlationId = metadataField(event, "correlationId");
        return Optional.of(new EventPage(
                event.streamId(),
                streamHref(event.streamId()),
                event.streamVersion(),
                event.eventId().toString(),
                event.position().toString(),
                event.type(),
                event.schemaVersion(),
                event.recordedAt().toString(),
                pretty(event.data()),
                pretty(event.metadata()),
                correlationId,
                metadataField(event, "causationId"),
                correlationId.map(AdminPages::correlationHref)));
    }

    /**
     * The events among the most recent {@link #SCAN_LIMIT} whose metadata carries {@code correlationId}, in
     * log order, each with the event of the chain that caused it (by {@code causationId}) or, when the cause
     * is not an event of the chain (a command, or an event older than the scan), its id.
     */
    Correlation correlation(String correlationId) {
        List<RecordedEvent> chain = new ArrayList<>();
        int scanned = scanBackward(SCAN_LIMIT, event -> {
            if (metadataField(event, "correlationId")
                    .filter(correlationId::equals)
                    .isPresent()) {
                chain.add(event);
            }
        });
        chain.sort((a, b) -> a.position().compareTo(b.position()));
        Map<String, RecordedEvent> byId = new HashMap<>();
        Map<String, Integer> depth = new HashMap<>();
        for (RecordedEvent event : chain) {
            byId.put(event.eventId().toString(), event);
        }
        List<ChainRow> rows = new ArrayList<>();
        for (RecordedEvent event : chain) {
            Optional<String> causationId = metadataField(event, "causationId");
            RecordedEvent cause = causationId
                    .filter(id -> !id.equals(event.eventId().toString()))
                    .map(byId::get)
                    .orElse(null);
            int level = cause == null ? 0 : depth.getOrDefault(cause.eventId().toString(), 0) + 1;
            depth.put(event.eventId().toString(), level);
            String causedBy;
            Optional<String> causeHref = Optional.empty();
            if (cause != null) {
                causedBy = cause.type() + " (" + cause.streamId() + " @ " + cause.streamVersion() + ")";
                causeHref = Optional.of(eventHref(cause.streamId(), cause.streamVersion()));
            } else if (causationId.isEmpty()) {
                causedBy = "no causation id";
            } else if (causationId.get().equals(correlationId)) {
                causedBy = "the message that started the chain (" + causationId.get() + ")";
            } else {
                causedBy = "message " + causationId.get() + " (a command, or an event outside the scan)";
            }
            rows.add(new ChainRow(
                    level,
                    event.eventId().toString(),
                    event.streamId(),
                    event.streamVersion(),
                    event.type(),
                    event.recordedAt().toString(),
                    eventHref(event.streamId(), event.streamVersion()),
                    causedBy,
                    causeHref));
        }
        return new Correlation(correlationId, rows, scanned, SCAN_LIMIT, scanned >= SCAN_LIMIT);
    }

    ReadSide readSidePage() {
        Optional<CheckpointStore> checkpoints = readSide.checkpointStore();
        List<SubscriptionRow> subscriptions = new ArrayList<>();
        Map<String, List<ProjectionSubscription>> projections = new TreeMap<>();
        for (Subscription subscription : readSide.subscriptions()) {
            subscriptions.add(subscriptionRow(subscription));
            asProjection(subscription).ifPresent(projection -> projections
                    .computeIfAbsent(projection.active().projection(), name -> new ArrayList<>())
                    .add(projection));
        }
        List<ProjectionRow> projectionRows = new ArrayList<>();
        projections.forEach((name, running) -> projectionRows.add(projectionRow(name, running, checkpoints)));
        return new ReadSide(
                subscriptions,
                projectionRows,
                groupRows(),
                readSide.leaseStore().isPresent());
    }

    /** The subscription as a SQL projection, if it is one. */
    static Optional<ProjectionSubscription> asProjection(Subscription subscription) {
        return subscription instanceof ProjectionSubscription projection ? Optional.of(projection) : Optional.empty();
    }

    /** The version a projection subscription builds: its name is {@code <projection>@v<version>}. */
    static int ownVersion(ProjectionSubscription projection) {
        String name = projection.name();
        int at = name.lastIndexOf("@v");
        if (at >= 0) {
            try {
                return Integer.parseInt(name.substring(at + 2));
            } catch (NumberFormatException e) {
                // not a name core gave; fall back to the active version below
            }
        }
        return projection.active().version();
    }

    /**
     * True if a version of the projection newer than the active one is running here and has not stopped:
     * a blue/green rebuild in progress.
     */
    static boolean rebuilding(List<ProjectionSubscription> running, int activeVersion) {
        return running.stream()
                .anyMatch(p ->
                        ownVersion(p) > activeVersion && isRunning(p.status().state()));
    }

    private static boolean isRunning(SubscriptionState state) {
        return state != SubscriptionState.STOPPED && state != SubscriptionState.FAILED;
    }

    private ProjectionRow projectionRow(
            String name, List<ProjectionSubscription> running, Optional<CheckpointStore> checkpoints) {
        OptionalInt stored = checkpoints.map(c -> c.activeVersion(name)).orElse(OptionalInt.empty());
        int active = stored.isPresent()
                ? stored.getAsInt()
                : running.stream().mapToInt(p -> p.active().version()).max().orElse(0);
        List<String> versions = running.stream()
                .map(p -> "v" + ownVersion(p) + " " + p.status().state())
                .toList();
        return new ProjectionRow(
                name,
                active == 0 ? "none yet" : "v" + active,
                versions,
                rebuilding(running, active),
                readSide.canRebuild(name));
    }

    private SubscriptionRow subscriptionRow(Subscription subscription) {
        SubscriptionStatus status = subscription.status();
        List<ParkedRow> parked = new ArrayList<>();
        for (ParkedEvent event : parkedOf(subscription)) {
            parked.add(new ParkedRow(
                    event.subscription(),
                    event.position().toString(),
                    event.streamId(),
                    event.streamVersion(),
                    event.type(),
                    event.attempts(),
                    event.error(),
                    event.parkedAt().toString(),
                    eventHref(event.streamId(), event.streamVersion())));
        }
        return new SubscriptionRow(
                status.name(),
                status.state().name(),
                status.checkpoint().toString(),
                status.processedThrough().toString(),
                status.head().toString(),
                status.lagEvents(),
                status.lag().toSeconds(),
                status.processed(),
                status.parked(),
                status.lastError().orElse(""),
                parked);
    }

    private static List<ParkedEvent> parkedOf(Subscription subscription) {
        try {
            return subscription.parked();
        } catch (RuntimeException e) {
            // the page still shows the status when the checkpoint store cannot be read
            return List.of();
        }
    }

    private List<GroupRow> groupRows() {
        Map<String, List<ConsumerGroup>> byGroup = new TreeMap<>();
        for (ConsumerGroup member : readSide.groups()) {
            byGroup.computeIfAbsent(member.group(), g -> new ArrayList<>()).add(member);
        }
        Optional<LeaseStore> leases = readSide.leaseStore();
        List<GroupRow> rows = new ArrayList<>();
        Instant now = Instant.now();
        byGroup.forEach((group, members) -> {
            List<MemberRow> memberRows = members.stream()
                    .map(m -> new MemberRow(
                            m.member(),
                            m.state().name(),
                            joined(m.buckets()),
                            m.checkpoints().entrySet().stream()
                                    .map(e -> e.getKey() + ": " + e.getValue())
                                    .collect(Collectors.joining(", ")),
                            m.processed(),
                            m.lastError().orElse("")))
                    .toList();
            List<LeaseRow> leaseRows = new ArrayList<>();
            if (leases.isPresent()) {
                Map<String, List<Lease>> byMember = new TreeMap<>();
                for (Lease lease : leases.get().leases(group)) {
                    byMember.computeIfAbsent(lease.member(), k -> new ArrayList<>())
                            .add(lease);
                }
                byMember.forEach((member, held) -> {
                    Instant expires = held.stream()
                            .map(Lease::expiresAt)
                            .min(Instant::compareTo)
                            .orElse(now);
                    leaseRows.add(new LeaseRow(
                            member,
                            joined(held.stream().map(Lease::bucket).sorted().toList()),
                            expires.toString(),
                            expires.isBefore(now)));
                });
            }
            rows.add(new GroupRow(group, memberRows, leaseRows));
        });
        return rows;
    }

    private static String joined(List<Integer> buckets) {
        return buckets.isEmpty()
                ? "none"
                : buckets.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    private interface Visitor {
        void visit(RecordedEvent event);
    }

    /** Hands the most recent events, newest first, to {@code visitor}; at most {@code limit}. */
    private int scanBackward(int limit, Visitor visitor) {
        Position from = Position.END;
        int scanned = 0;
        while (scanned < limit) {
            AllSlice slice = store.readAll(
                    from, ReadDirection.BACKWARD, Math.min(SCAN_PAGE, limit - scanned), EventFilter.all());
            for (RecordedEvent event : slice.events()) {
                visitor.visit(event);
            }
            scanned += slice.events().size();
            if (slice.endOfLog() || slice.events().isEmpty()) {
                break;
            }
            from = slice.next();
        }
        return scanned;
    }

    private static StreamRow streamRow(RecordedEvent event) {
        return new StreamRow(
                event.streamId(),
                event.category(),
                streamHref(event.streamId()),
                event.streamVersion(),
                event.type(),
                event.recordedAt().toString());
    }

    static String streamHref(String streamId) {
        return "/admin/stream?id=" + encode(streamId);
    }

    static String eventHref(String streamId, long version) {
        return "/admin/event?stream=" + encode(streamId) + "&version=" + version;
    }

    static String correlationHref(String correlationId) {
        return "/admin/correlation?id=" + encode(correlationId);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static Optional<String> metadataField(RecordedEvent event, String field) {
        try {
            JsonNode value = JSON.readTree(event.metadata()).get(field);
            return value != null && value.isValueNode() ? Optional.of(value.asText()) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** {@code json} indented for reading; as given if it is not JSON. */
    static String pretty(String json) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            return json;
        }
    }

    static String describe(RuntimeException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
