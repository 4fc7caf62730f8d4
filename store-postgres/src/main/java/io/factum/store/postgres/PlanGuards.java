package io.factum.store.postgres;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Statements sent in the same round trip before a statement, so that its plan does not depend on the
 * tables' statistics or on PostgreSQL's choice between generic and custom plans.
 *
 * <p>The store's statements are prepared once per connection, and PostgreSQL plans a prepared statement
 * either afresh for each run (a custom plan) or once for all runs (a generic plan), choosing by comparing
 * estimated costs over the first runs. Two hazards follow. A plan made while a table was small (a store
 * created seconds ago, whose tables autovacuum analyzed at a few dozen rows) scans the whole table, and a
 * generic plan stays cached while the table grows to millions of rows, until the next analyze: a lookup of
 * one stream then reads every row, and a catch-up read sorts the whole log for each page. And for a
 * statement over arrays whose first runs had short arrays, PostgreSQL can settle on custom plans for good,
 * planning a statement of dozens of nodes on every run.
 *
 * <p>{@code set_config(..., true)} lasts until the end of the transaction, which for a statement in
 * autocommit is the implicit transaction of its round trip: the guard and the statement after it are sent
 * together and share it, and the pooled connection goes back as it was.
 */
final class PlanGuards {

    /**
     * For appends: sequential scans off, so a plan made now reads through the indexes, and generic plans
     * only, so a statement is planned once per connection (and again after an analyze of its tables), not
     * on every run.
     */
    static final String WRITE = "SELECT set_config('enable_seqscan', 'off', true),"
            + " set_config('plan_cache_mode', 'force_generic_plan', true)";

    /**
     * For reads: sequential scans off. Their statements take scalars, so generic and custom plans cost the
     * same and PostgreSQL keeps one generic plan anyway, except for filters of the global log by lists of
     * categories or types, whose custom plans may pick the better index for the list given.
     */
    static final String READ = "SELECT set_config('enable_seqscan', 'off', true)";

    /**
     * Undoes {@link #WRITE} for the rest of the transaction, before the SQL of inline projections runs in
     * it: their statements are planned as their author expects.
     */
    static final String UNDO = "SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL plan_cache_mode TO DEFAULT";

    private PlanGuards() {}

    /** The statement with a guard before it, for one round trip: read its rows with {@link #rows}. */
    static String guarded(String guard, String sql) {
        return guard + "; " + sql;
    }

    /** Runs a guarded statement and returns the rows of the statement after the guard. */
    static ResultSet rows(PreparedStatement statement) throws SQLException {
        statement.execute();
        statement.getResultSet().close();
        if (!statement.getMoreResults()) {
            throw new IllegalStateException("the guarded statement returned no rows");
        }
        return statement.getResultSet();
    }
}
