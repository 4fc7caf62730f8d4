package io.factum.store.postgres;

import io.factum.core.AppendResult;
import io.factum.core.EventData;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.StreamDeletedException;
import io.factum.core.StreamIds;
import io.factum.core.StreamState;
import io.factum.core.WrongExpectedVersionException;
import io.factum.core.spi.ExpectedVersions;
import io.factum.core.spi.Idempotency;
import io.factum.core.spi.StoredEventId;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * The append transaction: decides and writes a batch of appends inside the caller's open transaction,
 * each succeeding or failing on its own.
 *
 * <ol>
 *   <li>lock the rows of every stream of the batch at once ({@code SELECT ... FOR UPDATE}, in id order);
 *   <li>decide each append in memory, in order, with {@link ExpectedVersions} (appends to the same stream
 *       see the ones before them) and, for the ones whose check fails, {@link Idempotency} on their ids
 *       looked up in one query;
 *   <li>write the accepted appends: one statement for the stream rows, one multi-row insert of the
 *       events. Readers are woken after COMMIT ({@link Notifier#committed()}), not by the transaction.
 * </ol>
 *
 * In the optimistic mode ids are not looked up before the write: a retry whose version check passes
 * (expected {@code any}) hits the unique key on the event id instead. That, and a new stream created by
 * another process between the lock and the insert, throw {@link Contended}: the caller rolls back and
 * runs each append alone with {@code lookupFirst}, which decides like the in-memory store.
 */
final class Appends {

    /** The batch cannot be decided together; roll back and run its appends one by one. */
    static final class Contended extends Exception {
        private static final long serialVersionUID = 1;

        private final boolean reordered;

        Contended(String reason) {
            this(reason, false);
        }

        private Contended(String reason, boolean reordered) {
            super(reason, null, false, false);
            this.reordered = reordered;
        }

        /**
         * This transaction's id is older than that of the transaction that last appended to one of its
         * streams (it took its id before waiting for the stream's row lock): its events would be ordered
         * before that transaction's in the global log. A fresh transaction gets a newer id.
         */
        static Contended reordered(String streamId) {
            return new Contended(
                    "stream " + streamId + " was last appended to by a transaction newer than this one", true);
        }

        boolean reordered() {
            return reordered;
        }
    }

    /**
     * The outcome of one append of a batch: its result or the exception its caller gets, and whether the
     * transaction wrote its events (not so for a failure or an idempotent retry).
     */
    record Outcome(Optional<AppendResult> result, Optional<RuntimeException> failure, boolean written) {
        static Outcome ok(AppendResult result) {
            return new Outcome(Optional.of(result), Optional.empty(), true);
        }

        /** An idempotent retry: the original result, nothing written. */
        static Outcome retried(AppendResult result) {
            return new Outcome(Optional.of(result), Optional.empty(), false);
        }

        static Outcome failed(RuntimeException failure) {
            return new Outcome(Optional.empty(), Optional.of(failure), false);
        }
    }

    private static final class StreamRow {
        long lastVersion;
        StreamState state;
        final boolean inDatabase;
        /** Last appended to by a transaction newer than this one. */
        final boolean newerWriter;

        StreamRow(long lastVersion, StreamState state, boolean inDatabase, boolean newerWriter) {
            this.lastVersion = lastVersion;
            this.state = state;
            this.inDatabase = inDatabase;
            this.newerWriter = newerWriter;
        }
    }

    private record Accepted(int index, AppendRequest request, long firstVersion) {}

    private record Conflict(int index, AppendRequest request, long lastVersion, StreamState state) {}

    /**
     * The condition for writing events to a stream whose row {@code s} this transaction has locked: the
     * transaction that last appended to it ({@code s.last_tx}) is this one or older.
     *
     * <p>The global log is ordered by transaction id, and a transaction takes its id at its first write,
     * which may come before it waits for a stream's row lock (a plain UPDATE takes the id, then waits; a
     * batch takes it with its first row). So a transaction can take an older id than the one holding the
     * lock, write the stream's next versions after it, and have them ordered before that one's in the
     * global log. When the condition fails, nothing is written and the append runs again in a fresh
     * transaction, whose id is newer than every id taken before (the one recorded on the row included).
     */
    private static final String ORDER = "(s.last_tx <= pg_current_xact_id())";

    private final Tables tables;
    private final String lockSql;
    private final String lookupSql;
    private final String writeStreamsSql;
    private final String insertEventsSql;

    private final String batchSql;
    private final String singleAnySql;
    private final String singleNoStreamSql;
    private final String singleExactlySql;
    private final String singleExistsSql;

    Appends(Tables tables) {
        this.tables = tables;
        // Every write of a stream row records the appending transaction (last_tx) and requires the one
        // before to be older: see ORDER below.
        String upsert = "INSERT INTO " + tables.streams() + " AS s (id, category, last_version, last_tx)"
                + " VALUES (?, ?, ? - 1, pg_current_xact_id())"
                + " ON CONFLICT (id) DO UPDATE SET last_version = s.last_version + EXCLUDED.last_version + 1,"
                + " state = 'ACTIVE', last_tx = EXCLUDED.last_tx WHERE s.state <> 'TOMBSTONED' AND " + ORDER;
        String update = "UPDATE " + tables.streams() + " AS s SET last_version = s.last_version + ?, state = 'ACTIVE',"
                + " last_tx = pg_current_xact_id() WHERE s.id = ? AND s.state = 'ACTIVE' AND " + ORDER;
        this.batchSql = batch(tables);
        this.singleAnySql = single(tables, upsert);
        this.singleNoStreamSql = single(tables, upsert + " AND NOT (s.state = 'ACTIVE' AND s.last_version >= 0)");
        this.singleExactlySql = single(tables, update + " AND s.last_version = ?");
        this.singleExistsSql = single(tables, update + " AND s.last_version >= 0");
        this.lockSql = "SELECT id, last_version, state, NOT " + ORDER + " FROM " + tables.streams()
                + " s WHERE id = ANY(?) ORDER BY id FOR UPDATE";
        this.lookupSql = "SELECT event_id, stream_id, stream_version, tx_id::text::bigint, global_position FROM "
                + tables.events() + " WHERE event_id = ANY(?)";
        this.writeStreamsSql = "WITH updated AS (UPDATE " + tables.streams()
                + " s SET last_version = u.last_version, state = 'ACTIVE', last_tx = pg_current_xact_id()"
                + " FROM unnest(?::text[], ?::bigint[]) AS u(id, last_version) WHERE s.id = u.id RETURNING 1),"
                + " inserted AS (INSERT INTO " + tables.streams() + " (id, category, last_version, last_tx)"
                + " SELECT u.*, pg_current_xact_id() FROM unnest(?::text[], ?::text[], ?::bigint[]) AS u"
                + " ON CONFLICT (id) DO NOTHING RETURNING 1)"
                + " SELECT (SELECT count(*) FROM updated), (SELECT count(*) FROM inserted)";
        this.insertEventsSql = "INSERT INTO " + tables.events()
                + " (stream_id, stream_version, category, bucket, event_id, type, schema_version, data, metadata,"
                + " recorded_at)"
                + " SELECT u.s, u.v, u.c, u.b, u.e, u.t, u.sv, u.d::jsonb, u.m::jsonb, ?"
                + " FROM unnest(?::text[], ?::bigint[], ?::text[], ?::int[], ?::uuid[], ?::text[], ?::int[],"
                + " ?::text[], ?::text[]) AS u(s, v, c, b, e, t, sv, d, m)"
                + " RETURNING event_id, global_position, tx_id::text::bigint";
    }

    /**
     * A batch of appends to distinct streams in one statement: locks the rows of the streams in id order,
     * decides each append on its expected version (as {@link ExpectedVersions#holds}, a tombstoned stream
     * never), moves on or creates the rows of those that hold and inserts their events in order. Returns
     * one row per append: its index, whether it holds, whether its stream row was written (a new stream
     * created meanwhile by another transaction is not), the stream's last version and state before, and
     * the position of its last event.
     */
    private static String batch(Tables tables) {
        String exists = "coalesce(c.state = 'ACTIVE' AND c.last_version >= 0, false)";
        return "WITH r AS (SELECT * FROM unnest(?::text[], ?::text[], ?::int[], ?::int[], ?::int[], ?::bigint[])"
                + " WITH ORDINALITY AS r(id, category, bucket, n, kind, expected, i)),"
                + " c AS (SELECT s.id, s.last_version, s.state, NOT " + ORDER + " AS newer FROM " + tables.streams()
                + " s WHERE s.id = ANY(?::text[]) ORDER BY s.id FOR UPDATE),"
                + " d AS (SELECT r.i, r.id, r.category, r.bucket, r.n, c.id IS NOT NULL AS existed,"
                + " coalesce(c.newer, false) AS newer,"
                + " coalesce(c.last_version, -1) AS last, coalesce(c.state, 'ACTIVE') AS state,"
                + " coalesce(c.state, 'ACTIVE') <> 'TOMBSTONED' AND CASE r.kind WHEN 0 THEN true"
                + " WHEN 1 THEN NOT " + exists + " WHEN 2 THEN " + exists
                + " ELSE " + exists + " AND c.last_version = r.expected END AS ok"
                + " FROM r LEFT JOIN c ON c.id = r.id),"
                + " u AS (UPDATE " + tables.streams() + " s SET last_version = d.last + d.n, state = 'ACTIVE',"
                + " last_tx = pg_current_xact_id() FROM d"
                + " WHERE d.ok AND d.existed AND NOT d.newer AND s.id = d.id AND s.last_version = d.last RETURNING s.id),"
                + " n AS (INSERT INTO " + tables.streams() + " (id, category, last_version, last_tx)"
                + " SELECT d.id, d.category, d.last + d.n, pg_current_xact_id() FROM d WHERE d.ok AND NOT d.existed"
                + " ON CONFLICT (id) DO NOTHING RETURNING id),"
                + " w AS (SELECT id FROM u UNION ALL SELECT id FROM n),"
                + " e AS (INSERT INTO " + tables.events()
                + " (stream_id, stream_version, category, bucket, event_id, type, schema_version, data, metadata,"
                + " recorded_at)"
                + " SELECT d.id, d.last + x.k, d.category, d.bucket, x.e, x.t, x.sv, x.d::jsonb, x.m::jsonb, ?"
                + " FROM unnest(?::int[], ?::int[], ?::uuid[], ?::text[], ?::int[], ?::text[], ?::text[])"
                + " WITH ORDINALITY AS x(i, k, e, t, sv, d, m, o)"
                + " JOIN d ON d.i = x.i JOIN w ON w.id = d.id ORDER BY x.o"
                + " RETURNING stream_id, global_position, tx_id::text::bigint AS tx)"
                + " SELECT d.i, d.ok, w.id IS NOT NULL, d.last, d.state, p.pos, p.tx, d.newer FROM d"
                + " LEFT JOIN w ON w.id = d.id LEFT JOIN (SELECT stream_id, max(global_position) AS pos,"
                + " min(tx) AS tx FROM e GROUP BY stream_id) p ON p.stream_id = d.id";
    }

    /**
     * One append in one statement: the stream row is created or moved on only if the expected version holds
     * (the predicate in {@code streamWrite}), and the events are inserted only if it was.
     */
    private static String single(Tables tables, String streamWrite) {
        return "WITH s AS (" + streamWrite + " RETURNING s.last_version)"
                + " INSERT INTO " + tables.events()
                + " (stream_id, stream_version, category, bucket, event_id, type, schema_version, data, metadata,"
                + " recorded_at)"
                + " SELECT ?, (SELECT last_version FROM s) - ? + u.ord, ?, ?, u.e, u.t, u.sv, u.d::jsonb, u.m::jsonb, ?"
                + " FROM unnest(?::uuid[], ?::text[], ?::int[], ?::text[], ?::text[])"
                + " WITH ORDINALITY AS u(e, t, sv, d, m, ord) WHERE EXISTS (SELECT 1 FROM s)"
                + " RETURNING event_id, global_position, tx_id::text::bigint, stream_version";
    }

    /**
     * The fast path of a batch of one append: one statement, no lookup. Nothing is written if the expected
     * version does not hold or the stream is tombstoned; then {@link Contended} sends the append to the
     * general path, which finds out why exactly. A reused event id fails on the unique key (23505).
     */
    AppendResult runSingle(Connection connection, AppendRequest request, Instant now) throws SQLException, Contended {
        List<EventData> events = request.events();
        int n = events.size();
        String streamId = request.streamId();
        String sql =
                switch (request.expected()) {
                    case ExpectedVersion.Any any -> singleAnySql;
                    case ExpectedVersion.NoStream none -> singleNoStreamSql;
                    case ExpectedVersion.Exactly exactly -> singleExactlySql;
                    case ExpectedVersion.StreamExists exists -> singleExistsSql;
                };
        UUID[] ids = new UUID[n];
        String[] types = new String[n];
        Integer[] schemaVersions = new Integer[n];
        String[] data = new String[n];
        String[] metadata = new String[n];
        for (int i = 0; i < n; i++) {
            EventData event = events.get(i);
            ids[i] = event.eventId();
            types[i] = event.type();
            schemaVersions[i] = event.schemaVersion();
            data[i] = event.data();
            metadata[i] = event.metadata();
        }
        String category = StreamIds.category(streamId);
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int p = 1;
            if (request.expected() instanceof ExpectedVersion.Any
                    || request.expected() instanceof ExpectedVersion.NoStream) {
                statement.setString(p++, streamId);
                statement.setString(p++, category);
                statement.setLong(p++, n);
            } else {
                statement.setLong(p++, n);
                statement.setString(p++, streamId);
                if (request.expected() instanceof ExpectedVersion.Exactly exactly) {
                    statement.setLong(p++, exactly.version());
                }
            }
            statement.setString(p++, streamId);
            statement.setLong(p++, n);
            statement.setString(p++, category);
            statement.setInt(p++, bucket(streamId));
            statement.setObject(p++, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            statement.setArray(p++, connection.createArrayOf("uuid", ids));
            statement.setArray(p++, connection.createArrayOf("text", types));
            statement.setArray(p++, connection.createArrayOf("int4", schemaVersions));
            statement.setArray(p++, connection.createArrayOf("text", data));
            statement.setArray(p, connection.createArrayOf("text", metadata));
            UUID last = ids[n - 1];
            AppendResult result = null;
            int rows = 0;
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows++;
                    if (last.equals(rs.getObject(1, UUID.class))) {
                        result = new AppendResult(streamId, rs.getLong(4), new Position(rs.getLong(3), rs.getLong(2)));
                    }
                }
            }
            if (result == null || rows != n) {
                throw new Contended("the expected version does not hold or the stream is tombstoned");
            }
            return result;
        }
    }

    /** The bucket of a stream, for consumer groups: CRC-32 of its UTF-8 id, as a non-negative int. */
    static int bucket(String streamId) {
        CRC32 crc = new CRC32();
        crc.update(streamId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() & 0x7fffffff);
    }

    /**
     * Runs a batch of several appends in the connection's open transaction, without committing: appends to
     * distinct streams in one statement ({@link #batch}), others by {@link #run}.
     *
     * @return one outcome per request, in order
     * @throws Contended if the batch must be rolled back and its appends run alone
     */
    List<Outcome> runBatch(Connection connection, List<AppendRequest> batch, Instant now)
            throws SQLException, Contended {
        int appendCount = batch.size();
        Set<String> streamIds = new HashSet<>(appendCount * 2);
        int count = 0;
        for (AppendRequest request : batch) {
            if (!streamIds.add(request.streamId())) {
                return run(connection, batch, false, now);
            }
            count += request.events().size();
        }
        String[] ids = new String[appendCount];
        String[] categories = new String[appendCount];
        Integer[] buckets = new Integer[appendCount];
        Integer[] sizes = new Integer[appendCount];
        Integer[] kinds = new Integer[appendCount];
        Long[] expected = new Long[appendCount];
        Integer[] index = new Integer[count];
        Integer[] ordinal = new Integer[count];
        UUID[] eventIds = new UUID[count];
        String[] types = new String[count];
        Integer[] schemaVersions = new Integer[count];
        String[] data = new String[count];
        String[] metadata = new String[count];
        Set<UUID> seen = new HashSet<>(count * 2);
        int e = 0;
        for (int a = 0; a < appendCount; a++) {
            AppendRequest request = batch.get(a);
            ids[a] = request.streamId();
            categories[a] = StreamIds.category(request.streamId());
            buckets[a] = bucket(request.streamId());
            sizes[a] = request.events().size();
            expected[a] = ExpectedVersion.NO_STREAM_VERSION;
            kinds[a] = switch (request.expected()) {
                case ExpectedVersion.Any any -> 0;
                case ExpectedVersion.NoStream none -> 1;
                case ExpectedVersion.StreamExists some -> 2;
                case ExpectedVersion.Exactly exactly -> {
                    expected[a] = exactly.version();
                    yield 3;
                }
            };
            int k = 1;
            for (EventData event : request.events()) {
                if (!seen.add(event.eventId())) {
                    throw new Contended("an event id appears twice in the batch");
                }
                index[e] = a + 1;
                ordinal[e] = k++;
                eventIds[e] = event.eventId();
                types[e] = event.type();
                schemaVersions[e] = event.schemaVersion();
                data[e] = event.data();
                metadata[e] = event.metadata();
                e++;
            }
        }
        Outcome[] outcomes = new Outcome[appendCount];
        List<Conflict> conflicts = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(batchSql)) {
            int p = 1;
            statement.setArray(p++, connection.createArrayOf("text", ids));
            statement.setArray(p++, connection.createArrayOf("text", categories));
            statement.setArray(p++, connection.createArrayOf("int4", buckets));
            statement.setArray(p++, connection.createArrayOf("int4", sizes));
            statement.setArray(p++, connection.createArrayOf("int4", kinds));
            statement.setArray(p++, connection.createArrayOf("int8", expected));
            statement.setArray(p++, connection.createArrayOf("text", ids));
            statement.setObject(p++, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            statement.setArray(p++, connection.createArrayOf("int4", index));
            statement.setArray(p++, connection.createArrayOf("int4", ordinal));
            statement.setArray(p++, connection.createArrayOf("uuid", eventIds));
            statement.setArray(p++, connection.createArrayOf("text", types));
            statement.setArray(p++, connection.createArrayOf("int4", schemaVersions));
            statement.setArray(p++, connection.createArrayOf("text", data));
            statement.setArray(p, connection.createArrayOf("text", metadata));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    int a = rs.getInt(1) - 1;
                    AppendRequest request = batch.get(a);
                    long last = rs.getLong(4);
                    StreamState state = StreamState.valueOf(rs.getString(5));
                    if (!rs.getBoolean(2)) {
                        if (state == StreamState.TOMBSTONED) {
                            outcomes[a] = Outcome.failed(new StreamDeletedException(request.streamId()));
                        } else {
                            conflicts.add(new Conflict(a, request, last, state));
                        }
                        continue;
                    }
                    if (rs.getBoolean(8)) {
                        throw Contended.reordered(request.streamId());
                    }
                    long position = rs.getLong(6);
                    if (!rs.getBoolean(3) || rs.wasNull()) {
                        throw new Contended("another transaction created or moved one of the batch's streams");
                    }
                    outcomes[a] = Outcome.ok(new AppendResult(
                            request.streamId(), last + request.events().size(), new Position(rs.getLong(7), position)));
                }
            }
        }
        resolveConflicts(connection, conflicts, outcomes);
        for (Outcome outcome : outcomes) {
            if (outcome == null) {
                throw new IllegalStateException("the batch statement returned no row for an append");
            }
        }
        return List.of(outcomes);
    }

    /**
     * Runs the batch in the connection's open transaction, without committing.
     *
     * @param lookupFirst look the ids up before deciding (a batch run alone after {@link Contended})
     * @return one outcome per request, in order
     * @throws Contended if the batch must be rolled back and its appends run alone
     */
    List<Outcome> run(Connection connection, List<AppendRequest> batch, boolean lookupFirst, Instant now)
            throws SQLException, Contended {
        if (batch.size() > 1) {
            Set<UUID> seen = new HashSet<>();
            for (AppendRequest request : batch) {
                for (EventData event : request.events()) {
                    if (!seen.add(event.eventId())) {
                        throw new Contended("an event id appears in two appends of the batch");
                    }
                }
            }
        }
        Map<String, StreamRow> streams = lock(connection, batch);
        Map<UUID, StoredEventId> stored = lookupFirst ? lookup(connection, batch) : Map.of();
        Outcome[] outcomes = new Outcome[batch.size()];
        List<Accepted> accepted = new ArrayList<>(batch.size());
        List<Conflict> conflicts = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            AppendRequest request = batch.get(i);
            StreamRow row = streams.get(request.streamId());
            if (row.state == StreamState.TOMBSTONED) {
                outcomes[i] = Outcome.failed(new StreamDeletedException(request.streamId()));
                continue;
            }
            if (lookupFirst) {
                Optional<Outcome> retry = retryOrDuplicate(request, stored);
                if (retry.isPresent()) {
                    outcomes[i] = retry.get();
                    continue;
                }
            }
            if (ExpectedVersions.holds(request.expected(), row.lastVersion, row.state)) {
                if (row.newerWriter) {
                    throw Contended.reordered(request.streamId());
                }
                accepted.add(new Accepted(i, request, row.lastVersion + 1));
                row.lastVersion += request.events().size();
                row.state = StreamState.ACTIVE;
            } else if (lookupFirst) {
                outcomes[i] = Outcome.failed(new WrongExpectedVersionException(
                        request.streamId(), request.expected(), row.lastVersion, row.state));
            } else {
                conflicts.add(new Conflict(i, request, row.lastVersion, row.state));
            }
        }
        resolveConflicts(connection, conflicts, outcomes);
        if (!accepted.isEmpty()) {
            writeStreams(connection, streams, accepted);
            Map<UUID, Position> positions = insertEvents(connection, accepted, now);
            for (Accepted append : accepted) {
                List<EventData> events = append.request().events();
                UUID last = events.get(events.size() - 1).eventId();
                outcomes[append.index()] = Outcome.ok(new AppendResult(
                        append.request().streamId(), append.firstVersion() + events.size() - 1, positions.get(last)));
            }
        }
        return List.of(outcomes);
    }

    /**
     * Decides the appends whose expected version did not hold: a full retry of stored events returns the
     * original result, anything else fails on its own. One id lookup for all of them.
     */
    private void resolveConflicts(Connection connection, List<Conflict> conflicts, Outcome[] outcomes)
            throws SQLException {
        if (conflicts.isEmpty()) {
            return;
        }
        Map<UUID, StoredEventId> found =
                lookup(connection, conflicts.stream().map(Conflict::request).toList());
        for (Conflict conflict : conflicts) {
            outcomes[conflict.index()] = retryOrDuplicate(conflict.request(), found)
                    .orElseGet(() -> Outcome.failed(new WrongExpectedVersionException(
                            conflict.request().streamId(),
                            conflict.request().expected(),
                            conflict.lastVersion(),
                            conflict.state())));
        }
    }

    private static Optional<Outcome> retryOrDuplicate(AppendRequest request, Map<UUID, StoredEventId> stored) {
        Map<UUID, StoredEventId> mine = new HashMap<>();
        for (EventData event : request.events()) {
            StoredEventId found = stored.get(event.eventId());
            if (found != null) {
                mine.put(found.eventId(), found);
            }
        }
        if (mine.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Idempotency.evaluate(request.streamId(), request.expected(), request.events(), mine)
                    .map(Outcome::retried);
        } catch (RuntimeException e) {
            return Optional.of(Outcome.failed(e));
        }
    }

    private Map<String, StreamRow> lock(Connection connection, List<AppendRequest> batch) throws SQLException {
        Set<String> ids = new TreeSet<>();
        batch.forEach(request -> ids.add(request.streamId()));
        Map<String, StreamRow> rows = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(lockSql)) {
            statement.setArray(1, connection.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.put(
                            rs.getString(1),
                            new StreamRow(rs.getLong(2), StreamState.valueOf(rs.getString(3)), true, rs.getBoolean(4)));
                }
            }
        }
        for (String id : ids) {
            rows.computeIfAbsent(
                    id, x -> new StreamRow(ExpectedVersion.NO_STREAM_VERSION, StreamState.ACTIVE, false, false));
        }
        return rows;
    }

    /** Where the batch's event ids are already stored. */
    Map<UUID, StoredEventId> lookup(Connection connection, Collection<AppendRequest> requests) throws SQLException {
        List<UUID> ids = new ArrayList<>();
        requests.forEach(request -> request.events().forEach(event -> ids.add(event.eventId())));
        Map<UUID, StoredEventId> stored = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(lookupSql)) {
            statement.setArray(1, connection.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    stored.put(
                            id,
                            new StoredEventId(
                                    id, rs.getString(2), rs.getLong(3), new Position(rs.getLong(4), rs.getLong(5))));
                }
            }
        }
        return stored;
    }

    private void writeStreams(Connection connection, Map<String, StreamRow> streams, List<Accepted> accepted)
            throws SQLException, Contended {
        Set<String> ids = new TreeSet<>();
        accepted.forEach(append -> ids.add(append.request().streamId()));
        List<String> updateIds = new ArrayList<>();
        List<Long> updateVersions = new ArrayList<>();
        List<String> insertIds = new ArrayList<>();
        List<String> insertCategories = new ArrayList<>();
        List<Long> insertVersions = new ArrayList<>();
        for (String id : ids) {
            StreamRow row = streams.get(id);
            if (row.inDatabase) {
                updateIds.add(id);
                updateVersions.add(row.lastVersion);
            } else {
                insertIds.add(id);
                insertCategories.add(StreamIds.category(id));
                insertVersions.add(row.lastVersion);
            }
        }
        try (PreparedStatement statement = connection.prepareStatement(writeStreamsSql)) {
            statement.setArray(1, connection.createArrayOf("text", updateIds.toArray()));
            statement.setArray(2, connection.createArrayOf("bigint", updateVersions.toArray()));
            statement.setArray(3, connection.createArrayOf("text", insertIds.toArray()));
            statement.setArray(4, connection.createArrayOf("text", insertCategories.toArray()));
            statement.setArray(5, connection.createArrayOf("bigint", insertVersions.toArray()));
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                if (rs.getLong(1) != updateIds.size()) {
                    throw new IllegalStateException("stream rows locked by this transaction were not updated");
                }
                if (rs.getLong(2) != insertIds.size()) {
                    throw new Contended("another transaction created one of the batch's new streams");
                }
            }
        }
    }

    private Map<UUID, Position> insertEvents(Connection connection, List<Accepted> accepted, Instant now)
            throws SQLException {
        int count = 0;
        for (Accepted append : accepted) {
            count += append.request().events().size();
        }
        String[] streamIds = new String[count];
        Long[] versions = new Long[count];
        String[] categories = new String[count];
        Integer[] buckets = new Integer[count];
        UUID[] eventIds = new UUID[count];
        String[] types = new String[count];
        Integer[] schemaVersions = new Integer[count];
        String[] data = new String[count];
        String[] metadata = new String[count];
        int i = 0;
        for (Accepted append : accepted) {
            String streamId = append.request().streamId();
            String category = StreamIds.category(streamId);
            int bucket = bucket(streamId);
            long version = append.firstVersion();
            for (EventData event : append.request().events()) {
                streamIds[i] = streamId;
                versions[i] = version++;
                categories[i] = category;
                buckets[i] = bucket;
                eventIds[i] = event.eventId();
                types[i] = event.type();
                schemaVersions[i] = event.schemaVersion();
                data[i] = event.data();
                metadata[i] = event.metadata();
                i++;
            }
        }
        Map<UUID, Position> positions = new HashMap<>(count * 2);
        try (PreparedStatement statement = connection.prepareStatement(insertEventsSql)) {
            statement.setObject(1, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            Array[] arrays = {
                connection.createArrayOf("text", streamIds),
                connection.createArrayOf("bigint", versions),
                connection.createArrayOf("text", categories),
                connection.createArrayOf("int4", buckets),
                connection.createArrayOf("uuid", eventIds),
                connection.createArrayOf("text", types),
                connection.createArrayOf("int4", schemaVersions),
                connection.createArrayOf("text", data),
                connection.createArrayOf("text", metadata)
            };
            for (int a = 0; a < arrays.length; a++) {
                statement.setArray(a + 2, arrays[a]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    positions.put(rs.getObject(1, UUID.class), new Position(rs.getLong(3), rs.getLong(2)));
                }
            }
        }
        return positions;
    }
}
