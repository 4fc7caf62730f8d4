package io.factum.store.postgres;

import io.factum.core.StoreOptions;
import io.factum.core.subscription.ConsumerGroup;
import io.factum.core.subscription.RetryPolicy;
import java.time.Duration;

/**
 * A consumer-group member in a JVM of its own, for {@link PostgresConsumerGroupProcessesTest}: joins the
 * group on the parent's embedded server and runs until its standard input closes (or it is killed).
 * Arguments: the JDBC url, the schema, the member id.
 */
public final class PostgresGroupMemberChildMain {

    static final int BUCKETS = 12;
    static final Duration LEASE = Duration.ofSeconds(2);

    private PostgresGroupMemberChildMain() {}

    public static void main(String[] args) throws Exception {
        try (PgEventStore store = PostgresStoreFixture.open(args[0], args[1], StoreOptions.defaults());
                ConsumerGroup member = join(store, args[2], 1)) {
            System.out.println("joined " + member.member());
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the parent closes our standard input
            }
        }
    }

    static ConsumerGroup join(PgEventStore store, String member, long sleepMillisPerEvent) {
        return ConsumerGroup.builder("counters", member, store, store.checkpoints(), store.leases())
                .buckets(BUCKETS)
                .leaseTime(LEASE)
                .batchSize(50)
                .retry(new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(50)))
                .sqlProjection(new GroupCountingProjection(sleepMillisPerEvent))
                .start();
    }
}
