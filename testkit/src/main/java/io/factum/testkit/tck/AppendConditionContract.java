package io.factum.testkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.AllSlice;
import io.factum.core.AppendCondition;
import io.factum.core.AppendConditionFailedException;
import io.factum.core.AppendResult;
import io.factum.core.AppendResults;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventQuery;
import io.factum.core.ExpectedVersion;
import io.factum.core.InvalidQueryException;
import io.factum.core.InvalidTagException;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StreamAppend;
import io.factum.core.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The dynamic consistency boundary: tags on events, reads by {@link EventQuery}, and appends with an
 * {@link AppendCondition} that fail if an event matching the query was appended after the condition's
 * position, atomically under concurrency: racing appenders with overlapping conditions have exactly one
 * winner, every time.
 */
public abstract class AppendConditionContract extends TckSupport {

    /** The number of races of the racing tests; each race is a few appends. */
    protected int races() {
        return 1000;
    }

    private static EventData tagged(String type, String... tags) {
        return EventData.of(type, "{}").withTags(tags);
    }

    /** Every event matching the query, and the position to use in a condition on it. */
    private record Decision(List<RecordedEvent> events, Position position) {}

    private Decision readAll(EventQuery query) {
        List<RecordedEvent> events = new ArrayList<>();
        Position next = Position.START;
        while (true) {
            AllSlice slice = store.read(query, next, 5);
            events.addAll(slice.events());
            next = slice.next();
            if (slice.endOfLog()) {
                return new Decision(events, next);
            }
        }
    }

    @Nested
    class Tags_and_reads {

        @Test
        void tags_are_stored_and_read_back_everywhere() {
            String stream = newStream("course");
            EventData event = tagged("CourseDefined", "course:c1", "term:2026");
            store.append(stream, ExpectedVersion.noStream(), event);

            assertThat(readWhole(stream).get(0).tags()).containsExactly("course:c1", "term:2026");
            assertThat(readWholeLog(store, EventFilter.all()).get(0).tags()).containsExactly("course:c1", "term:2026");
            assertThat(store.readStream(stream, ReadDirection.BACKWARD, Long.MAX_VALUE, 1)
                            .events()
                            .get(0)
                            .tags())
                    .containsExactly("course:c1", "term:2026");
            assertThat(readWhole(stream).get(0).eventId()).isEqualTo(event.eventId());
        }

        @Test
        void a_read_by_query_returns_the_matching_events_in_order_across_streams() {
            String course = newStream("course");
            String s1 = newStream("student");
            String s2 = newStream("student");
            store.append(course, ExpectedVersion.noStream(), tagged("CourseDefined", "course:c1"));
            store.append(s1, ExpectedVersion.noStream(), tagged("StudentEnrolled", "course:c1", "student:s1"));
            store.append(s2, ExpectedVersion.noStream(), tagged("StudentEnrolled", "course:c2", "student:s2"));
            store.append(s2, ExpectedVersion.exactly(0), tagged("StudentEnrolled", "course:c1", "student:s2"));
            store.append(newStream("other"), ExpectedVersion.noStream(), events(3));

            assertThat(readAll(EventQuery.tags("course:c1")).events())
                    .extracting(RecordedEvent::streamId)
                    .containsExactly(course, s1, s2);
            assertThat(readAll(EventQuery.of(
                                    EventQuery.Item.types("StudentEnrolled").andTags("course:c1")))
                            .events())
                    .extracting(RecordedEvent::streamId)
                    .containsExactly(s1, s2);
            assertThat(readAll(EventQuery.tags("course:c1", "student:s2")).events())
                    .extracting(RecordedEvent::streamVersion)
                    .containsExactly(1L);
            assertThat(readAll(EventQuery.types("CourseDefined").or(EventQuery.tags("student:s2")))
                            .events())
                    .extracting(RecordedEvent::type)
                    .containsExactly("CourseDefined", "StudentEnrolled", "StudentEnrolled");
            assertThat(readAll(EventQuery.tags("course:c9")).events()).isEmpty();
        }

        @Test
        void a_read_returns_the_position_to_go_on_from() {
            String stream = newStream("course");
            store.append(stream, ExpectedVersion.noStream(), tagged("A", "t:1"), tagged("B", "t:1"));
            Decision first = readAll(EventQuery.tags("t:1"));
            assertThat(first.position()).isEqualTo(first.events().get(1).position());
            store.append(stream, ExpectedVersion.exactly(1), tagged("C", "t:1"));

            AllSlice after = store.read(EventQuery.tags("t:1"), first.position(), 10);
            assertThat(after.events()).extracting(RecordedEvent::type).containsExactly("C");
            assertThat(after.endOfLog()).isTrue();
            AllSlice nothing = store.read(EventQuery.tags("t:2"), Position.START, 10);
            assertThat(nothing.events()).isEmpty();
            assertThat(nothing.next()).as("nothing read: the position stays").isEqualTo(Position.START);
            assertThat(nothing.endOfLog()).isTrue();
        }
    }

    @Nested
    class Conditions {

        @Test
        void an_append_whose_query_matched_nothing_since_its_position_is_written() {
            store.append(newStream("course"), ExpectedVersion.noStream(), tagged("CourseDefined", "course:c1"));
            Decision decision = readAll(EventQuery.tags("course:c1"));

            AppendResult result = store.append(
                    newStream("student"),
                    ExpectedVersion.noStream(),
                    List.of(tagged("StudentEnrolled", "course:c1")),
                    AppendCondition.failIfEventsMatch(EventQuery.tags("course:c1"), decision.position()));

            assertThat(result.streamVersion()).isZero();
            assertThat(readAll(EventQuery.tags("course:c1")).events()).hasSize(2);
        }

        @Test
        void an_append_fails_and_writes_nothing_if_a_matching_event_came_after_its_position() {
            String course = newStream("course");
            EventQuery query = EventQuery.tags("course:c1");
            Position seen = readAll(query).position();
            AppendResult late =
                    store.append(course, ExpectedVersion.noStream(), tagged("CourseCapacityChanged", "course:c1"));
            Position head = store.headPosition();
            String student = newStream("student");

            assertThatThrownBy(() -> store.append(
                            student,
                            ExpectedVersion.noStream(),
                            List.of(tagged("StudentEnrolled", "course:c1")),
                            AppendCondition.failIfEventsMatch(query, seen)))
                    .isInstanceOfSatisfying(AppendConditionFailedException.class, e -> {
                        assertThat(e.streamId()).isEqualTo(student);
                        assertThat(e.query()).isEqualTo(query);
                        assertThat(e.after()).isEqualTo(seen);
                        assertThat(e.matchedPosition()).isEqualTo(late.position());
                        assertThat(e.matchedStreamId()).isEqualTo(course);
                        assertThat(e.matchedType()).isEqualTo("CourseCapacityChanged");
                    })
                    .hasMessage("append to stream " + student + ": the condition failed: CourseCapacityChanged"
                            + " of stream " + course + " at position " + late.position()
                            + " matches events of tags [course:c1] and was appended after " + seen
                            + "; nothing was written: read again from " + seen + ", decide again and retry");
            assertThat(store.headPosition()).as("nothing written").isEqualTo(head);
            assertThat(store.streamInfo(student)).isEmpty();
        }

        @Test
        void events_that_match_only_part_of_an_item_do_not_fail_it() {
            Position seen = store.headPosition();
            store.append(newStream("x"), ExpectedVersion.noStream(), tagged("StudentEnrolled", "course:c2"));
            store.append(newStream("x"), ExpectedVersion.noStream(), tagged("CourseDefined", "course:c1"));
            store.append(newStream("x"), ExpectedVersion.noStream(), tagged("StudentEnrolled", "student:s1"));

            EventQuery query =
                    EventQuery.of(EventQuery.Item.types("StudentEnrolled").andTags("course:c1", "student:s1"));
            assertThat(store.append(
                                    newStream("x"),
                                    ExpectedVersion.noStream(),
                                    List.of(tagged("StudentEnrolled", "course:c1", "student:s1")),
                                    AppendCondition.failIfEventsMatch(query, seen))
                            .streamVersion())
                    .isZero();
        }

        @Test
        void a_condition_on_types_only() {
            String type = "Registered" + UUID.randomUUID().toString().substring(0, 8);
            EventQuery query = EventQuery.types(type);
            Position seen = readAll(query).position();
            store.append(newStream("other"), ExpectedVersion.noStream(), events(2));
            store.append(
                    newStream("a"),
                    ExpectedVersion.noStream(),
                    List.of(EventData.of(type, "{}")),
                    AppendCondition.failIfEventsMatch(query, seen));

            assertThatThrownBy(() -> store.append(
                            newStream("b"),
                            ExpectedVersion.noStream(),
                            List.of(EventData.of(type, "{}")),
                            AppendCondition.failIfEventsMatch(query, seen)))
                    .isInstanceOf(AppendConditionFailedException.class);
            assertThat(readAll(query).events()).hasSize(1);
        }

        @Test
        void a_multi_stream_append_with_a_condition_is_all_or_nothing() {
            EventQuery query = EventQuery.tags("product:p1");
            Position seen = readAll(query).position();
            List<StreamAppend> reserve = List.of(
                    StreamAppend.to(newStream("order"), ExpectedVersion.noStream(), tagged("Reserved", "product:p1")),
                    StreamAppend.to(newStream("stock"), ExpectedVersion.noStream(), tagged("Taken", "product:p1")));
            AppendResults first = store.append(reserve, AppendCondition.failIfEventsMatch(query, seen));
            assertThat(first.results()).hasSize(2);
            Position head = store.headPosition();

            assertThatThrownBy(() -> store.append(
                            List.of(
                                    StreamAppend.to(
                                            newStream("order"),
                                            ExpectedVersion.noStream(),
                                            tagged("Reserved", "product:p1")),
                                    StreamAppend.to(
                                            newStream("stock"),
                                            ExpectedVersion.noStream(),
                                            tagged("Taken", "product:p1"))),
                            AppendCondition.failIfEventsMatch(query, seen)))
                    .isInstanceOf(AppendConditionFailedException.class);
            assertThat(store.headPosition()).isEqualTo(head);
        }

        @Test
        void an_idempotent_retry_with_a_condition_returns_the_original_result() {
            EventQuery query = EventQuery.tags("email:ada@example.com");
            Position seen = readAll(query).position();
            String stream = newStream("customer");
            List<EventData> registered = List.of(tagged("CustomerRegistered", "email:ada@example.com"));
            AppendCondition condition = AppendCondition.failIfEventsMatch(query, seen);
            AppendResult first = store.append(stream, ExpectedVersion.noStream(), registered, condition);
            Position head = store.headPosition();

            // its own events match the condition now: a retry must still be recognised as one
            assertThat(store.append(stream, ExpectedVersion.noStream(), registered, condition))
                    .isEqualTo(first);
            assertThat(store.headPosition()).isEqualTo(head);
        }

        @Test
        void a_position_past_the_head_lets_the_append_through() {
            store.append(newStream("x"), ExpectedVersion.noStream(), tagged("A", "t:late"));
            Position head = store.headPosition();
            assertThat(store.append(
                                    newStream("x"),
                                    ExpectedVersion.noStream(),
                                    List.of(tagged("A", "t:late")),
                                    AppendCondition.failIfEventsMatch(EventQuery.tags("t:late"), head))
                            .streamVersion())
                    .isZero();
        }
    }

    @Nested
    class Bad_input {

        @Test
        void tags_are_checked_with_a_message_that_says_what_was_found() {
            String stream = newStream("x");
            assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(), tagged("A", "")))
                    .isInstanceOf(InvalidTagException.class)
                    .hasMessageEndingWith("a tag must be 1-200 characters, got 0");
            assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(), tagged("A", "a\nb")))
                    .isInstanceOf(InvalidTagException.class)
                    .hasMessageEndingWith(
                            "a tag must not contain control characters, found U+000A at index 1 in" + " 'a\\u000Ab'");
            assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(), tagged("A", "x".repeat(201))))
                    .isInstanceOf(InvalidTagException.class)
                    .hasMessageStartingWith("stream " + stream + ", event 0 (")
                    .hasMessageEndingWith("a tag must be 1-200 characters, got 201");
            List<String> many = new ArrayList<>();
            for (int i = 0; i <= Tags.MAX_PER_EVENT; i++) {
                many.add("t:" + i);
            }
            assertThatThrownBy(() -> store.append(
                            stream,
                            ExpectedVersion.any(),
                            EventData.of("A", "{}").withTags(many)))
                    .isInstanceOf(InvalidTagException.class)
                    .hasMessageEndingWith("an event may carry at most 64 tags, got 65");
            assertThat(store.headPosition()).isEqualTo(Position.START);
        }

        @Test
        void a_query_needs_an_item_and_every_item_a_type_or_a_tag() {
            assertThatThrownBy(() -> new EventQuery(List.of()))
                    .isInstanceOf(InvalidQueryException.class)
                    .hasMessage("a query needs at least one item (types, tags or both), got none");
            assertThatThrownBy(() -> new EventQuery.Item(Set.of(), Set.of()))
                    .isInstanceOf(InvalidQueryException.class)
                    .hasMessage("a query item must name at least one event type or tag, got neither;"
                            + " Factum has no query of every event");
            assertThatThrownBy(() -> EventQuery.tags("bad\u0000tag")).isInstanceOf(InvalidTagException.class);
        }
    }

    @Nested
    class Races {

        /**
         * In each race, {@code racers} appenders read the same tag, then append an event with that tag to
         * streams of their own, on the condition that no event with it came after what they read; one more
         * appender with a tag of its own races beside them. Exactly one of the first wins; the last always
         * wins.
         */
        private void race(boolean typesOnly, int count) throws Exception {
            int racers = 3;
            ExecutorService pool = Executors.newFixedThreadPool(racers + 1);
            try {
                for (int race = 0; race < count; race++) {
                    String key = UUID.randomUUID().toString();
                    String type = typesOnly ? "Seat" + key : "SeatTaken";
                    EventQuery query = typesOnly ? EventQuery.types(type) : EventQuery.tags("seat:" + key);
                    EventQuery disjoint = EventQuery.tags("other:" + key);
                    CyclicBarrier start = new CyclicBarrier(racers + 1);
                    List<Future<Boolean>> outcomes = new ArrayList<>();
                    for (int r = 0; r <= racers; r++) {
                        boolean alone = r == racers;
                        String stream = "seat-" + key + "-" + r;
                        EventData event = alone
                                ? tagged("SeatTaken", "other:" + key)
                                : (typesOnly ? EventData.of(type, "{}") : tagged(type, "seat:" + key));
                        EventQuery mine = alone ? disjoint : query;
                        outcomes.add(pool.submit(() -> {
                            AllSlice read = store.read(mine, Position.START, 10);
                            start.await(30, TimeUnit.SECONDS);
                            try {
                                store.append(
                                        stream,
                                        ExpectedVersion.noStream(),
                                        List.of(event),
                                        AppendCondition.failIfEventsMatch(mine, read.next()));
                                return true;
                            } catch (AppendConditionFailedException lost) {
                                return false;
                            }
                        }));
                    }
                    int winners = 0;
                    for (int r = 0; r < racers; r++) {
                        winners += outcomes.get(r).get() ? 1 : 0;
                    }
                    assertThat(winners).as("winners of race %d", race).isEqualTo(1);
                    assertThat(outcomes.get(racers).get())
                            .as("the disjoint appender of race %d", race)
                            .isTrue();
                    assertThat(visible(query, 1)).as("events of race %d", race).hasSize(1);
                }
            } finally {
                pool.shutdownNow();
            }
        }

        /**
         * The events matching the query once at least {@code expected} are visible: a gap-free read shows a
         * committed event only when every older transaction of the database has ended (an autovacuum's
         * analyze, say), so it may lag a commit for a moment.
         */
        private List<RecordedEvent> visible(EventQuery query, int expected) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                List<RecordedEvent> events =
                        store.read(query, Position.START, 10).events();
                if (events.size() >= expected || System.nanoTime() > deadline) {
                    return events;
                }
                Thread.sleep(1);
            }
        }

        @Test
        void racing_appenders_with_overlapping_conditions_have_exactly_one_winner_every_time() throws Exception {
            race(false, races());
        }

        @Test
        void racing_appenders_with_conditions_on_types_only_have_exactly_one_winner() throws Exception {
            race(true, Math.max(1, races() / 10));
        }
    }
}
