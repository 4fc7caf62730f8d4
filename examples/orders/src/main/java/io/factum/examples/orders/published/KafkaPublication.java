package io.factum.examples.orders.published;

import io.factum.core.EventFilter;
import io.factum.core.EventReader;
import io.factum.core.subscription.CheckpointStore;
import io.factum.kafka.KafkaRelay;
import io.factum.kafka.Traceparent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Publishes the ordering context's public events ({@link PublishedOrderEvent}, the stream {@link
 * PublishedOrderEvent#STREAM}) to the Kafka topic {@link #TOPIC}, through a {@link KafkaRelay}: the private
 * order events never leave the service, only the translations {@link Publication} wrote.
 */
public final class KafkaPublication {

    /** The topic other services consume the ordering context's public events from. */
    public static final String TOPIC = "ordering.public";

    /** The relay's name, also its checkpoint's. */
    public static final String NAME = "published_ordering_kafka";

    private KafkaPublication() {}

    /**
     * Creates {@link #TOPIC} if the cluster does not have it (3 partitions, the broker's replication factor),
     * then starts the relay.
     */
    public static KafkaRelay start(EventReader reader, CheckpointStore checkpoints, String bootstrapServers) {
        createTopicIfMissing(bootstrapServers);
        return KafkaRelay.builder(NAME, reader, checkpoints, bootstrapServers)
                .filter(EventFilter.categories("published"))
                .topic(TOPIC)
                .traceparent(Traceparent.fromMetadata("traceparent"))
                .start();
    }

    static void createTopicIfMissing(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) Duration.ofSeconds(30).toMillis()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Optional.of(3), Optional.empty())))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException(
                        "cannot create the Kafka topic " + TOPIC + " at " + bootstrapServers + ": " + e.getCause(), e);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(
                    "the Kafka cluster at " + bootstrapServers + " did not answer within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
