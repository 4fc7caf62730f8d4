package io.factum.store.sqlite;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.factum.core.StoreException;
import io.factum.core.StreamMetadata;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * Stream metadata as the JSON object kept in {@code factum_streams.metadata}: {@code {"maxCount": 10,
 * "maxAge": "PT1H", "truncateBefore": 3, "custom": {"key": "value"}}}; SQL NULL for no metadata.
 */
final class MetadataJson {

    private static final JsonFactory JSON = new JsonFactory();

    private MetadataJson() {}

    /** The JSON of the metadata, or null if it is empty. */
    static @Nullable String write(StreamMetadata metadata) {
        if (metadata.equals(StreamMetadata.empty())) {
            return null;
        }
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            if (metadata.maxCount().isPresent()) {
                json.writeNumberField("maxCount", metadata.maxCount().getAsLong());
            }
            if (metadata.maxAge().isPresent()) {
                json.writeStringField("maxAge", metadata.maxAge().get().toString());
            }
            if (metadata.truncateBefore().isPresent()) {
                json.writeNumberField(
                        "truncateBefore", metadata.truncateBefore().getAsLong());
            }
            if (!metadata.custom().isEmpty()) {
                json.writeObjectFieldStart("custom");
                for (Map.Entry<String, String> entry : metadata.custom().entrySet()) {
                    json.writeStringField(entry.getKey(), entry.getValue());
                }
                json.writeEndObject();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write stream metadata as JSON: " + e.getMessage(), e);
        }
        return out.toString();
    }

    /** The metadata of the JSON, or empty metadata for null. */
    static StreamMetadata read(String streamId, @Nullable String text) {
        if (text == null) {
            return StreamMetadata.empty();
        }
        OptionalLong maxCount = OptionalLong.empty();
        Optional<Duration> maxAge = Optional.empty();
        OptionalLong truncateBefore = OptionalLong.empty();
        Map<String, String> custom = new LinkedHashMap<>();
        try (JsonParser json = JSON.createParser(text)) {
            expect(json.nextToken(), JsonToken.START_OBJECT);
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                switch (field) {
                    case "maxCount" -> maxCount = OptionalLong.of(json.getLongValue());
                    case "maxAge" -> maxAge = Optional.of(Duration.parse(json.getText()));
                    case "truncateBefore" -> truncateBefore = OptionalLong.of(json.getLongValue());
                    case "custom" -> {
                        expect(value, JsonToken.START_OBJECT);
                        while (json.nextToken() == JsonToken.FIELD_NAME) {
                            String key = json.currentName();
                            json.nextToken();
                            custom.put(key, json.getText());
                        }
                    }
                    default -> json.skipChildren();
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new StoreException(
                    "stream " + streamId + ": cannot read its stored metadata " + text + ": " + e.getMessage(), e);
        }
        return new StreamMetadata(maxCount, maxAge, truncateBefore, custom);
    }

    private static void expect(@Nullable JsonToken found, JsonToken wanted) throws IOException {
        if (found != wanted) {
            throw new IOException("expected " + wanted + " but found " + found);
        }
    }
}
