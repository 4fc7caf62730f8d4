package io.factum.testkit.aggregate;

import io.factum.core.EventQuery;
import io.factum.core.aggregate.DcbDecider;
import io.factum.core.aggregate.Decider;
import io.factum.core.aggregate.RuleViolation;
import io.factum.core.serialization.EventSerializer;
import io.factum.core.serialization.EventTypes;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The classic rule across streams: a course's capacity against its students' enrolments. */
final class Courses {

    sealed interface Event {
        String courseId();
    }

    record CourseDefined(String courseId, int capacity) implements Event {}

    record StudentEnrolled(String courseId, String studentId) implements Event {}

    record Enrol(String courseId, String studentId) {}

    record State(int capacity, Set<String> students) {
        static State initial() {
            return new State(0, Set.of());
        }

        State evolve(Event event) {
            return switch (event) {
                case CourseDefined defined -> new State(defined.capacity(), students);
                case StudentEnrolled enrolled -> {
                    Set<String> more = new HashSet<>(students);
                    more.add(enrolled.studentId());
                    yield new State(capacity, Set.copyOf(more));
                }
            };
        }
    }

    static List<Event> decide(Enrol enrol, State state) {
        if (state.capacity() == 0) {
            throw new RuleViolation("course-defined", "course " + enrol.courseId() + " is not defined");
        }
        if (state.students().contains(enrol.studentId())) {
            return List.of();
        }
        if (state.students().size() >= state.capacity()) {
            throw new RuleViolation(
                    "course-full", "course " + enrol.courseId() + " is full (" + state.capacity() + " students)");
        }
        return List.of(new StudentEnrolled(enrol.courseId(), enrol.studentId()));
    }

    static final DcbDecider<Enrol, Event, State> ENROLMENT = DcbDecider.of(
            Decider.of(State::initial, Courses::decide, State::evolve),
            enrol -> EventQuery.tags("course:" + enrol.courseId()),
            event -> switch (event) {
                case CourseDefined defined -> "course-" + defined.courseId();
                case StudentEnrolled enrolled -> "student-" + enrolled.studentId();
            },
            event -> switch (event) {
                case CourseDefined defined -> Set.of("course:" + defined.courseId());
                case StudentEnrolled enrolled ->
                    Set.of("course:" + enrolled.courseId(), "student:" + enrolled.studentId());
            });

    static final EventSerializer SERIALIZER =
            EventSerializer.of(EventTypes.builder().registerSealed(Event.class).build());

    private Courses() {}
}
