package io.factum.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamMetadata;

/** The JSON forms of feeds, entries and stream metadata. */
final class StreamJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private StreamJson() {}

    /** An event as a feed entry: its fields, data and metadata embedded as JSON, and links to itself. */
    static ObjectNode entry(RecordedEvent event, FeedUrls urls) {
        String url = urls.event(event.streamId(), event.streamVersion());
        ObjectNode entry = MAPPER.createObjectNode();
        entry.put("title", event.streamVersion() + "@" + event.streamId());
        entry.put("id", url);
        entry.put("updated", event.recordedAt().toString());
        entry.put("summary", event.type());
        entry.put("eventId", event.eventId().toString());
        entry.put("eventType", event.type());
        entry.put("eventNumber", event.streamVersion());
        entry.put("streamId", event.streamId());
        entry.put("position", event.position().toString());
        entry.put("schemaVersion", event.schemaVersion());
        entry.set("data", embedded(event.data()));
        entry.set("metadata", embedded(event.metadata()));
        if (!event.tags().isEmpty()) {
            ArrayNode tags = entry.putArray("tags");
            event.tags().forEach(tags::add);
        }
        ArrayNode links = entry.putArray("links");
        links.addObject().put("uri", url).put("relation", "edit");
        links.addObject().put("uri", url).put("relation", "alternate");
        return entry;
    }

    /** A page as EventStoreDB's JSON feed, with {@code entries} newest first. */
    static ObjectNode feed(FeedPage page, FeedUrls urls, String etag) {
        ObjectNode feed = MAPPER.createObjectNode();
        feed.put("title", page.title());
        feed.put("id", page.selfUrl());
        feed.put("updated", page.updated().toString());
        feed.put("streamId", page.streamId());
        feed.putObject("author").put("name", AtomWriter.AUTHOR);
        feed.put("headOfStream", page.headOfStream());
        feed.put("selfUrl", page.selfUrl());
        feed.put("eTag", etag);
        ArrayNode links = feed.putArray("links");
        page.links().forEach(link -> links.addObject().put("uri", link.uri()).put("relation", link.relation()));
        ArrayNode entries = feed.putArray("entries");
        page.entries().forEach(event -> entries.add(entry(event, urls)));
        return feed;
    }

    /** Stream metadata as {@code {maxCount, maxAge (seconds), truncateBefore, custom}}; absent limits left out. */
    static ObjectNode metadata(StreamMetadata metadata) {
        ObjectNode json = MAPPER.createObjectNode();
        metadata.maxCount().ifPresent(n -> json.put("maxCount", n));
        metadata.maxAge().ifPresent(age -> json.put("maxAge", age.toSeconds()));
        metadata.truncateBefore().ifPresent(v -> json.put("truncateBefore", v));
        ObjectNode custom = json.putObject("custom");
        metadata.custom().forEach(custom::put);
        return json;
    }

    /** Stored JSON text as a JSON value; text that is not JSON (it should not happen) as a string. */
    static JsonNode embedded(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return MAPPER.getNodeFactory().textNode(json);
        }
    }
}
