package io.factum.testkit.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.core.EventQuery;
import io.factum.core.EventStore;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.aggregate.ConflictRetry;
import io.factum.core.aggregate.DcbRepository;
import io.factum.core.aggregate.Outcome;
import io.factum.core.aggregate.RuleViolation;
import io.factum.core.serialization.EventMetadata;
import io.factum.testkit.aggregate.Courses.CourseDefined;
import io.factum.testkit.aggregate.Courses.Enrol;
import io.factum.testkit.aggregate.Courses.Event;
import io.factum.testkit.aggregate.Courses.StudentEnrolled;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DcbFixtureTest {

    static final DcbFixture<Enrol, Event, Courses.State> COURSES =
            DcbFixture.of(Courses.ENROLMENT, Courses.SERIALIZER, Event.class);

    @Nested
    class Scenarios {

        @Test
        void a_student_enrols_in_a_course_with_room() {
            COURSES.given(new CourseDefined("c1", 2), new StudentEnrolled("c1", "s1"))
                    .when(new Enrol("c1", "s2"))
                    .then(new StudentEnrolled("c1", "s2"));
        }

        @Test
        void a_full_course_refuses_the_next_student() {
            COURSES.given(new CourseDefined("c1", 1), new StudentEnrolled("c1", "s1"))
                    .when(new Enrol("c1", "s2"))
                    .thenRejected("course-full", "course c1 is full (1 students)");
        }

        @Test
        void enrolments_in_other_courses_do_not_count() {
            COURSES.given(new CourseDefined("c1", 1), new CourseDefined("c2", 1), new StudentEnrolled("c2", "s1"))
                    .when(new Enrol("c1", "s2"))
                    .then(new StudentEnrolled("c1", "s2"));
        }

        @Test
        void enrolling_again_changes_nothing() {
            COURSES.given(new CourseDefined("c1", 1), new StudentEnrolled("c1", "s1"))
                    .when(new Enrol("c1", "s1"))
                    .thenNothing();
        }

        @Test
        void a_wrong_expectation_fails_the_scenario_with_what_was_appended() {
            assertThatThrownBy(() -> COURSES.given(new CourseDefined("c1", 1))
                            .when(new Enrol("c1", "s1"))
                            .then(new StudentEnrolled("c1", "s9")))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("s9");
        }
    }

    @Nested
    class The_repository {

        private static EventMetadata command() {
            return EventMetadata.startingWith(UUID.randomUUID(), Instant.now());
        }

        @Test
        void many_students_racing_for_a_course_never_overfill_it() throws Exception {
            try (EventStore store = EventStore.inMemory()) {
                DcbRepository<Enrol, Event, Courses.State> courses =
                        DcbRepository.of(store, Courses.SERIALIZER, Courses.ENROLMENT, Event.class);
                store.append(
                        "course-c1",
                        ExpectedVersion.noStream(),
                        Courses.SERIALIZER
                                .serialize(new CourseDefined("c1", 5), UUID.randomUUID(), command())
                                .withTags("course:c1"));
                ExecutorService pool = Executors.newFixedThreadPool(8);
                List<Future<Boolean>> enrolments = new ArrayList<>();
                for (int s = 0; s < 40; s++) {
                    String student = "s" + s;
                    enrolments.add(pool.submit(() -> {
                        try {
                            courses.handle(new Enrol("c1", student), command(), new ConflictRetry(100));
                            return true;
                        } catch (RuleViolation full) {
                            return false;
                        }
                    }));
                }
                int enrolled = 0;
                for (Future<Boolean> each : enrolments) {
                    enrolled += each.get() ? 1 : 0;
                }
                pool.shutdown();
                assertThat(enrolled).isEqualTo(5);
                assertThat(courses.load(EventQuery.tags("course:c1")).state().students())
                        .hasSize(5);
            }
        }

        @Test
        void a_retried_command_returns_its_first_outcome_instead_of_deciding_on_its_own_events() {
            try (EventStore store = EventStore.inMemory()) {
                DcbRepository<Enrol, Event, Courses.State> courses =
                        DcbRepository.of(store, Courses.SERIALIZER, Courses.ENROLMENT, Event.class);
                store.append(
                        "course-c1",
                        ExpectedVersion.noStream(),
                        Courses.SERIALIZER
                                .serialize(new CourseDefined("c1", 1), UUID.randomUUID(), command())
                                .withTags("course:c1"));
                EventMetadata once = command();
                Outcome<Event> first = courses.handle(new Enrol("c1", "s1"), once, ConflictRetry.NONE);
                Position head = store.headPosition();

                Outcome<Event> again = courses.handle(new Enrol("c1", "s1"), once, ConflictRetry.NONE);

                assertThat(again.duplicate()).isTrue();
                assertThat(again.events()).isEqualTo(first.events());
                assertThat(again.position()).isEqualTo(first.position());
                assertThat(store.headPosition()).isEqualTo(head);
            }
        }
    }
}
