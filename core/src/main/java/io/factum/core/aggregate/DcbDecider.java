package io.factum.core.aggregate;

import io.factum.core.EventQuery;
import java.util.Collection;
import java.util.Objects;
import java.util.function.Function;

/**
 * A decision across streams, without an aggregate: the dynamic consistency boundary (DCB). The state a
 * command is decided on is folded from the events of a query the command names (say, every event tagged
 * with the email address it registers), not from one stream; the events decided go to the streams they
 * name, with the tags they name, appended on the condition that nothing matching the query came since the
 * state was read. A {@link DcbRepository} runs it.
 *
 * <pre>{@code
 * DcbDecider<RegisterCustomer, CustomerEvent, Boolean> uniqueEmail = DcbDecider.of(
 *         Decider.of(() -> false, Registration::decide, Registration::evolve),
 *         command -> EventQuery.tags("email:" + command.email()),
 *         event -> "customer-" + event.customerId(),
 *         event -> Set.of("email:" + event.email()));
 * }</pre>
 *
 * @param decider decides on the state folded from the query's events; those events are of the type the
 *     repository reads, so {@code evolve} sees every event that matches, whatever stream it is in
 * @param query the events the decision of a command depends on
 * @param stream the stream a decided event is appended to
 * @param tags the tags a decided event carries: at least those that the queries of other decisions that
 *     must see it ask for
 * @param <C> the commands
 * @param <E> the events
 * @param <S> the state
 */
public record DcbDecider<C, E, S>(
        Decider<C, E, S> decider,
        Function<? super C, EventQuery> query,
        Function<? super E, String> stream,
        Function<? super E, ? extends Collection<String>> tags) {

    public DcbDecider {
        Objects.requireNonNull(decider, "decider");
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(tags, "tags");
    }

    /** A decision across streams from a decider and the three functions that place it. */
    public static <C, E, S> DcbDecider<C, E, S> of(
            Decider<C, E, S> decider,
            Function<? super C, EventQuery> query,
            Function<? super E, String> stream,
            Function<? super E, ? extends Collection<String>> tags) {
        return new DcbDecider<>(decider, query, stream, tags);
    }
}
