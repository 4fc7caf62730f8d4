package io.factum.http;

import io.factum.core.RecordedEvent;
import java.time.Instant;
import java.util.List;

/**
 * One page of a feed, ready to render as JSON or Atom.
 *
 * @param streamId the stream, or {@code $all}
 * @param selfUrl the page's own URL
 * @param headOfStream true if no newer event existed when the page was read
 * @param links the navigation links (self, first, last, next, previous, metadata)
 * @param entries the events, newest first (as EventStoreDB orders every page)
 * @param version what the ETag is made of: the stream's last version, or the head of the log
 * @param immutable true if the page can never change and may be cached for good
 * @param updated when the newest entry was recorded, or when the page was read if it has none
 */
record FeedPage(
        String streamId,
        String selfUrl,
        boolean headOfStream,
        List<Link> links,
        List<RecordedEvent> entries,
        String version,
        boolean immutable,
        Instant updated) {

    FeedPage {
        links = List.copyOf(links);
        entries = List.copyOf(entries);
    }

    /** A link of a page, with EventStoreDB's relation names. */
    record Link(String relation, String uri) {}

    String title() {
        return "Event stream '" + streamId + "'";
    }

    /** The ETag of the page in a media type: {@code "<version>;<hash of the media type>"}. */
    String etag(String mediaType) {
        return "\"" + version + ";" + Integer.toHexString(mediaType.hashCode()) + "\"";
    }
}
