package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventStore;
import io.factum.core.process.Deadline;
import io.factum.core.process.DeadlineStore;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The deadline store that belongs to a store: one deadline per id (scheduling again replaces it), due ones
 * earliest first, each cancelled once. Times are kept at least to the microsecond; payloads as JSON of the
 * same meaning.
 */
public abstract class DeadlineStoreContract extends TckSupport {

    /** The deadline store that belongs to {@code store}, a store from {@link #fixture()}. */
    protected abstract DeadlineStore deadlines(EventStore store);

    /** 2026-01-01T00:00:00Z plus {@code seconds}. */
    protected static Instant at(long seconds) {
        return Instant.parse("2026-01-01T00:00:00Z").plusSeconds(seconds);
    }

    /** The deadline {@code name} of instance {@code correlationId} of {@code owner}, due at {@link #at}. */
    protected static Deadline deadline(String owner, String correlationId, String name, long dueSeconds) {
        return new Deadline(
                Deadline.idOf(owner, correlationId, name),
                owner,
                correlationId,
                name,
                at(dueSeconds),
                "{\"reminder\":" + dueSeconds + "}");
    }

    /** Asserts two lists of deadlines are the same, payloads compared as JSON. */
    protected static void assertSameDeadlines(List<Deadline> actual, List<Deadline> expected) {
        assertThat(actual)
                .usingRecursiveFieldByFieldElementComparatorIgnoringFields("payload")
                .containsExactlyElementsOf(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertSameJson(actual.get(i).payload(), expected.get(i).payload());
        }
    }

    @Nested
    class Scheduling {

        @Test
        void a_scheduled_deadline_is_pending_with_every_field() {
            Deadline deadline = new Deadline(
                    UUID.randomUUID(),
                    "payments",
                    "order-42",
                    "payment-timeout",
                    Instant.parse("2026-01-02T03:04:05.123456Z"),
                    "{\"amount\": 12.5, \"note\": \"Größe ☃ 𝄞\"}");

            deadlines(store).schedule(deadline);

            assertSameDeadlines(deadlines(store).pending("payments"), List.of(deadline));
        }

        @Test
        void scheduling_the_same_id_again_replaces_the_time_and_payload() {
            deadlines(store).schedule(deadline("payments", "order-1", "payment-timeout", 60));
            Deadline later = deadline("payments", "order-1", "payment-timeout", 120);

            deadlines(store).schedule(later);

            assertSameDeadlines(deadlines(store).pending("payments"), List.of(later));
            assertThat(deadlines(store).nextDue()).hasValue(at(120));
        }
    }

    @Nested
    class Due {

        @Test
        void only_deadlines_due_at_or_before_now_earliest_first() {
            Deadline third = deadline("payments", "order-3", "payment-timeout", 30);
            Deadline first = deadline("shipping", "order-1", "pick-up", 10);
            Deadline second = deadline("payments", "order-2", "payment-timeout", 20);
            Deadline notYet = deadline("payments", "order-4", "payment-timeout", 31);
            for (Deadline each : List.of(third, notYet, first, second)) {
                deadlines(store).schedule(each);
            }

            assertSameDeadlines(deadlines(store).due(at(30), 10), List.of(first, second, third));
            assertSameDeadlines(deadlines(store).due(at(9), 10), List.of());
        }

        @Test
        void at_most_max_deadlines() {
            for (int i = 5; i >= 1; i--) {
                deadlines(store).schedule(deadline("payments", "order-" + i, "payment-timeout", i));
            }

            assertThat(deadlines(store).due(at(100), 2))
                    .extracting(Deadline::correlationId)
                    .containsExactly("order-1", "order-2");
        }

        @Test
        void nothing_is_due_in_an_empty_store() {
            assertThat(deadlines(store).due(at(1_000_000), 10)).isEmpty();
            assertThat(deadlines(store).nextDue()).isEmpty();
        }
    }

    @Nested
    class Cancelling {

        @Test
        void a_deadline_is_cancelled_once() {
            Deadline deadline = deadline("payments", "order-1", "payment-timeout", 10);
            Deadline other = deadline("payments", "order-2", "payment-timeout", 20);
            deadlines(store).schedule(deadline);
            deadlines(store).schedule(other);

            assertThat(deadlines(store).cancel(deadline.id())).isTrue();
            assertThat(deadlines(store).cancel(deadline.id())).isFalse();
            assertThat(deadlines(store).cancel(UUID.randomUUID())).isFalse();

            assertSameDeadlines(deadlines(store).due(at(100), 10), List.of(other));
        }
    }

    @Nested
    class Pending_and_next_due {

        @Test
        void pending_lists_the_deadlines_of_one_owner_earliest_first() {
            Deadline late = deadline("payments", "order-1", "payment-timeout", 50);
            Deadline early = deadline("payments", "order-2", "payment-reminder", 5);
            deadlines(store).schedule(late);
            deadlines(store).schedule(deadline("shipping", "order-1", "pick-up", 1));
            deadlines(store).schedule(early);

            assertSameDeadlines(deadlines(store).pending("payments"), List.of(early, late));
            assertThat(deadlines(store).pending("nobody")).isEmpty();
        }

        @Test
        void next_due_is_the_earliest_time() {
            deadlines(store).schedule(deadline("payments", "order-1", "payment-timeout", 50));
            Deadline earliest = deadline("shipping", "order-1", "pick-up", 7);
            deadlines(store).schedule(earliest);

            assertThat(deadlines(store).nextDue()).hasValue(at(7));
            deadlines(store).cancel(earliest.id());
            assertThat(deadlines(store).nextDue()).hasValue(at(50));
        }
    }
}
