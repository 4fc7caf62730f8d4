package io.factum.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.core.AppendConditionFailedException;
import io.factum.core.DuplicateEventException;
import io.factum.core.EventTooLargeException;
import io.factum.core.InvalidInputException;
import io.factum.core.StreamDeletedException;
import io.factum.core.StreamNotFoundException;
import io.factum.core.WrongExpectedVersionException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.UUID;

/**
 * How a failure of one of Factum's routes is answered (by their guard, {@link Rooms}; never as an
 * exception handler of the host application): as an RFC 9457 problem ({@code application/problem+json}) with a status
 * that tells the client what to do: 400 fix the request, 404 no such stream or event, 408 send the body
 * faster, 409 re-read and retry, 410 the stream is gone for good, 413 send less, 415 send JSON, 429 and
 * 503 retry later. The {@code type} of a problem is {@code urn:factum:problem:<slug>}; its {@code detail}
 * is the store's message (what was expected, what was found). Anything unexpected is a 500 whose body names only an incident id, never internals; the
 * exception is logged with that id.
 */
final class Problems {

    static final String MEDIA_TYPE = "application/problem+json";
    static final String TYPE_PREFIX = "urn:factum:problem:";

    private static final System.Logger LOG = System.getLogger(Problems.class.getName());

    private Problems() {}

    /** Answers {@code e}, thrown by one of Factum's routes, as a problem. */
    static void answer(Context ctx, Exception e) {
        switch (e) {
            case ProblemException problem ->
                write(ctx, problem.status(), problem.slug(), problem.title(), problem.detail(), problem.fields());
            case WrongExpectedVersionException wrong -> {
                // EventStoreDB's clients read the stream's version from ES-CurrentVersion, and a request that
                // used its ES-ExpectedVersion header gets its status too: 400 "Wrong expected EventNumber"
                boolean eventStoreClient = Boolean.TRUE.equals(ctx.attribute(AppendRequests.EVENT_STORE_HEADER_USED));
                write(
                        ctx,
                        eventStoreClient ? 400 : 409,
                        "wrong-expected-version",
                        eventStoreClient ? "Wrong expected EventNumber" : "Wrong expected version",
                        wrong.getMessage(),
                        Map.of(
                                "streamId", wrong.streamId(),
                                "expectedVersion", AppendRequests.headerText(wrong.expected()),
                                "actualVersion", wrong.actualVersion(),
                                "actualState", wrong.actualState().name()));
                ctx.header("ES-CurrentVersion", Long.toString(wrong.actualVersion()));
            }
            case AppendConditionFailedException failed ->
                write(
                        ctx,
                        409,
                        "append-condition-failed",
                        "Append condition failed",
                        failed.getMessage(),
                        Map.of(
                                "streamId", failed.streamId(),
                                "query", failed.query().toString(),
                                "after", failed.after().toString(),
                                "matchedPosition", failed.matchedPosition().toString(),
                                "matchedStreamId", failed.matchedStreamId(),
                                "matchedType", failed.matchedType()));
            case DuplicateEventException duplicate ->
                write(
                        ctx,
                        409,
                        "duplicate-event",
                        "Duplicate event id",
                        duplicate.getMessage(),
                        Map.of(
                                "streamId", duplicate.streamId(),
                                "eventId", duplicate.eventId().toString(),
                                "existingStreamId", duplicate.existingStreamId(),
                                "existingVersion", duplicate.existingVersion()));
            case StreamNotFoundException notFound ->
                write(
                        ctx,
                        404,
                        "stream-not-found",
                        "Stream not found",
                        notFound.getMessage(),
                        Map.of("streamId", notFound.streamId()));
            case StreamDeletedException deleted ->
                write(
                        ctx,
                        410,
                        "stream-deleted",
                        "Stream deleted",
                        deleted.getMessage(),
                        Map.of("streamId", deleted.streamId()));
            case EventTooLargeException tooLarge ->
                write(
                        ctx,
                        413,
                        "event-too-large",
                        "Event too large",
                        tooLarge.getMessage(),
                        Map.of(
                                "eventId",
                                tooLarge.eventId().toString(),
                                "sizeBytes",
                                tooLarge.sizeBytes(),
                                "limitBytes",
                                tooLarge.limitBytes()));
            case InvalidInputException invalid ->
                write(ctx, 400, "invalid-input", "Invalid input", invalid.getMessage(), Map.of());
            case HttpResponseException response ->
                write(
                        ctx,
                        response.getStatus(),
                        "http-" + response.getStatus(),
                        HttpStatus.forStatus(response.getStatus()).getMessage(),
                        String.valueOf(response.getMessage()),
                        Map.copyOf(response.getDetails()));
            default -> unexpected(ctx, e);
        }
    }

    private static void unexpected(Context ctx, Exception e) {
        String request;
        try {
            request = ctx.method() + " " + ctx.path();
        } catch (RuntimeException gone) {
            // the client went away (a subscription it left) and Jetty recycled the request: nobody to answer
            LOG.log(Level.DEBUG, "a request was gone before its failure could be answered: " + e);
            return;
        }
        String incident = UUID.randomUUID().toString();
        LOG.log(Level.ERROR, "incident " + incident + ": " + request + " failed", e);
        write(
                ctx,
                500,
                "internal-error",
                "Internal server error",
                "the server failed to handle the request; report incident " + incident
                        + " to the operator, whose log has the cause",
                Map.of("incident", incident));
    }

    /** Writes a problem as the response; {@code fields} are added beside the standard members. */
    static void write(Context ctx, int status, String slug, String title, String detail, Map<String, Object> fields) {
        ObjectNode body = StreamJson.MAPPER.createObjectNode();
        body.put("type", TYPE_PREFIX + slug);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", ctx.path());
        fields.forEach((name, value) -> body.set(name, StreamJson.MAPPER.valueToTree(value)));
        ctx.status(status);
        ctx.removeHeader("Cache-Control");
        ctx.removeHeader("ETag");
        ctx.header("Cache-Control", "no-store");
        ctx.contentType(MEDIA_TYPE);
        ctx.result(body.toString());
    }
}
