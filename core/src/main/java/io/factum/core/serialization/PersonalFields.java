package io.factum.core.serialization;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.factum.core.gdpr.CryptoShredder;
import io.factum.core.gdpr.DataSubject;
import io.factum.core.gdpr.PersonalData;
import io.factum.core.gdpr.SubjectKeyStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * The personal fields of event records ({@link PersonalData}, {@link DataSubject}) for {@link
 * EventSerializer#withPersonalData}: encrypts them in the JSON of an event being written, and decrypts them
 * (or puts the erased value of their type) in the JSON of an event being read. Thread-safe.
 */
final class PersonalFields {

    /** How one event class's personal data is found. */
    private record Plan(
            @Nullable Method subject, String subjectName, List<String> personal, Map<String, JsonNode> erased) {}

    private final SubjectKeyStore keys;
    private final EventTypes types;
    private final ConcurrentMap<Class<?>, Plan> plans = new ConcurrentHashMap<>();

    PersonalFields(SubjectKeyStore keys, EventTypes types) {
        this.keys = keys;
        this.types = types;
        for (EventTypes.Registration registration : types.registrations()) {
            plan(registration.type()); // a wrongly annotated class fails when the serializer is made
        }
    }

    SubjectKeyStore keys() {
        return keys;
    }

    /** True if events of {@code type} have personal fields to encrypt. */
    boolean protects(Class<?> type) {
        return !plan(type).personal().isEmpty();
    }

    /**
     * Encrypts, in place, the personal fields of {@code data}, the JSON of {@code event}; a null value stays
     * null.
     *
     * @throws IllegalArgumentException if the event's subject id is null or not 1-200 characters
     */
    void protect(Object event, ObjectNode data) {
        Plan plan = plan(event.getClass());
        String subjectId = subjectId(event, plan);
        for (String field : plan.personal()) {
            JsonNode value = data.get(field);
            if (value != null && !value.isNull()) {
                data.set(field, CryptoShredder.encrypt(value, subjectId, keys));
            }
        }
    }

    /**
     * Decrypts, in place, every encrypted top-level field of {@code data}, to be read as {@code type}; a
     * field whose subject's key is gone gets the erased value of its type.
     */
    void reveal(ObjectNode data, Class<?> type) {
        Plan plan = plan(type);
        for (Map.Entry<String, JsonNode> field : data.properties()) {
            if (CryptoShredder.isEncrypted(field.getValue())) {
                Optional<JsonNode> value = CryptoShredder.decrypt(field.getValue(), keys);
                field.setValue(value.orElseGet(
                        () -> plan.erased().getOrDefault(field.getKey(), TextNode.valueOf(CryptoShredder.ERASED))));
            }
        }
    }

    private Plan plan(Class<?> type) {
        return plans.computeIfAbsent(type, t -> planOf(t, types.personalData(t)));
    }

    /** From the annotations on the record's components and what {@link EventTypes} declares for it. */
    private static Plan planOf(Class<?> type, Optional<EventTypes.PersonalDataDeclaration> declared) {
        RecordComponent[] components = type.getRecordComponents();
        if (components == null) {
            return new Plan(null, "", List.of(), Map.of());
        }
        RecordComponent subject = null;
        List<String> personal = new ArrayList<>();
        Map<String, JsonNode> erased = new HashMap<>();
        for (RecordComponent component : components) {
            String name = jsonName(component);
            erased.put(name, erasedValue(component.getType()));
            boolean isPersonal = component.isAnnotationPresent(PersonalData.class)
                    || declared.map(d -> d.personal().contains(component.getName()))
                            .orElse(false);
            boolean isSubject = component.isAnnotationPresent(DataSubject.class)
                    || declared.map(d -> d.subject().equals(component.getName()))
                            .orElse(false);
            if (isSubject) {
                if (isPersonal) {
                    throw new IllegalArgumentException("event class " + type.getName() + ": component "
                            + component.getName() + " cannot be both @DataSubject and @PersonalData; the subject id"
                            + " is stored in the clear");
                }
                if (subject != null) {
                    throw new IllegalArgumentException("event class " + type.getName() + " has two @DataSubject"
                            + " components, " + subject.getName() + " and " + component.getName()
                            + "; an event's personal data belongs to one subject");
                }
                subject = component;
            }
            if (isPersonal) {
                personal.add(name);
            }
        }
        if (!personal.isEmpty() && subject == null) {
            throw new IllegalArgumentException("event class " + type.getName() + " has @PersonalData components "
                    + personal + " but no @DataSubject component naming whose data they are");
        }
        Method accessor = null;
        if (subject != null) {
            accessor = subject.getAccessor();
            accessor.setAccessible(true);
        }
        return new Plan(accessor, subject == null ? "" : subject.getName(), List.copyOf(personal), Map.copyOf(erased));
    }

    private static String subjectId(Object event, Plan plan) {
        Object value;
        try {
            value = plan.subject() == null ? null : plan.subject().invoke(event);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalArgumentException(
                    "cannot read the @DataSubject component " + plan.subjectName() + " of "
                            + event.getClass().getName() + ": " + e.getMessage(),
                    e);
        }
        if (value == null) {
            throw new IllegalArgumentException("event " + event.getClass().getName() + " carries personal data but"
                    + " its @DataSubject component " + plan.subjectName() + " is null");
        }
        return SubjectKeyStore.checkSubjectId(value.toString());
    }

    private static String jsonName(RecordComponent component) {
        JsonProperty property = component.getAnnotation(JsonProperty.class);
        if (property == null && component.getAccessor().isAnnotationPresent(JsonProperty.class)) {
            property = component.getAccessor().getAnnotation(JsonProperty.class);
        }
        return property == null || property.value().isEmpty() ? component.getName() : property.value();
    }

    /** What a field of {@code type} whose key is gone reads as; see {@link PersonalData}. */
    private static JsonNode erasedValue(Class<?> type) {
        if (type == String.class || type == CharSequence.class) {
            return TextNode.valueOf(CryptoShredder.ERASED);
        }
        if (type == boolean.class) {
            return BooleanNode.FALSE;
        }
        if (type == char.class) {
            return TextNode.valueOf("\0");
        }
        if (type.isPrimitive()) {
            return IntNode.valueOf(0);
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return JsonNodeFactory.instance.arrayNode();
        }
        if (Map.class.isAssignableFrom(type)) {
            return JsonNodeFactory.instance.objectNode();
        }
        // Optional and OptionalInt/Long/Double read null as empty; any other type reads it as null
        return NullNode.getInstance();
    }
}
