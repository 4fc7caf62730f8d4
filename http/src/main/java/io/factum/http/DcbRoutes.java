package io.factum.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.core.AllSlice;
import io.factum.core.AppendCondition;
import io.factum.core.AppendResult;
import io.factum.core.AppendResults;
import io.factum.core.EventQuery;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamAppend;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Consistency across streams over HTTP (see docs/http-api.md):
 *
 * <ul>
 *   <li>{@code POST /streams}: an append to several streams at once, all or nothing, each on its own
 *       expected version, with an optional condition (the dynamic consistency boundary); 201 with each
 *       stream's result, 409 {@code wrong-expected-version} or {@code append-condition-failed};
 *   <li>{@code GET /streams/$query?query=[...]&after=P&count=N} (or {@code type=} and {@code tag=}, repeated,
 *       for one item): the events of the global log that match a query, and the position to use next.
 * </ul>
 *
 * Both are under {@code /streams}, so the security filter asks what it asks of any stream append (the
 * write role) and of {@code $all} (the read role), with the strictest stream rule because they span streams.
 */
final class DcbRoutes {

    static final String QUERY = "$query";

    private static final int DEFAULT_COUNT = 100;
    private static final int MAX_COUNT = 4096;

    private final EventStore store;
    private final HttpLimits limits;

    private DcbRoutes(EventStore store, HttpLimits limits) {
        this.store = store;
        this.limits = limits;
    }

    /** Installs the routes; before the feed's, so that {@code /streams/$query} is not taken for a stream. */
    static void install(Rooms rooms, FactumHttp http) {
        DcbRoutes routes = new DcbRoutes(http.store(), http.limits());
        rooms.post("/streams", routes::appendToStreams);
        rooms.get("/streams/" + QUERY, routes::query);
    }

    private void appendToStreams(Context ctx) {
        JsonNode body = AppendRequests.jsonBody(ctx, Set.of(FeedRoutes.JSON), limits);
        if (!body.isObject()) {
            throw ProblemException.badRequest("the body must be a JSON object {streams: [{streamId, expectedVersion,"
                    + " events}], condition: {failIfEventsMatch, after}}, got " + AppendRequests.describe(body));
        }
        JsonNode streams = body.get("streams");
        if (streams == null || !streams.isArray() || streams.isEmpty()) {
            throw ProblemException.badRequest(
                    "streams must be a non-empty array of {streamId, expectedVersion, events}, got "
                            + (streams == null ? "nothing" : AppendRequests.describe(streams)));
        }
        List<StreamAppend> parts = new ArrayList<>(streams.size());
        for (int i = 0; i < streams.size(); i++) {
            parts.add(part(i, streams.get(i)));
        }
        AppendCondition condition = AppendCondition.none();
        JsonNode given = body.get("condition");
        if (given != null && !given.isNull()) {
            condition = condition(given);
        }
        AppendResults results = store.append(parts, condition);
        ObjectNode answer = StreamJson.MAPPER.createObjectNode();
        ArrayNode each = answer.putArray("results");
        for (int i = 0; i < parts.size(); i++) {
            AppendResult result = results.results().get(i);
            ObjectNode one = each.addObject();
            one.put("streamId", result.streamId());
            one.put("version", result.streamVersion());
            one.put(
                    "firstVersion",
                    result.streamVersion() - parts.get(i).events().size() + 1);
            one.put("position", result.position().toString());
        }
        answer.put("position", results.position().toString());
        ctx.status(201);
        ctx.contentType(FeedRoutes.JSON);
        ctx.result(answer.toString());
    }

    private static StreamAppend part(int index, JsonNode node) {
        String where = "streams[" + index + "]";
        if (!node.isObject()) {
            throw ProblemException.badRequest(where + " must be an object {streamId, expectedVersion, events}, got "
                    + AppendRequests.describe(node));
        }
        JsonNode streamId = node.get("streamId");
        if (streamId == null || !streamId.isTextual()) {
            throw ProblemException.badRequest(where + ": streamId must be a string, got "
                    + (streamId == null ? "nothing" : AppendRequests.describe(streamId)));
        }
        JsonNode expected = node.get("expectedVersion");
        ExpectedVersion version = expected == null || expected.isNull()
                ? ExpectedVersion.any()
                : AppendRequests.parseExpected(where + ".expectedVersion", expected.asText());
        JsonNode events = node.get("events");
        if (events == null) {
            throw ProblemException.badRequest(where + ": events is missing; send an array of events");
        }
        return new StreamAppend(streamId.asText(), version, AppendRequests.events(events));
    }

    private static AppendCondition condition(JsonNode node) {
        if (!node.isObject()) {
            throw ProblemException.badRequest("condition must be an object {failIfEventsMatch: [{types, tags}],"
                    + " after: \"txId/position\"}, got " + AppendRequests.describe(node));
        }
        JsonNode items = node.get("failIfEventsMatch");
        if (items == null) {
            throw ProblemException.badRequest(
                    "condition.failIfEventsMatch is missing; send the query the decision read, [{types, tags}]");
        }
        JsonNode after = node.get("after");
        Position position =
                after == null || after.isNull() ? Position.START : position("condition.after", after.asText());
        return AppendCondition.failIfEventsMatch(query("condition.failIfEventsMatch", items), position);
    }

    /** A query as JSON: an array of items {@code {types: [...], tags: [...]}}. */
    static EventQuery query(String what, JsonNode node) {
        if (!node.isArray()) {
            throw ProblemException.badRequest(
                    what + " must be an array of items {types, tags}, got " + AppendRequests.describe(node));
        }
        List<EventQuery.Item> items = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            String where = what + "[" + i + "]";
            if (!item.isObject()) {
                throw ProblemException.badRequest(
                        where + " must be an object {types, tags}, got " + AppendRequests.describe(item));
            }
            JsonNode types = item.get("types");
            JsonNode tags = item.get("tags");
            items.add(new EventQuery.Item(
                    Set.copyOf(types == null ? List.of() : AppendRequests.strings(where + ".types", types)),
                    Set.copyOf(tags == null ? List.of() : AppendRequests.strings(where + ".tags", tags))));
        }
        return new EventQuery(items);
    }

    private static Position position(String what, String text) {
        try {
            return Position.parse(text);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(what + ": " + e.getMessage());
        }
    }

    private void query(Context ctx) {
        EventQuery query;
        String json = ctx.queryParam("query");
        if (json != null) {
            try {
                query = query("query", StreamJson.MAPPER.readTree(json));
            } catch (JsonProcessingException e) {
                throw ProblemException.badRequest("query is not valid JSON: " + e.getOriginalMessage());
            }
        } else {
            List<String> types = ctx.queryParams("type");
            List<String> tags = ctx.queryParams("tag");
            query = EventQuery.of(new EventQuery.Item(Set.copyOf(types), Set.copyOf(tags)));
        }
        String after = ctx.queryParam("after");
        Position from = after == null ? Position.START : position("after", after);
        int count = DEFAULT_COUNT;
        String given = ctx.queryParam("count");
        if (given != null) {
            if (!given.matches("[0-9]{1,4}") || Integer.parseInt(given) < 1 || Integer.parseInt(given) > MAX_COUNT) {
                throw ProblemException.badRequest(
                        "count must be a whole number 1-" + MAX_COUNT + ", got '" + given + "'");
            }
            count = Integer.parseInt(given);
        }
        AllSlice slice = store.read(query, from, count);
        ObjectNode answer = StreamJson.MAPPER.createObjectNode();
        ArrayNode events = answer.putArray("events");
        FeedUrls urls = FeedUrls.of(ctx);
        for (RecordedEvent event : slice.events()) {
            events.add(StreamJson.entry(event, urls));
        }
        answer.put("next", slice.next().toString());
        answer.put("endOfLog", slice.endOfLog());
        ctx.header("Cache-Control", "no-store");
        ctx.contentType(FeedRoutes.JSON);
        ctx.result(answer.toString());
    }
}
