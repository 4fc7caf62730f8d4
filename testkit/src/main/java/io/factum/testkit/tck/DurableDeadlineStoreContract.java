package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.core.EventStore;
import io.factum.core.StoreOptions;
import io.factum.core.process.Deadline;
import io.factum.core.process.DeadlineStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a durable store's deadline store keeps across a restart. */
public abstract class DurableDeadlineStoreContract extends TckSupport {

    @Override
    protected abstract DurableStoreFixture fixture();

    /** The deadline store that belongs to {@code store}, a store from {@link #fixture()}. */
    protected abstract DeadlineStore deadlines(EventStore store);

    @Test
    void deadlines_survive_closing_and_reopening_the_store() {
        List<String> location = fixture().newLocation();
        EventStore first =
                track(fixture().open(location, StoreOptions.defaults().withClock(clock)));
        Deadline kept = DeadlineStoreContract.deadline("payments", "order-1", "payment-timeout", 10);
        Deadline cancelled = DeadlineStoreContract.deadline("payments", "order-2", "payment-timeout", 5);
        Deadline replaced = DeadlineStoreContract.deadline("payments", "order-3", "payment-timeout", 1);
        Deadline replacement = DeadlineStoreContract.deadline("payments", "order-3", "payment-timeout", 20);
        deadlines(first).schedule(kept);
        deadlines(first).schedule(cancelled);
        deadlines(first).schedule(replaced);
        deadlines(first).schedule(replacement);
        deadlines(first).cancel(cancelled.id());
        first.close();

        EventStore second =
                track(fixture().open(location, StoreOptions.defaults().withClock(clock)));

        DeadlineStoreContract.assertSameDeadlines(deadlines(second).pending("payments"), List.of(kept, replacement));
        assertThat(deadlines(second).nextDue()).hasValue(DeadlineStoreContract.at(10));
        assertThat(deadlines(second).cancel(kept.id())).isTrue();
    }
}
