package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventStore;
import io.factum.core.StoreOptions;
import io.factum.core.gdpr.SubjectForgottenException;
import io.factum.core.gdpr.SubjectKeyStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;

/**
 * What a durable store's subject key store keeps across a restart, and that creators racing through two
 * store instances on the same database still end with one key.
 */
public abstract class DurableSubjectKeyStoreContract extends TckSupport {

    @Override
    protected abstract DurableStoreFixture fixture();

    /** The subject key store that belongs to {@code store}, a store from {@link #fixture()}. */
    protected abstract SubjectKeyStore subjectKeys(EventStore store);

    @Test
    void keys_and_forgotten_subjects_survive_closing_and_reopening_the_store() {
        List<String> location = fixture().newLocation();
        EventStore first =
                track(fixture().open(location, StoreOptions.defaults().withClock(clock)));
        SecretKey kept = subjectKeys(first).keyFor("customer-1");
        subjectKeys(first).keyFor("customer-2");
        subjectKeys(first).forget("customer-2");
        subjectKeys(first).forget("never-seen");
        first.close();

        EventStore second =
                track(fixture().open(location, StoreOptions.defaults().withClock(clock)));

        SubjectKeyStoreContract.assertSameKey(subjectKeys(second).keyFor("customer-1"), kept);
        assertThat(subjectKeys(second).key("customer-2")).isEmpty();
        assertThat(subjectKeys(second).forgotten("customer-2")).isTrue();
        assertThatThrownBy(() -> subjectKeys(second).keyFor("customer-2"))
                .isInstanceOf(SubjectForgottenException.class);
        assertThatThrownBy(() -> subjectKeys(second).keyFor("never-seen"))
                .isInstanceOf(SubjectForgottenException.class);
    }

    @Test
    void creators_racing_through_two_instances_on_one_database_get_the_same_key() throws Exception {
        List<String> location = fixture().newLocation();
        List<SubjectKeyStore> instances = List.of(
                subjectKeys(
                        track(fixture().open(location, StoreOptions.defaults().withClock(clock)))),
                subjectKeys(
                        track(fixture().open(location, StoreOptions.defaults().withClock(clock)))));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 5; round++) {
                String subject = "racer-" + round;
                CountDownLatch start = new CountDownLatch(1);
                List<Future<SecretKey>> racers = new ArrayList<>();
                for (int racer = 0; racer < 8; racer++) {
                    SubjectKeyStore keys = instances.get(racer % 2);
                    racers.add(pool.submit(() -> {
                        start.await();
                        return keys.keyFor(subject);
                    }));
                }
                start.countDown();
                Set<String> distinct = new HashSet<>();
                for (Future<SecretKey> racer : racers) {
                    distinct.add(HexFormat.of()
                            .formatHex(racer.get(30, TimeUnit.SECONDS).getEncoded()));
                }
                assertThat(distinct).as("keys of %s", subject).hasSize(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
