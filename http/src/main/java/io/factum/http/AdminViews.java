package io.factum.http;

import java.util.List;
import java.util.Optional;

/**
 * What the admin templates show: plain values, already formatted, and links already built (query
 * parameters URL-encoded). The templates escape every value for HTML, so none of these is trusted markup.
 */
final class AdminViews {

    private AdminViews() {}

    /** A figure of the store page. */
    record Figure(String name, String value) {}

    /** The landing page: the store's figures, a summary of the read side, the most recent streams. */
    record Overview(
            String head,
            long eventCountEstimate,
            List<Figure> figures,
            Optional<String> figuresError,
            int subscriptions,
            int failed,
            List<StreamRow> recentStreams,
            int scanLimit) {}

    /** A stream in a list, with its most recent event seen in the scan. */
    record StreamRow(String id, String category, String href, long latestVersion, String latestType, String latestAt) {}

    /** The streams list and search. */
    record Streams(
            String query,
            Optional<StreamRow> exact,
            List<StreamRow> rows,
            boolean rowsCapped,
            int maxRows,
            int scanned,
            int scanLimit) {}

    /** A page of one stream's events, newest first. */
    record StreamPage(
            String streamId,
            String state,
            long lastVersion,
            List<EventRow> events,
            Optional<String> newerHref,
            Optional<String> olderHref,
            Optional<String> problem) {}

    /** An event in a stream page. */
    record EventRow(long version, String position, String type, String recordedAt, String href) {}

    /** One event in full. */
    record EventPage(
            String streamId,
            String streamHref,
            long version,
            String eventId,
            String position,
            String type,
            int schemaVersion,
            String recordedAt,
            String data,
            String metadata,
            Optional<String> correlationId,
            Optional<String> causationId,
            Optional<String> correlationHref) {}

    /** The events of one correlation id, in log order, each with what caused it. */
    record Correlation(String correlationId, List<ChainRow> rows, int scanned, int scanLimit, boolean limitReached) {}

    /** An event of a correlation chain; {@code depth} is how many events of the chain lie above it. */
    record ChainRow(
            int depth,
            String eventId,
            String streamId,
            long version,
            String type,
            String recordedAt,
            String href,
            String causedBy,
            Optional<String> causeHref) {}

    /** The read side page. */
    record ReadSide(
            List<SubscriptionRow> subscriptions,
            List<ProjectionRow> projections,
            List<GroupRow> groups,
            boolean leasesKnown) {}

    /** A subscription with its status and parked events. */
    record SubscriptionRow(
            String name,
            String state,
            String checkpoint,
            String processedThrough,
            String head,
            long lagEvents,
            long lagSeconds,
            long processed,
            int parkedCount,
            String lastError,
            List<ParkedRow> parked) {}

    /** A parked event with what its replay button posts. */
    record ParkedRow(
            String subscription,
            String position,
            String streamId,
            long version,
            String type,
            int attempts,
            String error,
            String parkedAt,
            String eventHref) {}

    /** A SQL projection: its active version and the versions running here. */
    record ProjectionRow(
            String name, String activeVersion, List<String> running, boolean rebuilding, boolean canRebuild) {}

    /** A consumer group: its members in this process, and every member's buckets from the lease store. */
    record GroupRow(String group, List<MemberRow> members, List<LeaseRow> leases) {}

    /** A member of a group running in this process. */
    record MemberRow(
            String member, String state, String buckets, String checkpoints, long processed, String lastError) {}

    /** The buckets one member holds, from the lease store. */
    record LeaseRow(String member, String buckets, String expiresAt, boolean expired) {}

    /** The answer to an htmx action: a sentence, and whether it went well. */
    record ActionResult(String message, boolean ok) {}
}
