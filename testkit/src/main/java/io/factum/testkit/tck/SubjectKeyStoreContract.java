package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventStore;
import io.factum.core.gdpr.SubjectForgottenException;
import io.factum.core.gdpr.SubjectKeyStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The subject key store that belongs to a store, for crypto-shredding: one AES-256 key per subject, created
 * once (racing creators all get the same key), deleted for good by forget, after which no new key is
 * created.
 */
public abstract class SubjectKeyStoreContract extends TckSupport {

    /** The subject key store that belongs to {@code store}, a store from {@link #fixture()}. */
    protected abstract SubjectKeyStore subjectKeys(EventStore store);

    /** The same key: same algorithm and bytes (a store may return a new object for a key it read). */
    static void assertSameKey(SecretKey actual, SecretKey expected) {
        assertThat(actual.getAlgorithm()).isEqualTo("AES");
        assertThat(actual.getEncoded()).isEqualTo(expected.getEncoded());
    }

    @Nested
    class Creating {

        @Test
        void a_subject_has_no_key_until_one_is_asked_for() {
            assertThat(subjectKeys(store).key("customer-1")).isEmpty();
            assertThat(subjectKeys(store).forgotten("customer-1")).isFalse();
        }

        @Test
        void a_key_is_created_once_and_returned_again() {
            SecretKey created = subjectKeys(store).keyFor("customer-1");

            assertThat(created.getAlgorithm()).isEqualTo("AES");
            assertThat(created.getEncoded()).hasSize(32);
            assertSameKey(subjectKeys(store).keyFor("customer-1"), created);
            assertSameKey(subjectKeys(store).key("customer-1").orElseThrow(), created);
        }

        @Test
        void subjects_get_keys_of_their_own() {
            SecretKey first = subjectKeys(store).keyFor("customer-1");
            SecretKey second = subjectKeys(store).keyFor("customer-2");

            assertThat(first.getEncoded()).isNotEqualTo(second.getEncoded());
            assertThat(subjectKeys(store).key("customer-3")).isEmpty();
        }

        @Test
        void subject_ids_keep_every_character() {
            String id = "kunde-Größe ☃ 𝄞 " + "x".repeat(180);

            SecretKey created = subjectKeys(store).keyFor(id);

            assertSameKey(subjectKeys(store).key(id).orElseThrow(), created);
            assertThat(subjectKeys(store).key(id.toUpperCase(java.util.Locale.ROOT)))
                    .isEmpty();
        }

        @Test
        void racing_creators_all_get_the_same_key() throws Exception {
            SubjectKeyStore keys = subjectKeys(store);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                for (int round = 0; round < 10; round++) {
                    String subject = "racer-" + round;
                    CountDownLatch start = new CountDownLatch(1);
                    List<Future<SecretKey>> racers = new ArrayList<>();
                    for (int racer = 0; racer < 8; racer++) {
                        racers.add(pool.submit(() -> {
                            start.await();
                            return keys.keyFor(subject);
                        }));
                    }
                    start.countDown();
                    Set<String> distinct = new HashSet<>();
                    for (Future<SecretKey> racer : racers) {
                        distinct.add(java.util.HexFormat.of()
                                .formatHex(racer.get(30, TimeUnit.SECONDS).getEncoded()));
                    }
                    assertThat(distinct).as("keys of %s", subject).hasSize(1);
                    assertThat(java.util.HexFormat.of()
                                    .formatHex(keys.key(subject).orElseThrow().getEncoded()))
                            .isEqualTo(distinct.iterator().next());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Nested
    class Forgetting {

        @Test
        void forget_deletes_the_key_and_a_new_one_is_refused() {
            subjectKeys(store).keyFor("customer-1");
            subjectKeys(store).keyFor("customer-2");

            assertThat(subjectKeys(store).forget("customer-1")).isTrue();

            assertThat(subjectKeys(store).key("customer-1")).isEmpty();
            assertThat(subjectKeys(store).forgotten("customer-1")).isTrue();
            assertThatThrownBy(() -> subjectKeys(store).keyFor("customer-1"))
                    .isInstanceOfSatisfying(SubjectForgottenException.class, e -> assertThat(e.subjectId())
                            .isEqualTo("customer-1"))
                    .hasMessage("data subject customer-1 was forgotten: its key is deleted for good and no new one"
                            + " is created, so new personal data of this subject cannot be stored");
            assertThat(subjectKeys(store).key("customer-1")).isEmpty();
            assertThat(subjectKeys(store).key("customer-2")).isPresent();
            assertThat(subjectKeys(store).forgotten("customer-2")).isFalse();
        }

        @Test
        void forgetting_again_finds_no_key() {
            subjectKeys(store).keyFor("customer-1");
            subjectKeys(store).forget("customer-1");

            assertThat(subjectKeys(store).forget("customer-1")).isFalse();
            assertThat(subjectKeys(store).forgotten("customer-1")).isTrue();
        }

        @Test
        void an_unknown_subject_can_be_forgotten_and_gets_no_key_later() {
            assertThat(subjectKeys(store).forget("never-seen")).isFalse();

            assertThat(subjectKeys(store).forgotten("never-seen")).isTrue();
            assertThatThrownBy(() -> subjectKeys(store).keyFor("never-seen"))
                    .isInstanceOf(SubjectForgottenException.class);
            assertThat(subjectKeys(store).key("never-seen")).isEmpty();
        }
    }

    @Nested
    class Subject_ids {

        @Test
        void must_be_1_to_200_characters() {
            assertThatThrownBy(() -> subjectKeys(store).keyFor(""))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("subject id must be 1-200 characters, got 0");
            assertThatThrownBy(() -> subjectKeys(store).forget("x".repeat(201)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("subject id must be 1-200 characters, got 201");
            assertThat(subjectKeys(store).keyFor("x".repeat(200)).getEncoded()).hasSize(32);
        }
    }
}
