package io.factum.core.serialization;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The registry of event classes: each has a stable type name (independent of the class name), a current
 * schema version, optional older names (aliases), and the upcasters that bring older stored versions up
 * to date. Immutable and thread-safe once built.
 *
 * <pre>{@code
 * EventTypes types = EventTypes.builder()
 *         .registerSealed(AccountEvent.class)                  // names from @EventType or simple names
 *         .register(MoneyDeposited.class, "MoneyDeposited", 2) // schema version 2
 *         .alias("FundsAdded", MoneyDeposited.class)           // an older name, still readable
 *         .upcastData("MoneyDeposited", 1, data -> data.set("amount", data.remove("cents")))
 *         .build();
 * }</pre>
 */
public final class EventTypes {

    /** How many upcasting steps one stored event may take before the chain is considered a loop. */
    static final int MAX_UPCAST_STEPS = 100;

    /**
     * One registered event class.
     *
     * @param type the class
     * @param name its stored type name
     * @param schemaVersion its current schema version
     */
    public record Registration(Class<?> type, String name, int schemaVersion) {}

    private record Step(String type, int fromVersion) {}

    /**
     * Which record components of an event class hold personal data and whose, declared with {@link
     * Builder#personalData} instead of {@link io.factum.core.gdpr.PersonalData} and {@link
     * io.factum.core.gdpr.DataSubject} on the class.
     *
     * @param subject the component naming the data subject
     * @param personal the components holding its personal data
     */
    record PersonalDataDeclaration(String subject, Set<String> personal) {}

    private final Map<Class<?>, Registration> byClass;
    private final Map<String, Registration> byName;
    private final Map<String, String> canonicalNames;
    private final Map<Step, Upcaster> upcasters;
    private final Map<Class<?>, PersonalDataDeclaration> personalData;

    private EventTypes(Builder builder) {
        this.byClass = Map.copyOf(builder.byClass);
        this.byName = Map.copyOf(builder.byName);
        this.canonicalNames = Map.copyOf(builder.canonicalNames);
        this.upcasters = Map.copyOf(builder.upcasters);
        this.personalData = Map.copyOf(builder.personalData);
    }

    /** The personal data declared for {@code type} with {@link Builder#personalData}, if any. */
    Optional<PersonalDataDeclaration> personalData(Class<?> type) {
        return Optional.ofNullable(personalData.get(type));
    }

    /** A new, empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The registration of an event class.
     *
     * @throws IllegalArgumentException if the class is not registered
     */
    public Registration of(Class<?> type) {
        Registration registration = byClass.get(type);
        if (registration == null) {
            throw new IllegalArgumentException("class " + type.getName()
                    + " is not a registered event type; register it with EventTypes.builder().register(...)"
                    + " or .registerSealed(...)");
        }
        return registration;
    }

    /** The registration for a stored type name (its current name or an alias), if any. */
    public Optional<Registration> forName(String name) {
        return Optional.ofNullable(byName.get(canonicalNames.getOrDefault(name, name)));
    }

    /** Every registered class. */
    public List<Registration> registrations() {
        return List.copyOf(byClass.values());
    }

    /**
     * Brings a stored event up to date: renames an alias to the current name, then applies upcasters
     * until none applies. The result may be one event, several, or none.
     *
     * @throws IllegalStateException if the upcasters loop
     */
    public List<StoredForm> upcast(StoredForm stored) {
        List<StoredForm> done = new ArrayList<>(1);
        List<StoredForm> pending = new ArrayList<>(List.of(canonical(stored)));
        int steps = 0;
        while (!pending.isEmpty()) {
            StoredForm next = pending.remove(0);
            Upcaster upcaster = upcasters.get(new Step(next.type(), next.schemaVersion()));
            if (upcaster == null) {
                done.add(next);
                continue;
            }
            if (++steps > MAX_UPCAST_STEPS) {
                throw new IllegalStateException("the upcasters of " + stored.type() + " version "
                        + stored.schemaVersion() + " did not finish after " + MAX_UPCAST_STEPS
                        + " steps; an upcaster must raise the version or change the type");
            }
            List<StoredForm> results = upcaster.upcast(next);
            for (int i = results.size() - 1; i >= 0; i--) {
                pending.add(0, canonical(results.get(i)));
            }
        }
        return done;
    }

    /** True if an event stored as this type and version is read as is: no alias, no upcaster applies. */
    public boolean isCurrent(String type, int schemaVersion) {
        return !canonicalNames.containsKey(type) && !upcasters.containsKey(new Step(type, schemaVersion));
    }

    private StoredForm canonical(StoredForm form) {
        String name = canonicalNames.get(form.type());
        return name == null ? form : new StoredForm(name, form.schemaVersion(), form.data());
    }

    /** Collects registrations and upcasters; {@link #build()} checks them. Not thread-safe. */
    public static final class Builder {
        private final Map<Class<?>, Registration> byClass = new HashMap<>();
        private final Map<String, Registration> byName = new HashMap<>();
        private final Map<String, String> canonicalNames = new HashMap<>();
        private final Map<Step, Upcaster> upcasters = new HashMap<>();
        private final Map<Class<?>, PersonalDataDeclaration> personalData = new HashMap<>();

        private Builder() {}

        /**
         * Declares that the record components {@code personal} of {@code type} hold personal data of the
         * subject named by its component {@code subject}: the same as marking them {@link
         * io.factum.core.gdpr.PersonalData} and {@link io.factum.core.gdpr.DataSubject} on the record, for
         * event classes that import nothing of Factum. A serializer made {@code withPersonalData(keys)}
         * then encrypts them per subject (crypto-shredding, see docs/gdpr.md).
         *
         * @throws IllegalArgumentException if {@code type} is not a record, lacks one of the components,
         *     names no personal component, or names the subject as personal too
         */
        public Builder personalData(Class<?> type, String subject, String... personal) {
            RecordComponent[] components = type.getRecordComponents();
            if (components == null) {
                throw new IllegalArgumentException(
                        type.getName() + " is not a record; personal data is declared on record components");
            }
            Set<String> names = new LinkedHashSet<>();
            for (RecordComponent component : components) {
                names.add(component.getName());
            }
            Set<String> declared = new LinkedHashSet<>(List.of(personal));
            List<String> missing = new ArrayList<>();
            for (String name : declared) {
                if (!names.contains(name)) {
                    missing.add(name);
                }
            }
            if (!names.contains(subject)) {
                missing.add(subject);
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(
                        type.getName() + " has no components " + missing + "; its components are " + names);
            }
            if (declared.isEmpty()) {
                throw new IllegalArgumentException(
                        "name the components of " + type.getName() + " that hold personal data; none were given");
            }
            if (declared.contains(subject)) {
                throw new IllegalArgumentException("component " + subject + " of " + type.getName()
                        + " cannot be both the subject and personal data; the subject id is stored in the clear");
            }
            personalData.put(type, new PersonalDataDeclaration(subject, Set.copyOf(declared)));
            return this;
        }

        /** Registers a class under a name, at schema version 1. */
        public Builder register(Class<?> type, String name) {
            return register(type, name, 1);
        }

        /**
         * Registers a class under a name at its current schema version.
         *
         * @throws IllegalArgumentException if the name or class is taken, or the version is below 1
         */
        public Builder register(Class<?> type, String name, int schemaVersion) {
            if (name.isBlank()) {
                throw new IllegalArgumentException("the event type name of " + type.getName() + " is blank");
            }
            if (schemaVersion < 1) {
                throw new IllegalArgumentException(
                        "the schema version of " + name + " must be 1 or more, got " + schemaVersion);
            }
            Registration registration = new Registration(type, name, schemaVersion);
            Registration byType = byClass.get(type);
            if (byType != null && !byType.equals(registration)) {
                throw new IllegalArgumentException("class " + type.getName() + " is registered twice: as "
                        + byType.name() + " v" + byType.schemaVersion() + " and as " + name + " v" + schemaVersion);
            }
            Registration named = byName.get(name);
            if ((named != null && named.type() != type) || canonicalNames.containsKey(name)) {
                throw new IllegalArgumentException("event type name " + name + " is used twice: by "
                        + (named != null ? named.type().getName() : "an alias of " + canonicalNames.get(name))
                        + " and by " + type.getName());
            }
            byClass.put(type, registration);
            byName.put(name, registration);
            return this;
        }

        /**
         * Registers every record permitted by a sealed interface (recursively through sealed
         * sub-interfaces), named by {@link EventType} or else by the simple class name.
         *
         * @throws IllegalArgumentException if the type is not sealed
         */
        public Builder registerSealed(Class<?> sealedType) {
            if (!sealedType.isSealed()) {
                throw new IllegalArgumentException(
                        sealedType.getName() + " is not sealed; register its event classes one by one");
            }
            for (Class<?> permitted : sealedType.getPermittedSubclasses()) {
                if (permitted.isSealed()) {
                    registerSealed(permitted);
                } else {
                    registerAnnotated(permitted);
                }
            }
            return this;
        }

        /** Registers a class by its {@link EventType} annotation, or by its simple name at version 1. */
        public Builder registerAnnotated(Class<?> type) {
            EventType annotation = type.getAnnotation(EventType.class);
            if (annotation == null) {
                return register(type, type.getSimpleName(), 1);
            }
            register(type, annotation.value(), annotation.version());
            for (String alias : annotation.aliases()) {
                alias(alias, type);
            }
            return this;
        }

        /**
         * Makes an older type name read as a registered class.
         *
         * @throws IllegalArgumentException if the class is not registered yet or the name is taken
         */
        public Builder alias(String oldName, Class<?> type) {
            Registration registration = byClass.get(type);
            if (registration == null) {
                throw new IllegalArgumentException(
                        "register " + type.getName() + " before giving it the alias " + oldName);
            }
            if (byName.containsKey(oldName) || canonicalNames.containsKey(oldName)) {
                throw new IllegalArgumentException(
                        "alias " + oldName + " of " + type.getName() + " is already a type name or an alias");
            }
            canonicalNames.put(oldName, registration.name());
            return this;
        }

        /**
         * Adds an upcaster for events stored as {@code type} at {@code fromVersion}.
         *
         * @throws IllegalArgumentException if that step already has one
         */
        public Builder upcaster(String type, int fromVersion, Upcaster upcaster) {
            if (upcasters.putIfAbsent(new Step(type, fromVersion), upcaster) != null) {
                throw new IllegalArgumentException(
                        "there is already an upcaster for " + type + " version " + fromVersion);
            }
            return this;
        }

        /**
         * Adds a one-to-one upcaster that edits the data of {@code type} from {@code fromVersion} to {@code
         * fromVersion + 1} (rename, add or remove fields).
         */
        public Builder upcastData(
                String type, int fromVersion, UnaryOperator<com.fasterxml.jackson.databind.node.ObjectNode> edit) {
            return upcaster(
                    type, fromVersion, old -> List.of(new StoredForm(type, fromVersion + 1, edit.apply(old.data()))));
        }

        /** Adds an upcaster that drops every event of {@code type} stored at {@code fromVersion}. */
        public Builder drop(String type, int fromVersion) {
            return upcaster(type, fromVersion, old -> List.of());
        }

        /** The registry. */
        public EventTypes build() {
            return new EventTypes(this);
        }
    }
}
