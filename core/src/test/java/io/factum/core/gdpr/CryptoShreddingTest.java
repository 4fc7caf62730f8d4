package io.factum.core.gdpr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.core.EventData;
import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import io.factum.core.serialization.EventDeserializationException;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CryptoShreddingTest {

    private static final Instant NOW = Instant.parse("2026-03-01T10:15:30Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    sealed interface CustomerEvent {}

    record Registered(
            @DataSubject String customerId,
            @PersonalData String name,
            @PersonalData String email,
            @PersonalData int birthYear,
            @PersonalData Optional<String> phone,
            @PersonalData List<String> nicknames,
            String plan)
            implements CustomerEvent {}

    record PlanChanged(String customerId, String plan) implements CustomerEvent {}

    /** Version 2 of EmailChanged; version 1 called the field {@code mail}. */
    record EmailChanged(
            @DataSubject String customerId, @PersonalData String email) implements CustomerEvent {}

    record NoSubject(String customerId, @PersonalData String name) {}

    private static final Registered ADA = new Registered(
            "customer-1",
            "Ada Lovelace",
            "ada@example.org",
            1815,
            Optional.of("+44 20 7946 0000"),
            List.of("Enchantress of Numbers"),
            "gold");

    private static final EventTypes TYPES = EventTypes.builder()
            .register(Registered.class, "Registered")
            .register(PlanChanged.class, "PlanChanged")
            .register(EmailChanged.class, "EmailChanged", 2)
            .upcastData("EmailChanged", 1, data -> {
                data.set("email", data.remove("mail"));
                return data;
            })
            .build();

    private final SubjectKeyStore keys = SubjectKeyStore.inMemory();
    private final EventSerializer serializer = EventSerializer.of(TYPES).withPersonalData(keys);

    private EventData write(Object event) {
        return serializer.serialize(event, UUID.randomUUID(), EventMetadata.startingWith(UUID.randomUUID(), NOW));
    }

    private static RecordedEvent recorded(EventData data) {
        return recorded(data.type(), data.schemaVersion(), data.data());
    }

    private static RecordedEvent recorded(String type, int schemaVersion, String data) {
        return new RecordedEvent(
                UUID.randomUUID(), "customer-1", 0, Position.of(1), type, schemaVersion, data, "{}", NOW);
    }

    private CustomerEvent read(EventData data) {
        return read(recorded(data));
    }

    private CustomerEvent read(RecordedEvent recorded) {
        List<CustomerEvent> events = serializer.deserializeEvents(recorded, CustomerEvent.class);
        assertThat(events).hasSize(1);
        // both read paths agree
        assertThat(serializer.deserialize(recorded, CustomerEvent.class).get(0).event())
                .isEqualTo(events.get(0));
        return events.get(0);
    }

    private static ObjectNode tree(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    /** An event record without Factum's annotations: its personal data is declared to the registry. */
    record Moved(String customerId, String street, String city) {}

    @Nested
    class Declared_outside_the_event_class {

        private final EventSerializer declared = EventSerializer.of(EventTypes.builder()
                        .register(Moved.class, "Moved")
                        .personalData(Moved.class, "customerId", "street")
                        .build())
                .withPersonalData(keys);

        @Test
        void is_encrypted_like_annotated_data_and_erased_once_the_subject_is_forgotten() throws Exception {
            EventData stored = declared.serialize(
                    new Moved("customer-7", "1 Main St", "Leeds"),
                    UUID.randomUUID(),
                    EventMetadata.startingWith(UUID.randomUUID(), NOW));

            assertThat(stored.data()).doesNotContain("Main St").contains("\"city\":\"Leeds\"");
            assertThat(CryptoShredder.isEncrypted(tree(stored.data()).get("street")))
                    .isTrue();
            keys.forget("customer-7");
            assertThat(declared.deserializeEvents(recorded(stored), Moved.class))
                    .containsExactly(new Moved("customer-7", CryptoShredder.ERASED, "Leeds"));
        }

        @Test
        void must_name_components_the_record_has() {
            assertThatThrownBy(() -> EventTypes.builder().personalData(Moved.class, "customerId", "street", "zip"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(Moved.class.getName()
                            + " has no components [zip]; its components are [customerId, street, city]");
            assertThatThrownBy(() -> EventTypes.builder().personalData(Moved.class, "customerId", "customerId"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot be both the subject and personal data");
        }
    }

    @Nested
    class Writing {

        @Test
        void stores_no_personal_value_in_the_clear_and_reads_it_back() throws Exception {
            EventData stored = write(ADA);

            assertThat(stored.data())
                    .doesNotContain("Ada", "Lovelace", "ada@example.org", "1815", "7946", "Enchantress")
                    .contains("\"customerId\":\"customer-1\"", "\"plan\":\"gold\"");
            ObjectNode data = tree(stored.data());
            for (String field : List.of("name", "email", "birthYear", "phone", "nicknames")) {
                assertThat(CryptoShredder.isEncrypted(data.get(field)))
                        .as(field)
                        .isTrue();
                assertThat(data.get(field).get("$subject").asText()).isEqualTo("customer-1");
            }
            assertThat(read(stored)).isEqualTo(ADA);
        }

        @Test
        void every_value_gets_its_own_iv() throws Exception {
            ObjectNode first = tree(write(ADA).data());
            ObjectNode second = tree(write(ADA).data());

            assertThat(first.get("name")).isNotEqualTo(second.get("name"));
            assertThat(first.get("name").get("$enc"))
                    .isNotEqualTo(first.get("email").get("$enc"));
        }

        @Test
        void creates_one_key_per_subject_on_first_use() {
            assertThat(keys.key("customer-1")).isEmpty();

            write(ADA);
            var key = keys.key("customer-1").orElseThrow();
            write(ADA);

            assertThat(keys.key("customer-1")).hasValue(key);
            assertThat(key.getEncoded()).hasSize(32);
        }

        @Test
        void leaves_events_without_personal_data_as_a_plain_serializer_writes_them() {
            PlanChanged changed = new PlanChanged("customer-1", "silver");

            EventData stored = write(changed);

            assertThat(stored.data()).isEqualTo("{\"customerId\":\"customer-1\",\"plan\":\"silver\"}");
            assertThat(read(stored)).isEqualTo(changed);
            assertThat(keys.key("customer-1")).isEmpty();
        }

        @Test
        void keeps_a_null_personal_value_null() throws Exception {
            EmailChanged noEmail = new EmailChanged("customer-1", null);

            EventData stored = write(noEmail);

            assertThat(tree(stored.data()).get("email").isNull()).isTrue();
            assertThat(read(stored)).isEqualTo(noEmail);
        }

        @Test
        void refuses_personal_data_of_a_forgotten_subject() {
            keys.forget("customer-1");

            assertThatThrownBy(() -> write(ADA))
                    .isInstanceOfSatisfying(SubjectForgottenException.class, e -> assertThat(e.subjectId())
                            .isEqualTo("customer-1"))
                    .hasMessage("data subject customer-1 was forgotten: its key is deleted for good and no new one"
                            + " is created, so new personal data of this subject cannot be stored");
            assertThat(keys.key("customer-1")).isEmpty();
        }

        @Test
        void refuses_a_null_subject_id() {
            assertThatThrownBy(() -> write(new EmailChanged(null, "x@example.org")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("event " + EmailChanged.class.getName() + " carries personal data but its"
                            + " @DataSubject component customerId is null");
        }

        @Test
        void refuses_to_wire_a_record_with_personal_data_but_no_subject() {
            EventTypes types =
                    EventTypes.builder().register(NoSubject.class, "NoSubject").build();

            assertThatThrownBy(() -> EventSerializer.of(types).withPersonalData(keys))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("event class " + NoSubject.class.getName() + " has @PersonalData components [name]"
                            + " but no @DataSubject component naming whose data they are");
        }
    }

    @Nested
    class After_the_subject_is_forgotten {

        @Test
        void personal_fields_read_as_erased_and_the_rest_is_intact() {
            EventData stored = write(ADA);

            assertThat(keys.forget("customer-1")).isTrue();

            assertThat(read(stored))
                    .isEqualTo(new Registered(
                            "customer-1", "[erased]", "[erased]", 0, Optional.empty(), List.of(), "gold"));
            assertThat(keys.forgotten("customer-1")).isTrue();
        }

        @Test
        void other_subjects_still_read_in_full() {
            Registered grace = new Registered(
                    "customer-2", "Grace Hopper", "grace@example.org", 1906, Optional.empty(), List.of(), "gold");
            EventData ada = write(ADA);
            EventData graces = write(grace);

            keys.forget("customer-1");

            assertThat(((Registered) read(ada)).name()).isEqualTo("[erased]");
            assertThat(read(graces)).isEqualTo(grace);
        }

        @Test
        void a_serializer_without_personal_data_reads_the_encrypted_form_as_it_is() {
            EventData stored = write(new EmailChanged("customer-1", "ada@example.org"));

            assertThatThrownBy(() -> EventSerializer.of(TYPES).deserializeEvents(recorded(stored), CustomerEvent.class))
                    .isInstanceOf(EventDeserializationException.class)
                    .hasMessageStartingWith("cannot read event EmailChanged at version 0 of stream customer-1: its"
                            + " data does not fit EmailChanged");
        }
    }

    @Nested
    class Upcasting {

        @Test
        void moves_an_encrypted_field_like_any_other() {
            ObjectNode v1 = JSON.createObjectNode();
            v1.put("customerId", "customer-1");
            v1.set("mail", CryptoShredder.encrypt(JSON.valueToTree("ada@example.org"), "customer-1", keys));
            RecordedEvent old = recorded("EmailChanged", 1, v1.toString());

            assertThat(read(old)).isEqualTo(new EmailChanged("customer-1", "ada@example.org"));

            keys.forget("customer-1");
            assertThat(read(old)).isEqualTo(new EmailChanged("customer-1", "[erased]"));
        }
    }

    @Nested
    class Revealing_json {

        @Test
        void decrypts_every_encrypted_value() throws Exception {
            EventData stored = write(ADA);

            JsonNode revealed = tree(CryptoShredder.reveal(stored.data(), keys));

            assertThat(revealed)
                    .isEqualTo(tree("{\"customerId\":\"customer-1\",\"name\":\"Ada Lovelace\",\"email\":"
                            + "\"ada@example.org\",\"birthYear\":1815,\"phone\":\"+44 20 7946 0000\","
                            + "\"nicknames\":[\"Enchantress of Numbers\"],\"plan\":\"gold\"}"));
        }

        @Test
        void puts_the_erased_marker_where_the_key_is_gone_at_any_depth() throws Exception {
            ObjectNode feedEntry = JSON.createObjectNode();
            feedEntry.put("eventType", "Registered");
            feedEntry.set("data", tree(write(ADA).data()));
            feedEntry.putArray("more").add(CryptoShredder.encrypt(JSON.valueToTree(42), "customer-2", keys));
            keys.forget("customer-1");

            JsonNode revealed = tree(CryptoShredder.reveal(feedEntry.toString(), keys));

            assertThat(revealed.get("data"))
                    .isEqualTo(tree("{\"customerId\":\"customer-1\",\"name\":\"[erased]\",\"email\":\"[erased]\","
                            + "\"birthYear\":\"[erased]\",\"phone\":\"[erased]\",\"nicknames\":\"[erased]\","
                            + "\"plan\":\"gold\"}"));
            assertThat(revealed.get("more").get(0).asInt()).isEqualTo(42);
            assertThat(revealed.get("eventType").asText()).isEqualTo("Registered");
        }

        @Test
        void returns_json_without_encrypted_values_unchanged() {
            assertThat(CryptoShredder.reveal("{\"a\": 1}", keys)).isEqualTo("{\"a\": 1}");
        }
    }

    @Nested
    class Tampering {

        private String tampered(String data, String field) throws Exception {
            ObjectNode tree = tree(data);
            ObjectNode value = (ObjectNode) tree.get(field);
            byte[] bytes = Base64.getDecoder().decode(value.get("$enc").asText());
            bytes[bytes.length - 1] ^= 1;
            value.put("$enc", Base64.getEncoder().encodeToString(bytes));
            return tree.toString();
        }

        @Test
        void an_altered_ciphertext_fails_the_read_with_a_clear_error() throws Exception {
            EventData stored = write(ADA);
            RecordedEvent altered = recorded("Registered", 1, tampered(stored.data(), "email"));

            assertThatThrownBy(() -> serializer.deserializeEvents(altered, CustomerEvent.class))
                    .isInstanceOf(EventDeserializationException.class)
                    .hasMessage("cannot read event Registered at version 0 of stream customer-1: personal data of"
                            + " subject customer-1 cannot be decrypted: it was altered, or it was not encrypted with"
                            + " this subject's key")
                    .hasCauseInstanceOf(PersonalDataException.class);
            assertThatThrownBy(() -> CryptoShredder.reveal(altered.data(), keys))
                    .isInstanceOf(PersonalDataException.class)
                    .hasMessage("personal data of subject customer-1 cannot be decrypted: it was altered, or it was"
                            + " not encrypted with this subject's key");
        }

        @Test
        void a_value_moved_to_another_subject_fails() throws Exception {
            write(new EmailChanged("customer-2", "grace@example.org"));
            ObjectNode data = tree(
                    write(new EmailChanged("customer-1", "ada@example.org")).data());
            ((ObjectNode) data.get("email")).put("$subject", "customer-2");

            assertThatThrownBy(() -> read(recorded("EmailChanged", 2, data.toString())))
                    .isInstanceOf(EventDeserializationException.class)
                    .hasMessageEndingWith("personal data of subject customer-2 cannot be decrypted: it was altered,"
                            + " or it was not encrypted with this subject's key");
        }

        @Test
        void a_value_that_is_not_base64_fails() {
            ObjectNode bad = JSON.createObjectNode().put("$enc", "not base64!").put("$subject", "customer-1");
            keys.keyFor("customer-1");

            assertThatThrownBy(() -> CryptoShredder.decrypt(bad, keys))
                    .isInstanceOf(PersonalDataException.class)
                    .hasMessageStartingWith("personal data of subject customer-1 is not valid base64: ");
        }
    }

    @Nested
    class Keys {

        @Test
        void a_stored_key_of_the_wrong_length_is_refused() {
            assertThatThrownBy(() -> SubjectKeys.fromBytes(new byte[16]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a subject key must be 32 bytes (AES-256), got 16");
        }

        @Test
        void subject_ids_are_1_to_200_characters() {
            assertThatThrownBy(() -> keys.keyFor(""))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("subject id must be 1-200 characters, got 0");
            assertThatThrownBy(() -> keys.key("x".repeat(201)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("subject id must be 1-200 characters, got 201");
        }
    }
}
