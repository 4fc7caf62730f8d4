package io.factum.core.subscription;

import io.factum.core.Position;
import java.time.Instant;
import java.util.UUID;

/**
 * An event a subscription gave up on after its handler failed on every try: kept durably with the error,
 * so one poison event does not stop the subscription. It can be listed and replayed.
 *
 * @param subscription the subscription that parked it
 * @param position the event's place in the global log
 * @param eventId the event's id
 * @param streamId the event's stream
 * @param streamVersion the event's version in its stream
 * @param type the event's type
 * @param attempts how many times the handler was tried; 0 for an event held back, untried, behind an
 *     earlier parked event of its stream ({@link OnParked#HOLD_STREAM})
 * @param error the last failure: its type and message
 * @param parkedAt when it was parked
 */
public record ParkedEvent(
        String subscription,
        Position position,
        UUID eventId,
        String streamId,
        long streamVersion,
        String type,
        int attempts,
        String error,
        Instant parkedAt) {}
