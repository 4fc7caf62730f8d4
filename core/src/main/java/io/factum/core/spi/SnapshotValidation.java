package io.factum.core.spi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.factum.core.InvalidStreamIdException;
import io.factum.core.StreamIds;
import io.factum.core.aggregate.Snapshot;
import java.io.IOException;

/**
 * The checks every {@link io.factum.core.aggregate.SnapshotStore} runs before it keeps or looks up a
 * snapshot, so that a bad snapshot is refused the same way by every store instead of being kept by one and
 * failing a later load elsewhere.
 */
public final class SnapshotValidation {

    private static final JsonFactory JSON = new JsonFactory();

    private SnapshotValidation() {}

    /**
     * Checks a snapshot to save: its stream id follows {@link StreamIds}, its version is 0 or more, its type
     * is not blank and its data is one well-formed JSON document with no character U+0000 in its strings or
     * names (PostgreSQL refuses it, so every store does).
     *
     * @return the snapshot, unchanged
     * @throws IllegalArgumentException naming the stream and what is wrong
     */
    public static Snapshot requireValid(Snapshot snapshot) {
        String stream = requireStreamId(snapshot.streamId());
        if (snapshot.version() < 0) {
            throw new IllegalArgumentException(
                    "snapshot of " + stream + ": version must be 0 or more, got " + snapshot.version());
        }
        if (snapshot.type().isBlank()) {
            throw new IllegalArgumentException("snapshot of " + stream + ": type must not be blank");
        }
        checkJson(stream, snapshot.data());
        return snapshot;
    }

    /**
     * Checks the stream id of a snapshot to save or load.
     *
     * @return the id, unchanged
     * @throws IllegalArgumentException if it breaks a rule of {@link StreamIds}; the message says which
     */
    public static String requireStreamId(String streamId) {
        try {
            return StreamIds.requireValid(streamId);
        } catch (InvalidStreamIdException e) {
            throw new IllegalArgumentException("snapshot refused: " + e.getMessage(), e);
        }
    }

    private static void checkJson(String stream, String data) {
        try (JsonParser parser = JSON.createParser(data)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new IllegalArgumentException(
                        "snapshot of " + stream + ": data must be a JSON document, got an empty text");
            }
            checkNoNul(stream, parser, first);
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("snapshot of " + stream
                        + ": data must hold one JSON document, found more after it at offset "
                        + parser.currentTokenLocation().getCharOffset());
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "snapshot of " + stream + ": data is not valid JSON: " + AppendValidation.describe(e), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("snapshot of " + stream + ": data cannot be read: " + e.getMessage(), e);
        }
    }

    /** Walks the document from its first token to its end, refusing U+0000 in a string or a name. */
    private static void checkNoNul(String stream, JsonParser parser, JsonToken first) throws IOException {
        int depth = 0;
        JsonToken token = first;
        while (true) {
            switch (token) {
                case START_OBJECT, START_ARRAY -> depth++;
                case END_OBJECT, END_ARRAY -> depth--;
                case FIELD_NAME, VALUE_STRING -> {
                    char[] chars = parser.getTextCharacters();
                    int end = parser.getTextOffset() + parser.getTextLength();
                    for (int i = parser.getTextOffset(); i < end; i++) {
                        if (chars[i] == 0) {
                            throw new IllegalArgumentException("snapshot of " + stream
                                    + ": data contains the character U+0000 in a string, which cannot be stored"
                                    + " (PostgreSQL refuses it); encode binary content, e.g. as Base64");
                        }
                    }
                }
                default -> {}
            }
            if (depth == 0) {
                return;
            }
            token = parser.nextToken();
        }
    }
}
