package io.factum.store.postgres;

import io.factum.core.ExpectedVersion;

/**
 * The SQL of the append path, written so that no plan depends on the statistics of the tables or on
 * PostgreSQL's choice between a generic and a custom plan (see {@link PlanGuards} for the hazards). It is
 * built from two kinds of statements only:
 *
 * <ul>
 *   <li>statements of scalar parameters that read no table: a lone append of one event to a stream
 *       created or moved on with {@code INSERT ... ON CONFLICT} (PostgreSQL finds a conflicting row
 *       through the unique index itself, with no plan), its event inserted with {@code INSERT ... SELECT};
 *   <li>everything else (lookups by key, locks, arrays), always run after {@link PlanGuards#WRITE} in the
 *       same transaction: one generic plan per connection, made on the first run, reading through the
 *       indexes.
 * </ul>
 *
 * No statement joins a table with a list of values (a hash join can scan the table): rows of a batch are
 * locked by {@code LATERAL} lookups in the order of the batch's sorted stream ids, and moved on by {@code
 * INSERT ... ON CONFLICT DO UPDATE}.
 */
final class AppendSql {

    /**
     * The condition for writing events to a stream whose row {@code s} this transaction holds: the
     * transaction that last appended to it ({@code s.last_tx}) is this one or older.
     *
     * <p>The global log is ordered by transaction id, and a transaction takes its id at its first write,
     * which may come before it waits for a stream's row lock. So a transaction can take an older id than
     * the one holding the lock, write the stream's next versions after it, and have them ordered before
     * that one's in the global log. When the condition fails, nothing is written and the append runs
     * again in a fresh transaction, whose id is newer than every id taken before.
     */
    static final String ORDER = "(s.last_tx <= pg_current_xact_id())";

    private static final String EVENT_COLUMNS = "(stream_id, stream_version, category, bucket, event_id, type,"
            + " schema_version, data, metadata, recorded_at)";

    /** Single appends: [kind][0 = one event, 1 = several]. */
    private final String[][] single = new String[4][2];

    final String batch;
    final String lock;
    final String lookup;
    final String writeStreams;
    final String insertEvents;

    AppendSql(Tables tables) {
        String streams = tables.streams();
        String events = tables.events();
        String move = " SET last_version = s.last_version + ?, state = 'ACTIVE', last_tx = pg_current_xact_id()";
        String[] streamWrites = {
            // any: creates the stream or moves it on, unless tombstoned
            "INSERT INTO " + streams + " AS s (id, category, last_version, last_tx)"
                    + " VALUES (?, ?, ? - 1, pg_current_xact_id()) ON CONFLICT (id) DO UPDATE"
                    + " SET last_version = s.last_version + EXCLUDED.last_version + 1, state = 'ACTIVE',"
                    + " last_tx = EXCLUDED.last_tx WHERE s.state <> 'TOMBSTONED' AND " + ORDER,
            // no stream: creates the row; a row of any kind (even a soft-deleted stream's) goes the slow way
            "INSERT INTO " + streams + " AS s (id, category, last_version, last_tx)"
                    + " VALUES (?, ?, ? - 1, pg_current_xact_id()) ON CONFLICT (id) DO NOTHING",
            // stream exists
            "UPDATE " + streams + " AS s" + move + " WHERE s.id = ? AND s.state = 'ACTIVE' AND s.last_version >= 0 AND "
                    + ORDER,
            // exactly
            "UPDATE " + streams + " AS s" + move + " WHERE s.id = ? AND s.state = 'ACTIVE' AND s.last_version = ? AND "
                    + ORDER
        };
        for (int kind = 0; kind < 4; kind++) {
            String guard = kind >= 2 ? PlanGuards.WRITE + ";" : "";
            String stream = "WITH s AS (" + streamWrites[kind] + " RETURNING s.last_version)";
            single[kind][0] = guard + stream + " INSERT INTO " + events + " " + EVENT_COLUMNS
                    + " SELECT ?, s.last_version, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ? FROM s"
                    + " RETURNING stream_version, global_position, tx_id::text::bigint";
            single[kind][1] = PlanGuards.WRITE + ";" + stream + ", e AS (INSERT INTO " + events + " " + EVENT_COLUMNS
                    + " SELECT ?, s.last_version - ? + u.ord, ?, ?, u.e, u.t, u.sv, u.d::jsonb, u.m::jsonb, ?"
                    + " FROM s, unnest(?::uuid[], ?::text[], ?::int[], ?::text[], ?::text[])"
                    + " WITH ORDINALITY AS u(e, t, sv, d, m, ord) ORDER BY u.ord"
                    + " RETURNING global_position, tx_id::text::bigint AS tx)"
                    + " SELECT (SELECT last_version FROM s), max(global_position), min(tx) FROM e";
        }
        this.batch = PlanGuards.guarded(PlanGuards.WRITE, batch(streams, events));
        this.lock = PlanGuards.WRITE + "; SELECT r.id, c.last_version, c.state, c.newer FROM unnest(?::text[]) AS r(id)"
                + " JOIN LATERAL (SELECT s.last_version, s.state, NOT " + ORDER + " AS newer FROM " + streams
                + " s WHERE s.id = r.id FOR UPDATE) c ON true";
        this.lookup = PlanGuards.WRITE
                + "; SELECT u.id, e.stream_id, e.stream_version, e.tx_id::text::bigint, e.global_position,"
                + " e.type, e.data::text FROM unnest(?::uuid[]) AS u(id) JOIN LATERAL (SELECT stream_id,"
                + " stream_version, tx_id, global_position, type, data FROM " + events
                + " WHERE event_id = u.id) e ON true";
        // rows this transaction holds are moved on through the conflict; new rows are created only if no
        // other transaction created them meanwhile
        this.writeStreams = "WITH u AS (INSERT INTO " + streams + " AS s (id, category, last_version, last_tx)"
                + " SELECT u.*, pg_current_xact_id() FROM unnest(?::text[], ?::text[], ?::bigint[]) AS u"
                + " ON CONFLICT (id) DO UPDATE SET last_version = EXCLUDED.last_version, state = 'ACTIVE',"
                + " last_tx = EXCLUDED.last_tx RETURNING 1),"
                + " n AS (INSERT INTO " + streams + " (id, category, last_version, last_tx)"
                + " SELECT u.*, pg_current_xact_id() FROM unnest(?::text[], ?::text[], ?::bigint[]) AS u"
                + " ON CONFLICT (id) DO NOTHING RETURNING 1)"
                + " SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM n)";
        // an event's tags travel as one text, a line each (a tag has no control characters): unnest would
        // flatten an array of arrays
        this.insertEvents = "INSERT INTO " + events + " (stream_id, stream_version, category, bucket, event_id,"
                + " type, schema_version, data, metadata, recorded_at, tags)"
                + " SELECT u.s, u.v, u.c, u.b, u.e, u.t, u.sv, u.d::jsonb, u.m::jsonb, ?,"
                + " string_to_array(u.g, E'\\n')"
                + " FROM unnest(?::text[], ?::bigint[], ?::text[], ?::int[], ?::uuid[], ?::text[], ?::int[],"
                + " ?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS u(s, v, c, b, e, t, sv, d, m, g, o)"
                + " ORDER BY u.o"
                + " RETURNING event_id, global_position, tx_id::text::bigint";
    }

    /**
     * The statement of a lone append: moves the stream row on if the expected version holds (creates it for
     * {@code any} and {@code noStream}) and inserts the events only if it did. One row: the stream's new
     * last version, the position of the last event and the transaction id; none (one event) or nulls
     * (several) if nothing was written. With a {@link PlanGuards#WRITE} first for the kinds that look the row up and
     * for several events (arrays).
     */
    String single(ExpectedVersion expected, int events) {
        return single[kind(expected)][events == 1 ? 0 : 1];
    }

    /** Whether {@link #single} starts with the {@link PlanGuards#WRITE} (its first result is the guard's). */
    static boolean guarded(ExpectedVersion expected, int events) {
        return events > 1 || kind(expected) >= 2;
    }

    /** The kinds of expected version as the batch statement takes them. */
    static int kind(ExpectedVersion expected) {
        return switch (expected) {
            case ExpectedVersion.Any any -> 0;
            case ExpectedVersion.NoStream none -> 1;
            case ExpectedVersion.StreamExists some -> 2;
            case ExpectedVersion.Exactly exactly -> 3;
        };
    }

    /**
     * A batch of appends to distinct streams in one statement: locks the rows of the streams in the order
     * given (sorted ids), decides each append on its expected version (as {@code ExpectedVersions.holds}, a
     * tombstoned stream never), moves on the rows it holds and creates the missing ones (a plain insert: a
     * row another transaction created meanwhile fails the statement with a unique violation) and inserts
     * the events in order, each event carrying its stream's columns and its append's index ({@code x.i}).
     * The rows: one per append (its index, whether it holds, the stream's last version and state before,
     * whether the row was last written by a newer transaction), then one per event written (its stream,
     * position and transaction). No join but the lookups of the stream rows, and no aggregate over events.
     */
    private static String batch(String streams, String events) {
        String exists = "(c.state = 'ACTIVE' AND c.last_version >= 0)";
        return " WITH d AS (SELECT r.i, r.id, r.category, r.n, c.id IS NOT NULL AS existed,"
                + " coalesce(c.newer, false) AS newer, coalesce(c.last_version, -1) AS last,"
                + " coalesce(c.state, 'ACTIVE') AS state,"
                + " coalesce(c.state, 'ACTIVE') <> 'TOMBSTONED' AND CASE r.kind WHEN 0 THEN true"
                + " WHEN 1 THEN NOT coalesce(" + exists + ", false) WHEN 2 THEN coalesce(" + exists + ", false)"
                + " ELSE coalesce(" + exists + " AND c.last_version = r.expected, false) END AS ok"
                + " FROM unnest(?::text[], ?::text[], ?::int[], ?::int[], ?::bigint[])"
                + " WITH ORDINALITY AS r(id, category, n, kind, expected, i)"
                + " LEFT JOIN LATERAL (SELECT s.id, s.last_version, s.state, NOT " + ORDER + " AS newer FROM "
                + streams + " s WHERE s.id = r.id FOR UPDATE) c ON true),"
                // the last version before each append that writes, by index: null for the others
                + " w AS (SELECT array_agg(CASE WHEN d.ok AND NOT d.newer THEN d.last END ORDER BY d.i) AS last"
                + " FROM d),"
                + " u AS (INSERT INTO " + streams + " AS s (id, category, last_version, last_tx)"
                + " SELECT d.id, d.category, d.last + d.n, pg_current_xact_id() FROM d"
                + " WHERE d.ok AND d.existed AND NOT d.newer ON CONFLICT (id) DO UPDATE"
                + " SET last_version = EXCLUDED.last_version, state = 'ACTIVE', last_tx = EXCLUDED.last_tx),"
                + " n AS (INSERT INTO " + streams + " (id, category, last_version, last_tx)"
                + " SELECT d.id, d.category, d.last + d.n, pg_current_xact_id() FROM d WHERE d.ok AND NOT d.existed),"
                + " e AS (INSERT INTO " + events + " " + EVENT_COLUMNS
                + " SELECT x.s, (SELECT last FROM w)[x.i] + x.k, x.c, x.b, x.e, x.t, x.sv, x.d::jsonb, x.m::jsonb, ?"
                + " FROM unnest(?::int[], ?::int[], ?::text[], ?::text[], ?::int[], ?::uuid[], ?::text[], ?::int[],"
                + " ?::text[], ?::text[]) WITH ORDINALITY AS x(i, k, s, c, b, e, t, sv, d, m, o)"
                + " WHERE (SELECT last FROM w)[x.i] IS NOT NULL ORDER BY x.o"
                + " RETURNING stream_id, global_position, tx_id::text::bigint AS tx)"
                + " SELECT d.i, d.ok, d.last, d.state, d.newer, NULL::text, NULL::bigint, NULL::bigint FROM d"
                + " UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, e.stream_id, e.global_position, e.tx FROM e";
    }
}
