package io.factum.http;

import io.factum.core.Position;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The absolute URLs of feeds, pages and events, from the scheme and {@code Host} of the request. Stream
 * ids are encoded as one path segment ({@code $} stays readable: {@code /streams/$all}).
 */
record FeedUrls(String base) {

    static final String ALL = "$all";

    static FeedUrls of(Context ctx) {
        String host = ctx.host();
        return new FeedUrls(ctx.scheme() + "://" + (host == null || host.isBlank() ? "localhost" : host)
                + ctx.contextPath().replaceAll("/+$", "") + Rooms.prefixOf(ctx));
    }

    static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8)
                .replace("+", "%20")
                .replace("%24", "$");
    }

    /** The URL form of a position, {@code tx-pos}: a slash cannot stand in a path segment. */
    static String positionKey(Position position) {
        return position.txId() + "-" + position.position();
    }

    String stream(String streamId) {
        return base + "/streams/" + segment(streamId);
    }

    String event(String streamId, long version) {
        return stream(streamId) + "/" + version;
    }

    String metadata(String streamId) {
        return stream(streamId) + "/metadata";
    }

    String page(String streamId, String from, String direction, int count) {
        return stream(streamId) + "/" + from + "/" + direction + "/" + count;
    }
}
