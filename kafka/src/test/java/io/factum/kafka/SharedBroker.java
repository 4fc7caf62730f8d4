package io.factum.kafka;

import java.io.IOException;

/**
 * One broker for all the test classes of a JVM that need no broker of their own: started by the first that
 * asks, killed when the JVM ends. Each test uses topics and group names of its own.
 */
public final class SharedBroker {

    private static KafkaTestBroker broker;

    private SharedBroker() {}

    /** The broker, started on first use. */
    public static synchronized KafkaTestBroker get() {
        if (broker == null) {
            try {
                broker = KafkaTestBroker.start(KafkaTestBroker.temporaryDirectory());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return broker;
    }
}
