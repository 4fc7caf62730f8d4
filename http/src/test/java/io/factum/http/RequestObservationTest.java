package io.factum.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventStore;
import io.factum.core.observation.Observed;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.observation.transport.ReceiverContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Each request to Factum's routes is an observation, current while the route runs. */
class RequestObservationTest {

    private static final String KEY = "observation-test-key-0123456789";
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    @Test
    void an_append_over_http_is_a_child_of_its_request_whose_traceparent_a_tracer_can_read() throws Exception {
        // given: a tracing handler would read the caller's traceparent through the receiver context
        TestObservationRegistry observations = TestObservationRegistry.create();
        List<String> parentsSeen = new CopyOnWriteArrayList<>();
        observations.observationConfig().observationHandler(new ObservationHandler<ReceiverContext<Object>>() {
            @Override
            public void onStart(ReceiverContext<Object> context) {
                parentsSeen.add(context.getGetter().get(context.getCarrier(), "traceparent"));
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return context instanceof ReceiverContext;
            }
        });
        try (EventStore store = Observed.store(EventStore.inMemory(), observations, new SimpleMeterRegistry())) {
            var app = FactumHttp.builder(store)
                    .security(HttpSecurity.builder().apiKey(KEY, Role.ADMIN).build())
                    .observations(observations)
                    .build()
                    .start("127.0.0.1", 0);
            HttpResponse<String> response;
            try {
                // when
                response = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create("http://127.0.0.1:" + app.port() + "/streams/order-1"))
                                        .header("X-API-Key", KEY)
                                        .header("Content-Type", "application/json")
                                        .header("traceparent", TRACEPARENT)
                                        .POST(HttpRequest.BodyPublishers.ofString(AppendRoutesTest.events(
                                                AppendRoutesTest.event(UUID.randomUUID(), "OrderPlaced", "{}"))))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
            } finally {
                app.stop();
            }

            // then
            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
            assertThat(parentsSeen).containsExactly(TRACEPARENT);
            TestObservationRegistryAssert.assertThat(observations)
                    .hasObservationWithNameEqualTo(OpsRoutes.REQUESTS)
                    .that()
                    .hasContextualNameEqualTo("HTTP POST /streams/{id}")
                    .hasLowCardinalityKeyValue("method", "POST")
                    .hasLowCardinalityKeyValue("status", "201")
                    .hasBeenStopped();
            TestObservationRegistryAssert.assertThat(observations).hasHandledContextsThatSatisfy(contexts -> {
                Observation.Context request = contexts.stream()
                        .filter(c -> OpsRoutes.REQUESTS.equals(c.getName()))
                        .findFirst()
                        .orElseThrow();
                Observation.Context append = contexts.stream()
                        .filter(c -> Observed.APPENDS.equals(c.getName()))
                        .findFirst()
                        .orElseThrow();
                assertThat(append.getParentObservation()).isNotNull();
                assertThat(append.getParentObservation().getContextView()).isSameAs(request);
            });
        }
    }
}
