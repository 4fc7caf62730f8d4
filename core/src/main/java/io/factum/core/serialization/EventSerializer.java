package io.factum.core.serialization;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.factum.core.EventData;
import io.factum.core.RecordedEvent;
import io.factum.core.gdpr.CryptoShredder;
import io.factum.core.gdpr.DataSubject;
import io.factum.core.gdpr.PersonalData;
import io.factum.core.gdpr.PersonalDataException;
import io.factum.core.gdpr.SubjectForgottenException;
import io.factum.core.gdpr.SubjectKeyStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Writes the user's event records as {@link EventData} (JSON through Jackson, with the type name and
 * schema version from {@link EventTypes}) and reads {@link RecordedEvent}s back as the user's classes,
 * upcast to the current schema. Thread-safe.
 *
 * <p>Reading never skips silently: an unknown type, a schema version newer than the code, or data that
 * does not fit the class fails with {@link EventDeserializationException} naming stream, version and
 * type.
 */
public final class EventSerializer {

    /** How the JSON of an event with an encrypted value is recognised before it is parsed. */
    private static final String ENCRYPTED = "\"" + CryptoShredder.ENCRYPTED_FIELD + "\"";

    private final EventTypes types;
    private final ObjectMapper json;
    private final @Nullable PersonalFields personal;

    private EventSerializer(EventTypes types, ObjectMapper json, @Nullable PersonalFields personal) {
        this.types = types;
        this.json = json;
        this.personal = personal;
    }

    /** A serializer with Factum's default Jackson settings (Java time, Optional, ISO-8601 dates). */
    public static EventSerializer of(EventTypes types) {
        return new EventSerializer(types, defaultMapper(), null);
    }

    /**
     * {@code value} as JSON, written with this serializer's Jackson mapper (the application's own if it
     * gave one): how snapshots of aggregate state are written.
     *
     * @throws IllegalArgumentException if the mapper cannot write it
     */
    public String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot write " + value.getClass().getName() + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * JSON read as {@code type} with this serializer's Jackson mapper, the inverse of {@link #toJson}.
     *
     * @throws JsonProcessingException if the JSON does not fit the type
     */
    public <T> T fromJson(String text, Class<T> type) throws JsonProcessingException {
        return json.readValue(text, type);
    }

    /** A serializer with the application's own Jackson mapper. */
    public static EventSerializer of(EventTypes types, ObjectMapper mapper) {
        return new EventSerializer(types, mapper, null);
    }

    /**
     * The mapper {@link #of(EventTypes)} uses: records, {@code java.time} as ISO-8601 text, {@code
     * Optional}; unknown properties are ignored on read, so adding a field needs no upcaster.
     */
    public static ObjectMapper defaultMapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .addModule(new Jdk8Module())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
    }

    /**
     * This serializer with crypto-shredding: the {@link PersonalData} components of event records are
     * stored encrypted with the key of the event's {@link DataSubject} from {@code keys} (created on first
     * use), and read back decrypted; once the subject is {@link SubjectKeyStore#forget forgotten} they read
     * as erased (see {@link PersonalData}) while the rest of the event reads as before. Events without
     * personal components are written and read exactly as by this serializer. See docs/gdpr.md.
     *
     * <p>Writing an event of a forgotten subject fails with {@link SubjectForgottenException}; reading an
     * encrypted value that was altered fails with {@link EventDeserializationException}.
     *
     * @throws IllegalArgumentException if a registered record is wrongly annotated: personal components but
     *     no {@link DataSubject}, two of them, or a component that is both
     */
    public EventSerializer withPersonalData(SubjectKeyStore keys) {
        return new EventSerializer(types, json, new PersonalFields(keys, types));
    }

    /** The subject keys of {@link #withPersonalData}, empty for a serializer without crypto-shredding. */
    public Optional<SubjectKeyStore> subjectKeys() {
        return personal == null ? Optional.empty() : Optional.of(personal.keys());
    }

    /** The registry this serializer uses. */
    public EventTypes types() {
        return types;
    }

    /**
     * An event to append.
     *
     * @throws IllegalArgumentException if the event's class is not registered or cannot be written
     * @throws SubjectForgottenException if the event has personal data (see {@link #withPersonalData}) of a
     *     forgotten subject
     */
    public EventData serialize(Object event, UUID eventId, EventMetadata metadata) {
        EventTypes.Registration registration = types.of(event.getClass());
        try {
            return new EventData(
                    eventId,
                    registration.name(),
                    registration.schemaVersion(),
                    writeData(event),
                    writeMetadata(metadata));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot write event " + registration.name() + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private String writeData(Object event) throws JsonProcessingException {
        if (personal == null || !personal.protects(event.getClass())) {
            return json.writeValueAsString(event);
        }
        JsonNode tree = json.valueToTree(event);
        if (tree instanceof ObjectNode object) {
            personal.protect(event, object);
        }
        return json.writeValueAsString(tree);
    }

    /**
     * A stored event as the user's class(es), upcast to the current schema: usually one, none if an
     * upcaster dropped it, several if one split it.
     *
     * @throws EventDeserializationException if it cannot be read as a registered class of type {@code as}
     */
    public <E> List<Envelope<E>> deserialize(RecordedEvent recorded, Class<E> as) {
        EventMetadata metadata = readMetadata(recorded);
        List<Typed<E>> events = read(recorded, as);
        List<Envelope<E>> envelopes = new ArrayList<>(events.size());
        for (Typed<E> typed : events) {
            envelopes.add(new Envelope<>(
                    typed.event(),
                    recorded.eventId(),
                    recorded.streamId(),
                    recorded.streamVersion(),
                    recorded.position(),
                    typed.type(),
                    recorded.recordedAt(),
                    metadata));
        }
        return envelopes;
    }

    /**
     * A stored event as the user's class(es), without its metadata: what an aggregate load needs, and
     * faster than {@link #deserialize}. An event that needs no upcasting is read in one pass.
     *
     * @throws EventDeserializationException if it cannot be read as a registered class of type {@code as}
     */
    public <E> List<E> deserializeEvents(RecordedEvent recorded, Class<E> as) {
        List<Typed<E>> events = read(recorded, as);
        return events.size() == 1
                ? List.of(events.get(0).event())
                : events.stream().map(Typed::event).toList();
    }

    private record Typed<E>(String type, E event) {}

    private <E> List<Typed<E>> read(RecordedEvent recorded, Class<E> as) {
        String data = recorded.data();
        if (types.isCurrent(recorded.type(), recorded.schemaVersion())
                && startsAnObject(data)
                && (personal == null || !data.contains(ENCRYPTED))) {
            StoredForm form = new StoredForm(recorded.type(), recorded.schemaVersion(), json.createObjectNode());
            EventTypes.Registration registration = registration(recorded, form, as);
            try {
                return List.of(new Typed<>(recorded.type(), as.cast(json.readValue(data, registration.type()))));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                throw doesNotFit(recorded, registration, e);
            }
        }
        JsonNode tree = parse(recorded, data);
        if (!(tree instanceof ObjectNode object)) {
            throw fail(recorded, "its data is not a JSON object but " + tree.getNodeType(), null);
        }
        List<StoredForm> current;
        try {
            current = types.upcast(new StoredForm(recorded.type(), recorded.schemaVersion(), object));
        } catch (RuntimeException e) {
            throw fail(recorded, "upcasting failed: " + e.getMessage(), e);
        }
        List<Typed<E>> events = new ArrayList<>(current.size());
        for (StoredForm form : current) {
            events.add(new Typed<>(form.type(), toClass(recorded, form, as)));
        }
        return events;
    }

    private static boolean startsAnObject(String data) {
        for (int i = 0; i < data.length(); i++) {
            char c = data.charAt(i);
            if (!Character.isWhitespace(c)) {
                return c == '{';
            }
        }
        return false;
    }

    private <E> E toClass(RecordedEvent recorded, StoredForm form, Class<E> as) {
        EventTypes.Registration registration = registration(recorded, form, as);
        if (personal != null) {
            try {
                personal.reveal(form.data(), registration.type());
            } catch (PersonalDataException e) {
                throw fail(recorded, e.getMessage(), e);
            }
        }
        try {
            return as.cast(json.treeToValue(form.data(), registration.type()));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw doesNotFit(recorded, registration, e);
        }
    }

    private EventTypes.Registration registration(RecordedEvent recorded, StoredForm form, Class<?> as) {
        EventTypes.Registration registration = types.forName(form.type())
                .orElseThrow(() -> fail(
                        recorded,
                        "type " + form.type() + " is not registered (known: "
                                + types.registrations().stream()
                                        .map(EventTypes.Registration::name)
                                        .sorted()
                                        .toList()
                                + "); register it or an alias, or drop it with an upcaster",
                        null));
        if (form.schemaVersion() != registration.schemaVersion()) {
            String why = form.schemaVersion() > registration.schemaVersion()
                    ? "it is stored at schema version " + form.schemaVersion() + ", newer than the code's "
                            + registration.schemaVersion() + " (deploy the newer code to read it)"
                    : "it is stored at schema version " + form.schemaVersion() + " and no upcaster brings it to "
                            + registration.schemaVersion();
            throw fail(recorded, why, null);
        }
        if (!as.isAssignableFrom(registration.type())) {
            throw fail(recorded, "it is a " + registration.type().getName() + ", not a " + as.getName(), null);
        }
        return registration;
    }

    private static EventDeserializationException doesNotFit(
            RecordedEvent recorded, EventTypes.Registration registration, Exception e) {
        return fail(
                recorded,
                "its data does not fit " + registration.type().getSimpleName() + ": "
                        + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()),
                e);
    }

    /** The envelope of a stored event; events appended without one get their own id and recorded time. */
    public EventMetadata readMetadata(RecordedEvent recorded) {
        JsonNode node = parse(recorded, recorded.metadata());
        Map<String, String> entries = new TreeMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!EventMetadata.RESERVED_KEYS.contains(field.getKey())) {
                JsonNode value = field.getValue();
                entries.put(field.getKey(), value.isTextual() ? value.asText() : value.toString());
            }
        }
        try {
            return new EventMetadata(
                    uuid(node, "correlationId").orElse(recorded.eventId()),
                    uuid(node, "causationId").orElse(recorded.eventId()),
                    text(node, "userId"),
                    text(node, "tenantId"),
                    text(node, "occurredAt").map(Instant::parse).orElse(recorded.recordedAt()),
                    entries,
                    text(node, "effectiveAt").map(Instant::parse));
        } catch (RuntimeException e) {
            throw fail(recorded, "its metadata is malformed: " + e.getMessage(), e);
        }
    }

    private String writeMetadata(EventMetadata metadata) {
        ObjectNode node = json.createObjectNode();
        node.put("correlationId", metadata.correlationId().toString());
        node.put("causationId", metadata.causationId().toString());
        metadata.userId().ifPresent(user -> node.put("userId", user));
        metadata.tenantId().ifPresent(tenant -> node.put("tenantId", tenant));
        node.put("occurredAt", metadata.occurredAt().toString());
        metadata.effectiveAt().ifPresent(at -> node.put("effectiveAt", at.toString()));
        metadata.entries().forEach(node::put);
        return node.toString();
    }

    private JsonNode parse(RecordedEvent recorded, String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw fail(recorded, "it is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    private static Optional<UUID> uuid(JsonNode node, String field) {
        return text(node, field).map(UUID::fromString);
    }

    private static EventDeserializationException fail(
            RecordedEvent recorded, String reason, @Nullable Throwable cause) {
        return cause == null
                ? new EventDeserializationException(
                        recorded.streamId(), recorded.streamVersion(), recorded.type(), reason)
                : new EventDeserializationException(
                        recorded.streamId(), recorded.streamVersion(), recorded.type(), reason, cause);
    }
}
