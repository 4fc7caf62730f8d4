package io.factum.examples.orders.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.core.command.FieldViolation;
import io.factum.examples.orders.customers.Address;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A JSON request body read field by field. A field of the wrong type is recorded as a violation (named
 * with its path, {@code address.city}) and read as {@code null}, so that the command bus's validators can
 * still name every other bad field; a missing text or decimal is {@code null} for the validators to name.
 */
final class Body {

    static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final JsonNode node;
    private final String prefix;
    private final List<FieldViolation> violations;

    private Body(JsonNode node, String prefix, List<FieldViolation> violations) {
        this.node = node;
        this.prefix = prefix;
        this.violations = violations;
    }

    /** Reads {@code text}; an empty body is an empty object (commands without fields need none). */
    static Body parse(String text, ObjectMapper json) {
        if (text.isBlank()) {
            return new Body(json.createObjectNode(), "", new ArrayList<>());
        }
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiProblem(
                    400,
                    "malformed-json",
                    "Malformed JSON",
                    "the request body is not JSON: " + e.getOriginalMessage(),
                    java.util.Map.of());
        }
        if (!node.isObject()) {
            throw new ApiProblem(
                    400,
                    "malformed-json",
                    "Malformed JSON",
                    "the request body must be a JSON object, got " + node.getNodeType(),
                    java.util.Map.of());
        }
        return new Body(node, "", new ArrayList<>());
    }

    /** A text field; {@code null} if missing (the validators name it) or not text (named here). */
    @Nullable
    String text(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            violation(field, "must be a string, got " + value.getNodeType());
            return null;
        }
        return value.asText();
    }

    /**
     * An optional ISO-8601 instant ({@code 2026-11-26T09:00:00Z}); empty if missing, and named if it is not
     * an instant or lies in the future (a retrospective command takes effect in the past, not ahead).
     */
    Optional<Instant> pastInstant(String field, Instant now) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            violation(field, "must be an ISO-8601 instant like 2026-11-26T09:00:00Z, got " + value);
            return Optional.empty();
        }
        try {
            Instant instant = Instant.parse(value.asText());
            if (instant.isAfter(now)) {
                violation(field, "must not be in the future, got " + instant + " (now is " + now + ")");
                return Optional.empty();
            }
            return Optional.of(instant);
        } catch (java.time.format.DateTimeParseException e) {
            violation(field, "must be an ISO-8601 instant like 2026-11-26T09:00:00Z, got " + value);
            return Optional.empty();
        }
    }

    /** A required UUID field; {@code null} (and named) if missing or malformed. */
    @Nullable
    UUID uuid(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            violation(field, "is required");
            return null;
        }
        if (!value.isTextual() || !UUID_TEXT.matcher(value.asText()).matches()) {
            violation(field, "must be a UUID like 3f2c9a4e-5b1d-4c6e-9a7f-0123456789ab, got " + value);
            return null;
        }
        return UUID.fromString(value.asText());
    }

    /** A required whole number; 0 (and named) if missing or not a whole number of int range. */
    int wholeNumber(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            violation(field, "is required");
            return 0;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            violation(field, "must be a whole number, got " + value);
            return 0;
        }
        return value.intValue();
    }

    /** A decimal number; {@code null} if missing (the validators name it) or not a number (named here). */
    @Nullable
    BigDecimal decimal(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            violation(field, "must be a decimal number like 12.50, got " + value);
            return null;
        }
        return value.decimalValue();
    }

    /** An address object; {@code null} if missing (the validators name it) or not an object (named here). */
    @Nullable
    Address address(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            violation(field, "must be an object with street, city, postalCode and country");
            return null;
        }
        Body inner = new Body(value, prefix + field + ".", violations);
        return newAddress(inner.text("street"), inner.text("city"), inner.text("postalCode"), inner.text("country"));
    }

    /** What was wrong with the fields read so far. */
    List<FieldViolation> violations() {
        return List.copyOf(violations);
    }

    private void violation(String field, String message) {
        violations.add(new FieldViolation(prefix + field, message));
    }

    @SuppressWarnings("NullAway") // the customers' validators name a missing address field; JSON may omit one
    private static Address newAddress(
            @Nullable String street, @Nullable String city, @Nullable String postalCode, @Nullable String country) {
        return new Address(street, city, postalCode, country);
    }
}
