package io.factum.examples.shipping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.kafka.InboxMessage;
import io.factum.kafka.PoisonRecordException;
import java.math.BigDecimal;
import java.util.Optional;
import java.util.UUID;

/**
 * The anti-corruption layer between the ordering context's published language and shipping's own model:
 * reads the public events by their type names and JSON fields (no code of the orders system is shared) and
 * turns the ones shipping cares about into its commands. Unknown types are ignored, so ordering may publish
 * new events without breaking this service; a known type whose data cannot be read is a poison record.
 */
public final class OrderingTranslation {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OrderingTranslation() {}

    /** The shipping command a public ordering event stands for, if any. */
    public static Optional<Object> toCommand(InboxMessage message) {
        try {
            return switch (message.type()) {
                case "ordering.OrderPlaced" -> {
                    JsonNode data = read(message);
                    yield Optional.of(new Shipment.Open(
                            uuid(data, "orderId"),
                            uuid(data, "customerId"),
                            new BigDecimal(text(data, "totalAmount"))));
                }
                case "ordering.OrderFulfilled" -> {
                    JsonNode data = read(message);
                    yield Optional.of(new Shipment.HandOver(uuid(data, "orderId"), text(data, "trackingNumber")));
                }
                case "ordering.OrderWithdrawn" -> {
                    JsonNode data = read(message);
                    yield Optional.of(new Shipment.Cancel(uuid(data, "orderId"), text(data, "reason")));
                }
                default -> Optional.empty();
            };
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new PoisonRecordException(
                    "cannot read " + message.type() + " " + message.eventId() + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode read(InboxMessage message) throws JsonProcessingException {
        return JSON.readTree(message.data());
    }

    private static String text(JsonNode data, String field) {
        JsonNode value = data.path(field);
        if (value.isMissingNode() || value.isNull()) {
            throw new IllegalArgumentException("field " + field + " is missing");
        }
        return value.asText();
    }

    private static UUID uuid(JsonNode data, String field) {
        return UUID.fromString(text(data, field));
    }
}
