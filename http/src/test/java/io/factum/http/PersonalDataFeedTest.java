package io.factum.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.gdpr.DataSubject;
import io.factum.core.gdpr.PersonalData;
import io.factum.core.gdpr.SubjectKeyStore;
import io.factum.core.serialization.EventMetadata;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Feeds of crypto-shredded events: personal values shown to readers while the key lives, erased after. */
class PersonalDataFeedTest {

    record Registered(
            @DataSubject String customerId, @PersonalData String name, String plan) {}

    private final EventStore store = EventStore.inMemory();
    private final SubjectKeyStore keys = SubjectKeyStore.inMemory();
    private final EventSerializer serializer = EventSerializer.of(EventTypes.builder()
                    .register(Registered.class, "Registered")
                    .build())
            .withPersonalData(keys);

    private Javalin start(boolean reveal) {
        FactumHttp.Builder builder = FactumHttp.builder(store)
                .security(HttpSecurity.builder().anonymous(Role.ADMIN).build());
        if (reveal) {
            builder.personalData(keys);
        }
        return builder.build().start("127.0.0.1", 0);
    }

    private final java.util.List<Javalin> apps = new java.util.ArrayList<>();

    @AfterEach
    void stop() {
        apps.forEach(Javalin::stop);
        store.close();
    }

    private String page(boolean reveal) throws Exception {
        Javalin app = start(reveal);
        apps.add(app);
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/streams/customer-7"))
                                .header("Accept", "application/json")
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @Test
    void readers_see_the_personal_value_while_the_key_lives_and_the_erased_marker_after_forget() throws Exception {
        store.append(
                "customer-7",
                ExpectedVersion.noStream(),
                serializer.serialize(
                        new Registered("7", "Ada Lovelace", "gold"),
                        UUID.randomUUID(),
                        EventMetadata.startingWith(UUID.randomUUID(), Instant.EPOCH)));

        assertThat(page(false)).doesNotContain("Ada Lovelace").contains("$enc").contains("gold");
        assertThat(page(true)).contains("\"name\":\"Ada Lovelace\"").doesNotContain("$enc");

        keys.forget("7");

        String erased = page(true);
        assertThat(erased)
                .contains("\"name\":\"[erased]\"")
                .contains("\"plan\":\"gold\"")
                .doesNotContain("Ada");
    }
}
