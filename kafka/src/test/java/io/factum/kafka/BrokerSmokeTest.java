package io.factum.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BrokerSmokeTest {
    @Test
    void starts() throws Exception {
        long t = System.nanoTime();
        try (KafkaTestBroker broker = KafkaTestBroker.start(KafkaTestBroker.temporaryDirectory())) {
            System.out.println("started in " + (System.nanoTime() - t) / 1_000_000 + " ms");
            broker.createTopic(2, "a");
            assertThat(broker.topics()).contains("a");
            broker.stop();
            t = System.nanoTime();
            broker.start();
            System.out.println("restarted in " + (System.nanoTime() - t) / 1_000_000 + " ms");
            assertThat(broker.topics()).contains("a");
        }
    }
}
