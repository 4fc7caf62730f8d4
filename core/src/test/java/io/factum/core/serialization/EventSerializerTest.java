package io.factum.core.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.core.EventData;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.RecordedEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class EventSerializerTest {

    private static final Instant NOW = Instant.parse("2026-03-01T10:15:30Z");

    /** The classes as an older release of the application had them. */
    static final class V1 {
        record FundsAdded(String account, long cents) {}

        record AddressChanged(String street, String city) {}

        record Pinged(String from) {}

        static final EventSerializer SERIALIZER = EventSerializer.of(EventTypes.builder()
                .register(FundsAdded.class, "FundsAdded")
                .register(AddressChanged.class, "AddressChanged")
                .register(Pinged.class, "Pinged")
                .build());
    }

    /** The classes of today. */
    sealed interface AccountEvent {}

    @EventType(value = "MoneyDeposited", version = 3, aliases = "FundsAdded")
    record MoneyDeposited(String account, BigDecimal amount, String currency) implements AccountEvent {}

    record StreetChanged(String street) implements AccountEvent {}

    record CityChanged(String city) implements AccountEvent {}

    record Opened(String owner, LocalDate on, Optional<String> referrer) implements AccountEvent {}

    static final EventTypes CURRENT = EventTypes.builder()
            .registerSealed(AccountEvent.class)
            // v1 -> v2: the field "cents" was renamed "amountCents"
            .upcastData("MoneyDeposited", 1, data -> {
                data.set("amountCents", data.remove("cents"));
                return data;
            })
            // v2 -> v3: amounts became decimals with a currency
            .upcastData("MoneyDeposited", 2, data -> {
                long cents = data.remove("amountCents").asLong();
                data.put("amount", BigDecimal.valueOf(cents, 2));
                data.put("currency", "EUR");
                return data;
            })
            // an address change became two events
            .upcaster(
                    "AddressChanged",
                    1,
                    old -> List.of(
                            new StoredForm("StreetChanged", 1, fields(old.data(), "street")),
                            new StoredForm("CityChanged", 1, fields(old.data(), "city"))))
            // pings meant nothing
            .drop("Pinged", 1)
            .build();

    private static ObjectNode fields(ObjectNode data, String field) {
        ObjectNode copy = data.objectNode();
        copy.set(field, data.get(field));
        return copy;
    }

    private final EventSerializer serializer = EventSerializer.of(CURRENT);
    private final EventStore store = EventStore.inMemory();

    private List<RecordedEvent> storeWithOldCode(Object... events) {
        String stream = "account-" + UUID.randomUUID();
        List<EventData> data = java.util.Arrays.stream(events)
                .map(e -> V1.SERIALIZER.serialize(
                        e, UUID.randomUUID(), EventMetadata.startingWith(UUID.randomUUID(), NOW)))
                .toList();
        store.append(stream, ExpectedVersion.noStream(), data);
        return store.streamEvents(stream).toList();
    }

    private List<AccountEvent> readWithNewCode(List<RecordedEvent> recorded) {
        return recorded.stream()
                .flatMap(r -> serializer.deserialize(r, AccountEvent.class).stream())
                .map(Envelope::event)
                .toList();
    }

    @Nested
    class Upcasting_events_stored_by_an_older_release {

        @Test
        void renames_and_converts_fields_through_a_chain_under_an_old_type_name() {
            List<RecordedEvent> stored = storeWithOldCode(new V1.FundsAdded("acc-1", 1250));

            assertThat(stored.get(0).type()).isEqualTo("FundsAdded");
            assertThat(readWithNewCode(stored))
                    .containsExactly(new MoneyDeposited("acc-1", new BigDecimal("12.50"), "EUR"));
        }

        @Test
        void splits_one_event_into_two_and_drops_another() {
            List<RecordedEvent> stored = storeWithOldCode(
                    new V1.Pinged("monitor"), new V1.AddressChanged("Main St 1", "Springfield"), new V1.Pinged("x"));

            assertThat(readWithNewCode(stored))
                    .containsExactly(new StreetChanged("Main St 1"), new CityChanged("Springfield"));
            List<Envelope<AccountEvent>> split = serializer.deserialize(stored.get(1), AccountEvent.class);
            assertThat(split).extracting(Envelope::type).containsExactly("StreetChanged", "CityChanged");
            assertThat(split).extracting(Envelope::streamVersion).containsOnly(1L);
        }

        @Test
        void current_events_round_trip_without_upcasting() {
            Opened opened = new Opened("ada", LocalDate.of(2026, 2, 28), Optional.of("bob"));
            EventData data =
                    serializer.serialize(opened, UUID.randomUUID(), EventMetadata.startingWith(UUID.randomUUID(), NOW));
            store.append("account-1", ExpectedVersion.noStream(), data);

            assertThat(data.type()).isEqualTo("Opened");
            assertThat(data.data()).isEqualTo("{\"owner\":\"ada\",\"on\":\"2026-02-28\",\"referrer\":\"bob\"}");
            assertThat(readWithNewCode(store.streamEvents("account-1").toList()))
                    .containsExactly(opened);
        }
    }

    @Nested
    class Metadata {

        @Test
        void round_trips_every_field_and_entry() {
            UUID command = UUID.randomUUID();
            EventMetadata metadata = EventMetadata.startingWith(UUID.randomUUID(), NOW)
                    .causedBy(command, NOW.plusSeconds(1))
                    .withUser("ada")
                    .withTenant("acme")
                    .with("ip", "10.0.0.1");
            store.append(
                    "account-2",
                    ExpectedVersion.any(),
                    serializer.serialize(new StreetChanged("x"), UUID.randomUUID(), metadata));

            Envelope<AccountEvent> read = serializer
                    .deserialize(store.streamEvents("account-2").toList().get(0), AccountEvent.class)
                    .get(0);

            assertThat(read.metadata()).isEqualTo(metadata);
            assertThat(read.metadata().causationId()).isEqualTo(command);
        }

        @Test
        void of_an_event_written_without_an_envelope_falls_back_to_its_own_id_and_time() {
            EventData raw = EventData.of("StreetChanged", "{\"street\":\"x\"}");
            store.append("account-3", ExpectedVersion.any(), raw);
            RecordedEvent recorded = store.streamEvents("account-3").toList().get(0);

            EventMetadata metadata = serializer.readMetadata(recorded);

            assertThat(metadata.correlationId()).isEqualTo(raw.eventId());
            assertThat(metadata.causationId()).isEqualTo(raw.eventId());
            assertThat(metadata.occurredAt()).isEqualTo(recorded.recordedAt());
        }

        @Test
        void entries_may_not_shadow_the_envelope() {
            assertThatThrownBy(() ->
                            EventMetadata.startingWith(UUID.randomUUID(), NOW).with("userId", "x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("metadata entry 'userId' clashes with a field of the envelope; use another key");
        }
    }

    @Nested
    class Errors_name_stream_version_and_type {

        private RecordedEvent stored(String type, int schemaVersion, String data) {
            store.append(
                    "account-9",
                    ExpectedVersion.any(),
                    new EventData(UUID.randomUUID(), type, schemaVersion, data, "{}"));
            List<RecordedEvent> all = store.streamEvents("account-9").toList();
            return all.get(all.size() - 1);
        }

        @Test
        void for_an_unknown_type() {
            RecordedEvent unknown = stored("Teleported", 1, "{}");
            assertThatThrownBy(() -> serializer.deserialize(unknown, AccountEvent.class))
                    .isInstanceOfSatisfying(EventDeserializationException.class, e -> {
                        assertThat(e.streamId()).isEqualTo("account-9");
                        assertThat(e.type()).isEqualTo("Teleported");
                    })
                    .hasMessage("cannot read event Teleported at version 0 of stream account-9: type Teleported is not"
                            + " registered (known: [CityChanged, MoneyDeposited, Opened, StreetChanged]); register it or"
                            + " an alias, or drop it with an upcaster");
        }

        @Test
        void for_a_schema_newer_than_the_code() {
            RecordedEvent future = stored("StreetChanged", 2, "{\"street\":\"x\"}");
            assertThatThrownBy(() -> serializer.deserialize(future, AccountEvent.class))
                    .isInstanceOf(EventDeserializationException.class)
                    .hasMessageEndingWith(": it is stored at schema version 2, newer than the code's 1"
                            + " (deploy the newer code to read it)");
        }

        @Test
        void for_an_old_schema_without_an_upcaster() {
            EventSerializer strict = EventSerializer.of(EventTypes.builder()
                    .register(StreetChanged.class, "StreetChanged", 2)
                    .build());
            RecordedEvent old = stored("StreetChanged", 1, "{\"street\":\"x\"}");
            assertThatThrownBy(() -> strict.deserialize(old, AccountEvent.class))
                    .isInstanceOf(EventDeserializationException.class)
                    .hasMessageEndingWith(": it is stored at schema version 1 and no upcaster brings it to 2");
        }

        @Test
        void for_data_that_does_not_fit_the_class() {
            RecordedEvent bad = stored("Opened", 1, "{\"owner\":\"ada\",\"on\":\"not a date\"}");
            assertThatThrownBy(() -> serializer.deserialize(bad, AccountEvent.class))
                    .isInstanceOf(EventDeserializationException.class)
                    .hasMessageContaining("at version 0 of stream account-9: its data does not fit Opened: ");
        }

        @Test
        void for_data_that_is_not_an_object() {
            RecordedEvent array = stored("StreetChanged", 1, "[1,2]");
            assertThatThrownBy(() -> serializer.deserialize(array, AccountEvent.class))
                    .isInstanceOf(EventDeserializationException.class)
                    .hasMessageEndingWith(": its data is not a JSON object but ARRAY");
        }
    }

    @Nested
    class The_registry {

        @Test
        void refuses_a_name_used_twice() {
            assertThatThrownBy(() -> EventTypes.builder()
                            .register(StreetChanged.class, "Changed")
                            .register(CityChanged.class, "Changed"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("event type name Changed is used twice");
        }

        @Test
        void refuses_to_serialize_an_unregistered_class() {
            assertThatThrownBy(() -> serializer.serialize(
                            "text", UUID.randomUUID(), EventMetadata.startingWith(UUID.randomUUID(), NOW)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("class java.lang.String is not a registered event type");
        }

        @Test
        void stops_upcasters_that_loop() {
            EventTypes looping = EventTypes.builder()
                    .register(StreetChanged.class, "StreetChanged", 2)
                    .upcaster("StreetChanged", 1, old -> List.of(old))
                    .build();
            assertThatThrownBy(() -> looping.upcast(new StoredForm(
                            "StreetChanged", 1, new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode())))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the upcasters of StreetChanged version 1 did not finish after 100 steps;"
                            + " an upcaster must raise the version or change the type");
        }

        @Test
        void needs_a_sealed_type_to_register_its_permitted_classes() {
            assertThatThrownBy(() -> EventTypes.builder().registerSealed(Object.class))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("java.lang.Object is not sealed; register its event classes one by one");
        }
    }
}
