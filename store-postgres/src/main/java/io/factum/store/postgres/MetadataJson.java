package io.factum.store.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.core.StoreException;
import io.factum.core.StreamMetadata;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Stream metadata as the JSON object kept in {@code streams.metadata}: {@code maxCount}, {@code maxAge}
 * (ISO-8601 duration), {@code truncateBefore} and the user's {@code custom} entries.
 */
final class MetadataJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MetadataJson() {}

    static String write(StreamMetadata metadata) {
        ObjectNode node = JSON.createObjectNode();
        metadata.maxCount().ifPresent(n -> node.put("maxCount", n));
        metadata.maxAge().ifPresent(age -> node.put("maxAge", age.toString()));
        metadata.truncateBefore().ifPresent(v -> node.put("truncateBefore", v));
        if (!metadata.custom().isEmpty()) {
            ObjectNode custom = node.putObject("custom");
            new TreeMap<>(metadata.custom()).forEach(custom::put);
        }
        return node.toString();
    }

    static StreamMetadata read(String streamId, String json) {
        try {
            JsonNode node = JSON.readTree(json);
            Map<String, String> custom = new TreeMap<>();
            JsonNode entries = node.path("custom");
            entries.properties()
                    .forEach(e -> custom.put(e.getKey(), e.getValue().asText()));
            return new StreamMetadata(
                    node.has("maxCount") ? OptionalLong.of(node.get("maxCount").asLong()) : OptionalLong.empty(),
                    node.has("maxAge")
                            ? Optional.of(Duration.parse(node.get("maxAge").asText()))
                            : Optional.empty(),
                    node.has("truncateBefore")
                            ? OptionalLong.of(node.get("truncateBefore").asLong())
                            : OptionalLong.empty(),
                    custom);
        } catch (Exception e) {
            throw new StoreException("stream " + streamId + ": its stored metadata is unreadable: " + json, e);
        }
    }
}
