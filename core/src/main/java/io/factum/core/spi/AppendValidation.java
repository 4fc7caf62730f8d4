package io.factum.core.spi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.factum.core.AppendCondition;
import io.factum.core.EventData;
import io.factum.core.EventTooLargeException;
import io.factum.core.InvalidEventException;
import io.factum.core.InvalidTagException;
import io.factum.core.StoreLimits;
import io.factum.core.StreamAppend;
import io.factum.core.StreamIds;
import io.factum.core.Tags;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The checks every store runs on an append before it touches storage, so that bad input fails the same
 * way everywhere and nothing is half-written.
 */
public final class AppendValidation {

    /** The longest event type name, in characters. */
    public static final int MAX_TYPE_LENGTH = 200;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private AppendValidation() {}

    /**
     * Checks an append's arguments: none is null (the message names it), then {@link #validate(String,
     * List, StoreLimits)}.
     */
    public static void validate(
            String streamId, io.factum.core.ExpectedVersion expected, List<EventData> events, StoreLimits limits) {
        requireArgument(expected, "expected");
        validate(streamId, events, limits);
    }

    /**
     * Refuses a null argument of a store's entry point, naming it ("expected is null"), before anything is
     * read or written.
     *
     * @return the argument
     */
    public static <T> T requireArgument(T argument, String name) {
        if (argument == null) {
            throw new NullPointerException(name + " is null");
        }
        return argument;
    }

    /**
     * Checks the stream id, the number of events, each event's type, schema version, size and JSON, and
     * that no event id repeats within the append.
     *
     * @throws io.factum.core.InvalidStreamIdException for a bad stream id
     * @throws InvalidEventException for an empty or too long append or a malformed event
     * @throws EventTooLargeException for an event over the size limit
     */
    public static void validate(String streamId, List<EventData> events, StoreLimits limits) {
        StreamIds.requireValid(streamId);
        requireArgument(events, "events");
        if (events.isEmpty()) {
            throw new InvalidEventException("stream " + streamId + ": an append needs at least one event, got none");
        }
        if (events.size() > limits.maxEventsPerAppend()) {
            throw new InvalidEventException("stream " + streamId + ": an append may carry at most "
                    + limits.maxEventsPerAppend() + " events, got " + events.size()
                    + "; split it into several appends");
        }
        Set<UUID> ids = events.size() == 1 ? Set.of() : new HashSet<>(events.size() * 2);
        for (int i = 0; i < events.size(); i++) {
            EventData event = requireArgument(events.get(i), "events[" + i + "]");
            if (events.size() > 1 && !ids.add(event.eventId())) {
                throw new InvalidEventException("stream " + streamId + ": event id " + event.eventId()
                        + " appears more than once in the append (again at index " + i + ")");
            }
            validate(streamId, i, event, limits);
        }
    }

    private static void validate(String streamId, int index, EventData event, StoreLimits limits) {
        String where = "stream " + streamId + ", event " + index + " (" + event.eventId() + ")";
        String type = event.type();
        if (type.isBlank() || type.length() > MAX_TYPE_LENGTH) {
            throw new InvalidEventException(where + ": event type must be 1-" + MAX_TYPE_LENGTH
                    + " characters and not blank, got '" + type + "'");
        }
        for (int i = 0; i < type.length(); i++) {
            if (Character.isISOControl(type.charAt(i))) {
                throw new InvalidEventException(where + ": event type must not contain control characters");
            }
        }
        int unpaired = io.factum.core.StreamIds.unpairedSurrogate(type);
        if (unpaired >= 0) {
            throw new InvalidEventException(where
                    + ": event type must be well-formed UTF-16, found an unpaired surrogate U+%04X at index %d"
                            .formatted((int) type.charAt(unpaired), unpaired));
        }
        if (event.schemaVersion() < 1) {
            throw new InvalidEventException(where + ": schema version must be 1 or more, got " + event.schemaVersion());
        }
        long size = utf8Length(type) + utf8Length(event.data()) + utf8Length(event.metadata());
        if (size > limits.maxEventBytes()) {
            throw new EventTooLargeException(event.eventId(), size, limits.maxEventBytes());
        }
        checkJson(where, "data", event.data(), false);
        checkJson(where, "metadata", event.metadata(), true);
        if (!event.tags().isEmpty()) {
            try {
                Tags.requireValid(event.tags());
            } catch (InvalidTagException e) {
                throw new InvalidTagException(e.tag(), where + ": " + e.getMessage());
            }
        }
    }

    /**
     * Checks a multi-stream append: at least one part, no stream twice, each part as {@link #validate(String,
     * List, StoreLimits)}, no event id twice in the whole append, at most {@link
     * StoreLimits#maxEventsPerAppend()} events in all, and a condition given.
     *
     * @throws InvalidEventException if the append breaks one of these rules
     */
    public static void validate(List<StreamAppend> appends, AppendCondition condition, StoreLimits limits) {
        requireArgument(appends, "appends");
        requireArgument(condition, "condition");
        if (appends.isEmpty()) {
            throw new InvalidEventException("a multi-stream append needs at least one stream, got none");
        }
        Set<String> streams = new HashSet<>();
        Set<UUID> ids = new HashSet<>();
        int total = 0;
        for (int i = 0; i < appends.size(); i++) {
            StreamAppend part = requireArgument(appends.get(i), "appends[" + i + "]");
            validate(part.streamId(), part.expected(), part.events(), limits);
            if (!streams.add(part.streamId())) {
                throw new InvalidEventException("stream " + part.streamId()
                        + " appears more than once in the append (again at index " + i
                        + "); put its events in one part");
            }
            total += part.events().size();
            if (total > limits.maxEventsPerAppend()) {
                throw new InvalidEventException("an append may carry at most " + limits.maxEventsPerAppend()
                        + " events in all its streams, got more (" + total + " up to stream " + part.streamId()
                        + "); split it into several appends");
            }
            for (EventData event : part.events()) {
                if (!ids.add(event.eventId())) {
                    throw new InvalidEventException("stream " + part.streamId() + ": event id " + event.eventId()
                            + " appears more than once in the append");
                }
            }
        }
    }

    private static void checkJson(String where, String field, String json, boolean mustBeObject) {
        try (JsonParser parser = JSON.createParser(json)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new InvalidEventException(where + ": " + field + " must be a JSON document, got an empty text");
            }
            if (mustBeObject && first != JsonToken.START_OBJECT) {
                throw new InvalidEventException(
                        where + ": " + field + " must be a JSON object, got " + describe(first));
            }
            checkValues(where, field, parser, first);
            JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                throw new InvalidEventException(where + ": " + field
                        + " must hold one JSON document, found more after it at offset "
                        + parser.currentTokenLocation().getCharOffset());
            }
        } catch (IOException e) {
            throw new InvalidEventException(where + ": " + field + " is not valid JSON: " + originalMessage(e), e);
        }
    }

    /**
     * Walks the document and refuses what some store cannot keep: the character U+0000 and unpaired
     * surrogates in strings and names, and numbers beyond PostgreSQL's numeric range. Every store refuses
     * them, so an event is accepted or refused the same way everywhere.
     */
    private static void checkValues(String where, String field, JsonParser parser, JsonToken first) throws IOException {
        int depth = 0;
        JsonToken token = first;
        while (true) {
            switch (token) {
                case START_OBJECT, START_ARRAY -> depth++;
                case END_OBJECT, END_ARRAY -> depth--;
                case FIELD_NAME, VALUE_STRING -> checkText(where, field, parser);
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> checkNumber(where, field, parser);
                default -> {}
            }
            if (depth == 0) {
                return;
            }
            token = parser.nextToken();
        }
    }

    private static void checkText(String where, String field, JsonParser parser) throws IOException {
        char[] chars = parser.getTextCharacters();
        int end = parser.getTextOffset() + parser.getTextLength();
        for (int i = parser.getTextOffset(); i < end; i++) {
            char c = chars[i];
            if (c == 0) {
                throw new InvalidEventException(where + ": " + field
                        + " contains the character U+0000 in a string, which cannot be stored (PostgreSQL refuses it);"
                        + " encode binary content, e.g. as Base64");
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1]);
                if (!paired) {
                    throw new InvalidEventException(where + ": " + field + " contains an unpaired surrogate U+"
                            + String.format(java.util.Locale.ROOT, "%04X", (int) c) + " in a string, which is not"
                            + " valid Unicode");
                }
                i++;
            }
        }
    }

    /** PostgreSQL's numeric keeps at most this many digits before the decimal point and after it. */
    private static final int MAX_INTEGER_DIGITS = 131_072;

    private static final int MAX_FRACTION_DIGITS = 16_383;

    private static void checkNumber(String where, String field, JsonParser parser) throws IOException {
        int length = parser.getTextLength();
        if (length < 300 && parser.currentToken() == JsonToken.VALUE_NUMBER_INT) {
            return;
        }
        String text = parser.getText();
        if (length < 300 && text.indexOf('e') < 0 && text.indexOf('E') < 0) {
            return;
        }
        java.math.BigDecimal number = new java.math.BigDecimal(text);
        long integerDigits = (long) number.precision() - number.scale();
        if (integerDigits > MAX_INTEGER_DIGITS || number.scale() > MAX_FRACTION_DIGITS) {
            throw new InvalidEventException(where + ": " + field + " contains the number "
                    + (text.length() > 40 ? text.substring(0, 40) + "..." : text)
                    + ", beyond what can be stored exactly (at most " + MAX_INTEGER_DIGITS
                    + " digits before the point and " + MAX_FRACTION_DIGITS + " after); send it as a string");
        }
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.toString();
        };
    }

    private static String originalMessage(IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe) {
            return describe(jpe);
        }
        return String.valueOf(e.getMessage());
    }

    /**
     * What Jackson found wrong, and where if it says: a limit such as the nesting depth is reported
     * without a location.
     */
    static String describe(com.fasterxml.jackson.core.JsonProcessingException e) {
        com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
        return e.getOriginalMessage()
                + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr());
    }

    /** The number of bytes of {@code text} in UTF-8, without encoding it. */
    public static long utf8Length(String text) {
        long bytes = 0;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
