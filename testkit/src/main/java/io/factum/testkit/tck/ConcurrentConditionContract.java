package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.AppendCondition;
import io.factum.core.AppendConditionFailedException;
import io.factum.core.EventData;
import io.factum.core.EventQuery;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.StreamAppend;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Append conditions on stores with concurrent write transactions: a condition is checked against an
 * append that another transaction has written but not committed yet (it waits for it, then fails), and
 * appends whose conditions and tags are disjoint do not wait for each other. Like {@link GapContract}, only
 * for stores that can hold a transaction open.
 */
public abstract class ConcurrentConditionContract extends TckSupport {

    /** A safety bound for an append that must not wait, so that a store that does wait fails instead of hanging. */
    private static final long BOUND_SECONDS = 60;

    /**
     * Starts a multi-stream or conditional append in its own transaction, writes its events and returns
     * without committing, holding whatever the store holds until commit.
     */
    protected abstract HeldAtomicAppend holdAppend(
            EventStore store, List<StreamAppend> appends, AppendCondition condition);

    private static EventData tagged(String type, String... tags) {
        return EventData.of(type, "{}").withTags(tags);
    }

    private static List<StreamAppend> one(String stream, EventData event) {
        return List.of(StreamAppend.to(stream, ExpectedVersion.noStream(), event));
    }

    private static void pause() throws InterruptedException {
        // lets the other append reach the store's wait; the outcome is asserted either way
        Thread.sleep(200);
    }

    @Test
    void a_condition_waits_for_a_late_committing_matching_append_and_then_fails() throws Exception {
        String tag = "seat:" + UUID.randomUUID();
        EventQuery query = EventQuery.tags(tag);
        HeldAtomicAppend held =
                holdAppend(store, one(newStream("late"), tagged("SeatTaken", tag)), AppendCondition.none());
        Position seen = store.read(query, Position.START, 10).next();
        assertThat(seen).as("the held append is not visible").isEqualTo(Position.START);

        CompletableFuture<?> racing = CompletableFuture.runAsync(() -> store.append(
                newStream("racing"),
                ExpectedVersion.noStream(),
                List.of(tagged("SeatTaken", tag)),
                AppendCondition.failIfEventsMatch(query, seen)));
        pause();
        held.commit();

        assertThatThrownBy(() -> racing.get(BOUND_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(AppendConditionFailedException.class);
        assertThat(store.read(query, Position.START, 10).events()).hasSize(1);
    }

    @Test
    void a_late_committing_conditional_append_beats_a_racing_one() throws Exception {
        String tag = "email:" + UUID.randomUUID();
        EventQuery query = EventQuery.tags(tag);
        AppendCondition condition = AppendCondition.failIfEventsMatch(query, Position.START);
        HeldAtomicAppend held = holdAppend(store, one(newStream("customer"), tagged("Registered", tag)), condition);

        CompletableFuture<?> racing = CompletableFuture.runAsync(() -> store.append(
                newStream("customer"), ExpectedVersion.noStream(), List.of(tagged("Registered", tag)), condition));
        pause();
        held.commit();

        assertThatThrownBy(() -> racing.get(BOUND_SECONDS, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(AppendConditionFailedException.class);
        assertThat(store.read(query, Position.START, 10).events()).hasSize(1);
    }

    @Test
    void a_write_of_a_tag_waits_for_a_condition_on_it_and_is_ordered_after_it() throws Exception {
        String tag = "seat:" + UUID.randomUUID();
        HeldAtomicAppend held = holdAppend(
                store,
                one(newStream("a"), tagged("SeatTaken", tag)),
                AppendCondition.failIfEventsMatch(EventQuery.tags(tag), Position.START));
        CompletableFuture<?> writer = CompletableFuture.runAsync(
                () -> store.append(newStream("b"), ExpectedVersion.noStream(), tagged("SeatViewed", tag)));
        pause();
        Position committed = held.commit().position();
        writer.get(BOUND_SECONDS, TimeUnit.SECONDS);

        List<io.factum.core.RecordedEvent> events =
                store.read(EventQuery.tags(tag), Position.START, 10).events();
        assertThat(events).extracting(io.factum.core.RecordedEvent::type).containsExactly("SeatTaken", "SeatViewed");
        assertThat(events.get(0).position()).isEqualTo(committed);
    }

    @Test
    void a_condition_on_types_only_waits_for_a_late_committing_untagged_append() throws Exception {
        String type = "Registered" + UUID.randomUUID().toString().substring(0, 8);
        EventQuery query = EventQuery.types(type);
        HeldAtomicAppend held =
                holdAppend(store, one(newStream("plain"), EventData.of(type, "{}")), AppendCondition.none());

        CompletableFuture<?> racing = CompletableFuture.runAsync(() -> store.append(
                newStream("racing"),
                ExpectedVersion.noStream(),
                List.of(EventData.of(type, "{}")),
                AppendCondition.failIfEventsMatch(query, Position.START)));
        pause();
        held.commit();

        assertThatThrownBy(() -> racing.get(BOUND_SECONDS, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(AppendConditionFailedException.class);
    }

    @Test
    void appends_with_disjoint_conditions_both_win_without_waiting_for_each_other() throws Exception {
        String a = "seat:" + UUID.randomUUID();
        String b = "seat:" + UUID.randomUUID();
        String shared = "hall:" + UUID.randomUUID();
        HeldAtomicAppend held = holdAppend(
                store,
                one(newStream("a"), tagged("SeatTaken", a, shared)),
                AppendCondition.failIfEventsMatch(EventQuery.tags(a), Position.START));

        // while the first holds its transaction open, the second commits
        CompletableFuture<?> other = CompletableFuture.runAsync(() -> store.append(
                newStream("b"),
                ExpectedVersion.noStream(),
                List.of(tagged("SeatTaken", b)),
                AppendCondition.failIfEventsMatch(EventQuery.tags(b), Position.START)));
        other.get(BOUND_SECONDS, TimeUnit.SECONDS);
        // appends that write a tag the held one writes (but does not check) do not wait either
        CompletableFuture<?> writer = CompletableFuture.runAsync(
                () -> store.append(newStream("c"), ExpectedVersion.noStream(), tagged("SeatViewed", shared)));
        writer.get(BOUND_SECONDS, TimeUnit.SECONDS);
        held.commit();

        assertThat(store.read(EventQuery.tags(a), Position.START, 10).events()).hasSize(1);
        assertThat(store.read(EventQuery.tags(shared), Position.START, 10).events())
                .hasSize(2);
        assertThat(store.read(EventQuery.tags(b), Position.START, 10).events()).hasSize(1);
    }
}
