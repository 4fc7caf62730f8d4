package io.factum.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.factum.core.EventData;
import io.factum.core.ExpectedVersion;
import io.factum.core.StreamMetadata;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads and checks what a client sends to write: the {@code Expected-Version} header, the body's size
 * and content type, the JSON array of events and the stream metadata object. Everything is checked
 * before the store is called, so a bad request writes nothing.
 */
final class AppendRequests {

    /** The largest request body accepted by default, in bytes: {@link HttpLimits#DEFAULT_MAX_REQUEST_BYTES}. */
    static final int MAX_BODY_BYTES = (int) HttpLimits.DEFAULT_MAX_REQUEST_BYTES;

    /** How much more than the limit of a too large body is read and dropped so that the client sees the 413. */
    static final long DRAIN_FACTOR = 4;

    /**
     * How long a body may arrive slower than {@link HttpLimits#minRequestDataRate()} before it counts: a
     * client that answers {@code 100 Continue} late or loses its first packets is not cut off for that.
     */
    static final Duration MIN_DATA_RATE_GRACE = Duration.ofSeconds(5);

    static final Set<String> EVENT_MEDIA_TYPES = Set.of("application/json", "application/vnd.eventstore.events+json");

    private static final Set<String> METADATA_FIELDS = Set.of("maxCount", "maxAge", "truncateBefore", "custom");
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private AppendRequests() {}

    /** The request attribute set when the expected version came from EventStoreDB's header. */
    static final String EVENT_STORE_HEADER_USED = "factum.es-expected-version";

    /**
     * The expected version of a write: the {@code Expected-Version} header or EventStoreDB's {@code
     * ES-ExpectedVersion} (same values: {@code -2} any, {@code -1} no stream, {@code -4} stream exists,
     * {@code N}); {@code any} when neither is given. Both given and different is a bad request, never a
     * guess.
     */
    static ExpectedVersion expectedVersion(Context ctx) {
        String ours = ctx.header("Expected-Version");
        String theirs = ctx.header("ES-ExpectedVersion");
        if (ours == null && theirs == null) {
            return ExpectedVersion.any();
        }
        ExpectedVersion fromOurs = ours == null ? null : parseExpected("Expected-Version", ours);
        ExpectedVersion fromTheirs = theirs == null ? null : parseExpected("ES-ExpectedVersion", theirs);
        if (fromOurs != null && fromTheirs != null && !fromOurs.equals(fromTheirs)) {
            throw new ProblemException(
                    400,
                    "bad-expected-version",
                    "Bad Expected-Version header",
                    "Expected-Version (" + ours + ") and ES-ExpectedVersion (" + theirs
                            + ") disagree; send one of them",
                    Map.of("header", "ES-ExpectedVersion", "found", theirs));
        }
        if (fromOurs == null) {
            ctx.attribute(EVENT_STORE_HEADER_USED, Boolean.TRUE);
            return fromTheirs;
        }
        return fromOurs;
    }

    static ExpectedVersion parseExpected(String name, String header) {
        String text = header.trim().toLowerCase(Locale.ROOT);
        switch (text) {
            case "any", "-2" -> {
                return ExpectedVersion.any();
            }
            case "no-stream", "-1" -> {
                return ExpectedVersion.noStream();
            }
            case "stream-exists", "-4" -> {
                return ExpectedVersion.streamExists();
            }
            default -> {
                if (text.matches("[0-9]{1,18}")) {
                    return ExpectedVersion.exactly(Long.parseLong(text));
                }
                throw new ProblemException(
                        400,
                        "bad-expected-version",
                        "Bad " + name + " header",
                        name + " must be any (-2), no-stream (-1), stream-exists (-4) or a version"
                                + " number 0 or more, got '" + header + "'",
                        Map.of("header", name, "found", header));
            }
        }
    }

    /** An expected version as the header spells it: {@code any}, {@code no-stream}, {@code stream-exists}, or a number. */
    static String headerText(ExpectedVersion expected) {
        return switch (expected) {
            case ExpectedVersion.Any a -> "any";
            case ExpectedVersion.NoStream n -> "no-stream";
            case ExpectedVersion.StreamExists s -> "stream-exists";
            case ExpectedVersion.Exactly e -> Long.toString(e.version());
        };
    }

    /**
     * The body as JSON, after checking its content type against {@code accepted}, its size against {@code
     * limits}' largest body (413 beyond) and the pace it arrives at against their minimum data rate (408
     * below, and the connection closed).
     */
    static JsonNode jsonBody(Context ctx, Set<String> accepted, HttpLimits limits) {
        String contentType = ctx.header("Content-Type");
        String mediaType =
                contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!accepted.contains(mediaType)) {
            throw new ProblemException(
                    415,
                    "unsupported-media-type",
                    "Unsupported media type",
                    "the body must be sent as " + String.join(" or ", new TreeSet<>(accepted)) + ", got "
                            + (contentType == null ? "no Content-Type" : "'" + contentType + "'"),
                    Map.of("accepted", List.copyOf(new TreeSet<>(accepted))));
        }
        byte[] body = readLimited(
                ctx, (int) Math.min(limits.maxRequestBytes(), Integer.MAX_VALUE - 16), limits.minRequestDataRate());
        if (body.length == 0) {
            throw ProblemException.badRequest("the body is empty; send a JSON document");
        }
        try {
            return StreamJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new ProblemException(
                    400,
                    "malformed-json",
                    "Malformed JSON",
                    "the body is not valid JSON" + where + ": " + e.getOriginalMessage(),
                    Map.of());
        } catch (IOException e) {
            throw ProblemException.badRequest("the body could not be read: " + e.getMessage());
        }
    }

    /**
     * Reads the body, at most {@code limit} bytes, at {@code minRate} bytes per second or faster on average
     * (0: any pace) once {@link #MIN_DATA_RATE_GRACE} has passed. The pace is checked as bytes arrive; a body
     * that stops arriving is ended by the idle timeout.
     */
    private static byte[] readLimited(Context ctx, int limit, long minRate) {
        String length = ctx.header("Content-Length");
        try (InputStream in = ctx.bodyInputStream()) {
            if (length != null && length.trim().matches("[0-9]{1,19}")) {
                long declared = Long.parseLong(length.trim());
                if (declared > limit) {
                    drain(in, limit, minRate);
                    throw tooLarge(limit, declared + " bytes");
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            long start = System.nanoTime();
            int read;
            while ((read = in.read(buffer, 0, Math.min(buffer.length, limit + 1 - body.size()))) > 0) {
                body.write(buffer, 0, read);
                if (body.size() > limit) {
                    drain(in, limit, minRate);
                    throw tooLarge(limit, "more than that");
                }
                if (slowerThan(minRate, body.size(), start)) {
                    throw tooSlow(ctx, minRate, body.size(), System.nanoTime() - start);
                }
            }
            return body.toByteArray();
        } catch (IOException e) {
            throw ProblemException.badRequest("the body could not be read: " + e.getMessage());
        }
    }

    /**
     * Reads and drops what is left of a body that is too large, up to {@link #DRAIN_FACTOR} times the limit, so that the
     * client, still sending, can read the 413 (a client that sends {@code Expect: 100-continue} is answered
     * before it sends anything). Beyond that, or if it comes slower than {@code minRate}, the connection is
     * closed on it.
     */
    private static void drain(InputStream in, int limit, long minRate) throws IOException {
        long left = DRAIN_FACTOR * limit;
        long drained = 0;
        long start = System.nanoTime();
        byte[] buffer = new byte[64 * 1024];
        int read;
        while (left > 0 && (read = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
            left -= read;
            drained += read;
            if (slowerThan(minRate, drained, start)) {
                return;
            }
        }
    }

    /** Whether {@code bytes} read since {@code startNanos} are fewer than {@code minRate} a second, after the grace. */
    private static boolean slowerThan(long minRate, long bytes, long startNanos) {
        long elapsed = System.nanoTime() - startNanos;
        return minRate > 0 && elapsed > MIN_DATA_RATE_GRACE.toNanos() && bytes * 1_000_000_000L / elapsed < minRate;
    }

    /**
     * A body trickling in: answered 408 and its connection closed, so that neither a thread nor the
     * connection stays with a client that sends a byte now and then.
     */
    private static ProblemException tooSlow(Context ctx, long minRate, int received, long elapsedNanos) {
        ctx.header("Connection", "close");
        return new ProblemException(
                408,
                "body-too-slow",
                "Request body too slow",
                "the request body arrived at " + received * 1_000_000_000L / elapsedNanos + " bytes per second ("
                        + received + " bytes in " + TimeUnit.NANOSECONDS.toMillis(elapsedNanos)
                        + " ms), slower than the " + minRate + " bytes per second this server accepts; send the"
                        + " whole body at once",
                Map.of("minBytesPerSecond", minRate));
    }

    private static ProblemException tooLarge(int limit, String found) {
        return new ProblemException(
                413,
                "body-too-large",
                "Request body too large",
                "a request body may have at most " + limit + " bytes, got " + found
                        + "; split the events into several appends",
                Map.of("limitBytes", limit));
    }

    /**
     * The events of a {@code POST /streams/{id}} body: a JSON array of {@code {eventId, eventType, data,
     * metadata, tags}} ({@code metadata}, {@code schemaVersion} and {@code tags} optional).
     */
    static List<EventData> events(JsonNode body) {
        if (!body.isArray()) {
            throw ProblemException.badRequest("the body must be a JSON array of events {eventId, eventType, data,"
                    + " metadata}, got " + describe(body));
        }
        if (body.isEmpty()) {
            throw ProblemException.badRequest("the array of events is empty; send at least one event");
        }
        List<EventData> events = new ArrayList<>(body.size());
        for (int i = 0; i < body.size(); i++) {
            events.add(event(i, body.get(i)));
        }
        return events;
    }

    private static EventData event(int index, JsonNode node) {
        String where = "event at index " + index;
        if (!node.isObject()) {
            throw ProblemException.badRequest(where + " must be a JSON object, got " + describe(node));
        }
        UUID eventId = uuid(where, node.get("eventId"));
        JsonNode type = node.get("eventType");
        if (type == null || !type.isTextual() || type.asText().isBlank()) {
            throw ProblemException.badRequest(where + ": eventType must be a non-blank string, got "
                    + (type == null ? "nothing" : describe(type)));
        }
        JsonNode data = node.get("data");
        if (data == null) {
            throw ProblemException.badRequest(where + ": data is missing; send the event's JSON payload as data");
        }
        JsonNode metadata = node.get("metadata");
        String metadataJson = EventData.NO_METADATA;
        if (metadata != null && !metadata.isNull()) {
            if (!metadata.isObject()) {
                throw ProblemException.badRequest(
                        where + ": metadata must be a JSON object, got " + describe(metadata));
            }
            metadataJson = metadata.toString();
        }
        int schemaVersion = 1;
        JsonNode schema = node.get("schemaVersion");
        if (schema != null) {
            if (!schema.isInt() || schema.asInt() < 1) {
                throw ProblemException.badRequest(
                        where + ": schemaVersion must be an integer 1 or more, got " + schema);
            }
            schemaVersion = schema.asInt();
        }
        EventData event = new EventData(eventId, type.asText(), schemaVersion, data.toString(), metadataJson);
        JsonNode tags = node.get("tags");
        if (tags != null && !tags.isNull()) {
            event = event.withTags(strings(where + ": tags", tags));
        }
        return event;
    }

    /** A JSON array of strings, or a 400 that says what {@code what} got instead. */
    static List<String> strings(String what, JsonNode node) {
        if (!node.isArray()) {
            throw ProblemException.badRequest(what + " must be an array of strings, got " + describe(node));
        }
        List<String> strings = new ArrayList<>(node.size());
        for (JsonNode each : node) {
            if (!each.isTextual()) {
                throw ProblemException.badRequest(what + " must be an array of strings, found " + describe(each));
            }
            strings.add(each.asText());
        }
        return strings;
    }

    private static UUID uuid(String where, @Nullable JsonNode id) {
        if (id == null) {
            throw ProblemException.badRequest(
                    where + ": eventId is missing; give every event a UUID so that a retry is idempotent");
        }
        if (!id.isTextual() || !UUID_TEXT.matcher(id.asText()).matches()) {
            throw ProblemException.badRequest(
                    where + ": eventId must be a UUID like" + " 3f2c8a4e-6b1d-4e0f-9a7c-2d5e8b1f0c3a, got " + id);
        }
        return UUID.fromString(id.asText());
    }

    /** The body of {@code POST /streams/{id}/metadata}: {@code {maxCount, maxAge (seconds), truncateBefore, custom}}. */
    static StreamMetadata metadata(JsonNode body) {
        if (!body.isObject()) {
            throw ProblemException.badRequest(
                    "stream metadata must be a JSON object {maxCount, maxAge, truncateBefore, custom}, got "
                            + describe(body));
        }
        for (Map.Entry<String, JsonNode> property : body.properties()) {
            String name = property.getKey();
            if (!METADATA_FIELDS.contains(name)) {
                throw ProblemException.badRequest("stream metadata has an unknown field '" + name
                        + "'; the fields are maxCount, maxAge, truncateBefore and custom (an object of strings)");
            }
        }
        StreamMetadata metadata = StreamMetadata.empty();
        JsonNode maxCount = body.get("maxCount");
        if (maxCount != null && !maxCount.isNull()) {
            metadata = metadata.withMaxCount(positive("maxCount", maxCount, 1));
        }
        JsonNode maxAge = body.get("maxAge");
        if (maxAge != null && !maxAge.isNull()) {
            metadata = metadata.withMaxAge(Duration.ofSeconds(positive("maxAge (seconds)", maxAge, 1)));
        }
        JsonNode truncateBefore = body.get("truncateBefore");
        if (truncateBefore != null && !truncateBefore.isNull()) {
            metadata = metadata.withTruncateBefore(positive("truncateBefore", truncateBefore, 0));
        }
        JsonNode custom = body.get("custom");
        if (custom != null && !custom.isNull()) {
            if (!custom.isObject()) {
                throw ProblemException.badRequest("custom must be a JSON object of strings, got " + describe(custom));
            }
            Map<String, String> entries = new TreeMap<>();
            for (Map.Entry<String, JsonNode> field : custom.properties()) {
                if (!field.getValue().isTextual()) {
                    throw ProblemException.badRequest(
                            "custom." + field.getKey() + " must be a string, got " + describe(field.getValue()));
                }
                entries.put(field.getKey(), field.getValue().asText());
            }
            for (Map.Entry<String, String> entry : entries.entrySet()) {
                metadata = metadata.with(entry.getKey(), entry.getValue());
            }
        }
        return metadata;
    }

    private static long positive(String name, JsonNode value, long min) {
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < min) {
            throw ProblemException.badRequest(name + " must be an integer " + min + " or more, got " + value);
        }
        return value.asLong();
    }

    static String describe(JsonNode node) {
        JsonNodeType type = node.getNodeType();
        String text = node.toString();
        String shown = text.length() > 60 ? text.substring(0, 60) + "..." : text;
        return switch (type) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> type.name().toLowerCase(Locale.ROOT) + " " + shown;
        };
    }
}
