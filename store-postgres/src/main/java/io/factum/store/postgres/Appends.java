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
import io.factum.core.spi.StoredContent;
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
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
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
 * each succeeding or failing on its own. Three ways, fastest first: a lone append in one statement
 * ({@link #runSingle}), appends to distinct streams in one statement ({@link #runBatch}), and the general
 * path ({@link #run}):
 *
 * <ol>
 *   <li>lock the rows of every stream of the batch at once (one {@code FOR UPDATE} lookup per id, in id
 *       order);
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
 * runs each append alone with {@code lookupFirst}, which decides like the in-memory store. The SQL, and
 * why no plan of it depends on the tables' statistics, is in {@link AppendSql}.
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
     * transaction wrote its events (not so for a failure or an idempotent retry); neither result nor
     * failure if it must run again in a transaction of its own ({@link #again()}).
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

        /** Nothing written: the append must run again, alone (see {@link Contended#reordered}). */
        static Outcome runAgain() {
            return new Outcome(Optional.empty(), Optional.empty(), false);
        }

        boolean again() {
            return result.isEmpty() && failure.isEmpty();
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

    private final AppendSql sql;

    Appends(Tables tables) {
        this.sql = new AppendSql(tables);
    }

    /**
     * The fast path of a batch of one append: one statement, no lookup. Nothing is written if the expected
     * version does not hold, the stream is tombstoned or (for {@code noStream}) has a row already; then
     * {@link Contended} sends the append to the general path, which finds out why exactly. A reused event id
     * fails on the unique key (23505).
     */
    AppendResult runSingle(Connection connection, AppendRequest request, Instant now) throws SQLException, Contended {
        List<EventData> events = request.events();
        int n = events.size();
        String streamId = request.streamId();
        ExpectedVersion expected = request.expected();
        String category = StreamIds.category(streamId);
        try (PreparedStatement statement = connection.prepareStatement(sql.single(expected, n))) {
            int p = 1;
            switch (expected) {
                case ExpectedVersion.Any any -> p = streamRow(statement, p, streamId, category, n);
                case ExpectedVersion.NoStream none -> p = streamRow(statement, p, streamId, category, n);
                case ExpectedVersion.StreamExists exists -> {
                    statement.setLong(p++, n);
                    statement.setString(p++, streamId);
                }
                case ExpectedVersion.Exactly exactly -> {
                    statement.setLong(p++, n);
                    statement.setString(p++, streamId);
                    statement.setLong(p++, exactly.version());
                }
            }
            statement.setString(p++, streamId);
            if (n == 1) {
                EventData event = events.get(0);
                statement.setString(p++, category);
                statement.setInt(p++, bucket(streamId));
                statement.setObject(p++, event.eventId());
                statement.setString(p++, event.type());
                statement.setInt(p++, event.schemaVersion());
                statement.setString(p++, event.data());
                statement.setString(p++, event.metadata());
                statement.setObject(p, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            } else {
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
                statement.setLong(p++, n);
                statement.setString(p++, category);
                statement.setInt(p++, bucket(streamId));
                statement.setObject(p++, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                statement.setArray(p++, connection.createArrayOf("uuid", ids));
                statement.setArray(p++, connection.createArrayOf("text", types));
                statement.setArray(p++, connection.createArrayOf("int4", schemaVersions));
                statement.setArray(p++, connection.createArrayOf("text", data));
                statement.setArray(p, connection.createArrayOf("text", metadata));
            }
            try (ResultSet rs = results(statement, AppendSql.guarded(expected, n))) {
                if (rs.next()) {
                    long tx = rs.getLong(3);
                    if (!rs.wasNull()) {
                        return new AppendResult(streamId, rs.getLong(1), new Position(tx, rs.getLong(2)));
                    }
                }
            }
            throw new Contended("the expected version does not hold, the stream is tombstoned or has a row already");
        }
    }

    private static int streamRow(PreparedStatement statement, int p, String streamId, String category, int n)
            throws SQLException {
        statement.setString(p, streamId);
        statement.setString(p + 1, category);
        statement.setLong(p + 2, n);
        return p + 3;
    }

    /** Runs a statement and returns its rows; for a statement with a {@link PlanGuards#WRITE}, after it. */
    private static ResultSet results(PreparedStatement statement, boolean guarded) throws SQLException {
        return guarded ? PlanGuards.rows(statement) : statement.executeQuery();
    }

    /** The bucket of a stream, for consumer groups: CRC-32 of its UTF-8 id, as a non-negative int. */
    static int bucket(String streamId) {
        CRC32 crc = new CRC32();
        crc.update(streamId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() & 0x7fffffff);
    }

    /** Whether the appends are to distinct streams, as {@link #runBatch} needs. */
    static boolean distinctStreams(List<AppendRequest> batch) {
        Set<String> streamIds = new HashSet<>(batch.size() * 2);
        for (AppendRequest request : batch) {
            if (!streamIds.add(request.streamId())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs a batch of appends to distinct streams ({@link #distinctStreams}) in one statement ({@link
     * AppendSql#batch}), on a connection in autocommit: the statement is its own transaction, committed
     * when this returns. Appends whose expected version does not hold are then decided by a lookup of their
     * ids (an idempotent retry of stored events returns the original result); an append whose stream was
     * last written by a newer transaction wrote nothing and comes back as {@link Outcome#again()}.
     *
     * @return one outcome per request, in order
     * @throws Contended if an event id appears twice in the batch (nothing was written)
     * @throws SQLException if the statement failed (nothing was written), for example on a unique key when a
     *     new stream was created by another transaction meanwhile or an event id is stored already
     */
    List<Outcome> runBatch(Connection connection, List<AppendRequest> batch, Instant now)
            throws SQLException, Contended {
        int appendCount = batch.size();
        int count = 0;
        for (AppendRequest request : batch) {
            count += request.events().size();
        }
        // the statement locks the stream rows in the order of its arrays: sorted ids, as every locker does
        Integer[] order = new Integer[appendCount];
        for (int a = 0; a < appendCount; a++) {
            order[a] = a;
        }
        Arrays.sort(order, Comparator.comparing(a -> batch.get(a).streamId()));
        String[] ids = new String[appendCount];
        String[] categories = new String[appendCount];
        Integer[] sizes = new Integer[appendCount];
        Integer[] kinds = new Integer[appendCount];
        Long[] expected = new Long[appendCount];
        Integer[] index = new Integer[count];
        Integer[] ordinal = new Integer[count];
        String[] streams = new String[count];
        String[] eventCategories = new String[count];
        Integer[] buckets = new Integer[count];
        UUID[] eventIds = new UUID[count];
        String[] types = new String[count];
        Integer[] schemaVersions = new Integer[count];
        String[] data = new String[count];
        String[] metadata = new String[count];
        Set<UUID> seen = new HashSet<>(count * 2);
        int e = 0;
        for (int a = 0; a < appendCount; a++) {
            AppendRequest request = batch.get(order[a]);
            String streamId = request.streamId();
            String category = StreamIds.category(streamId);
            int bucket = bucket(streamId);
            ids[a] = streamId;
            categories[a] = category;
            sizes[a] = request.events().size();
            kinds[a] = AppendSql.kind(request.expected());
            expected[a] = request.expected() instanceof ExpectedVersion.Exactly exactly
                    ? exactly.version()
                    : ExpectedVersion.NO_STREAM_VERSION;
            int k = 1;
            for (EventData event : request.events()) {
                if (!seen.add(event.eventId())) {
                    throw new Contended("an event id appears twice in the batch");
                }
                index[e] = a + 1;
                ordinal[e] = k++;
                streams[e] = streamId;
                eventCategories[e] = category;
                buckets[e] = bucket;
                eventIds[e] = event.eventId();
                types[e] = event.type();
                schemaVersions[e] = event.schemaVersion();
                data[e] = event.data();
                metadata[e] = event.metadata();
                e++;
            }
        }
        Outcome[] outcomes = new Outcome[appendCount];
        long[] lastBefore = new long[appendCount];
        List<Conflict> conflicts = new ArrayList<>();
        Map<String, Position> positions = new HashMap<>(appendCount * 2);
        try (PreparedStatement statement = connection.prepareStatement(sql.batch)) {
            int p = 1;
            statement.setArray(p++, connection.createArrayOf("text", ids));
            statement.setArray(p++, connection.createArrayOf("text", categories));
            statement.setArray(p++, connection.createArrayOf("int4", sizes));
            statement.setArray(p++, connection.createArrayOf("int4", kinds));
            statement.setArray(p++, connection.createArrayOf("int8", expected));
            statement.setObject(p++, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            statement.setArray(p++, connection.createArrayOf("int4", index));
            statement.setArray(p++, connection.createArrayOf("int4", ordinal));
            statement.setArray(p++, connection.createArrayOf("text", streams));
            statement.setArray(p++, connection.createArrayOf("text", eventCategories));
            statement.setArray(p++, connection.createArrayOf("int4", buckets));
            statement.setArray(p++, connection.createArrayOf("uuid", eventIds));
            statement.setArray(p++, connection.createArrayOf("text", types));
            statement.setArray(p++, connection.createArrayOf("int4", schemaVersions));
            statement.setArray(p++, connection.createArrayOf("text", data));
            statement.setArray(p, connection.createArrayOf("text", metadata));
            try (ResultSet rs = results(statement, true)) {
                while (rs.next()) {
                    int i = rs.getInt(1);
                    if (rs.wasNull()) {
                        // an event written: the last one of its stream has the highest position
                        Position position = new Position(rs.getLong(8), rs.getLong(7));
                        positions.merge(rs.getString(6), position, (x, y) -> x.isAfter(y) ? x : y);
                        continue;
                    }
                    int a = order[i - 1];
                    AppendRequest request = batch.get(a);
                    long last = rs.getLong(3);
                    StreamState state = StreamState.valueOf(rs.getString(4));
                    if (!rs.getBoolean(2)) {
                        if (state == StreamState.TOMBSTONED) {
                            outcomes[a] = Outcome.failed(new StreamDeletedException(request.streamId()));
                        } else {
                            conflicts.add(new Conflict(a, request, last, state));
                        }
                    } else if (rs.getBoolean(5)) {
                        outcomes[a] = Outcome.runAgain();
                    } else {
                        lastBefore[a] = last;
                    }
                }
            }
        }
        for (int a = 0; a < appendCount; a++) {
            if (outcomes[a] == null) {
                AppendRequest request = batch.get(a);
                Position position = positions.get(request.streamId());
                if (position != null) {
                    outcomes[a] = Outcome.ok(new AppendResult(
                            request.streamId(), lastBefore[a] + request.events().size(), position));
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
        Map<UUID, Stored> stored = lookupFirst ? lookup(connection, batch) : Map.of();
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
        Map<UUID, Stored> found =
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

    private static Optional<Outcome> retryOrDuplicate(AppendRequest request, Map<UUID, Stored> stored) {
        Map<UUID, StoredEventId> mine = new HashMap<>();
        Map<UUID, StoredContent> contents = new HashMap<>();
        for (EventData event : request.events()) {
            Stored found = stored.get(event.eventId());
            if (found != null) {
                mine.put(event.eventId(), found.at());
                contents.put(event.eventId(), found.content());
            }
        }
        if (mine.isEmpty()) {
            return Optional.empty();
        }
        try {
            Optional<AppendResult> retry =
                    Idempotency.evaluate(request.streamId(), request.expected(), request.events(), mine);
            if (retry.isPresent()) {
                Idempotency.requireSameContent(request.streamId(), request.events(), mine, contents);
            }
            return retry.map(Outcome::retried);
        } catch (RuntimeException e) {
            return Optional.of(Outcome.failed(e));
        }
    }

    /** Where an event id is stored, and what the event there says. */
    record Stored(StoredEventId at, StoredContent content) {}

    private Map<String, StreamRow> lock(Connection connection, List<AppendRequest> batch) throws SQLException {
        Set<String> ids = new TreeSet<>();
        batch.forEach(request -> ids.add(request.streamId()));
        Map<String, StreamRow> rows = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(sql.lock)) {
            statement.setArray(1, connection.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = results(statement, true)) {
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
    Map<UUID, Stored> lookup(Connection connection, Collection<AppendRequest> requests) throws SQLException {
        List<UUID> ids = new ArrayList<>();
        requests.forEach(request -> request.events().forEach(event -> ids.add(event.eventId())));
        Map<UUID, Stored> stored = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(sql.lookup)) {
            statement.setArray(1, connection.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = results(statement, true)) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    stored.put(
                            id,
                            new Stored(
                                    new StoredEventId(
                                            id,
                                            rs.getString(2),
                                            rs.getLong(3),
                                            new Position(rs.getLong(4), rs.getLong(5))),
                                    new StoredContent(rs.getString(6), rs.getString(7))));
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
        List<String> updateCategories = new ArrayList<>();
        List<Long> updateVersions = new ArrayList<>();
        List<String> insertIds = new ArrayList<>();
        List<String> insertCategories = new ArrayList<>();
        List<Long> insertVersions = new ArrayList<>();
        for (String id : ids) {
            StreamRow row = streams.get(id);
            boolean update = row.inDatabase;
            (update ? updateIds : insertIds).add(id);
            (update ? updateCategories : insertCategories).add(StreamIds.category(id));
            (update ? updateVersions : insertVersions).add(row.lastVersion);
        }
        try (PreparedStatement statement = connection.prepareStatement(sql.writeStreams)) {
            statement.setArray(1, connection.createArrayOf("text", updateIds.toArray()));
            statement.setArray(2, connection.createArrayOf("text", updateCategories.toArray()));
            statement.setArray(3, connection.createArrayOf("bigint", updateVersions.toArray()));
            statement.setArray(4, connection.createArrayOf("text", insertIds.toArray()));
            statement.setArray(5, connection.createArrayOf("text", insertCategories.toArray()));
            statement.setArray(6, connection.createArrayOf("bigint", insertVersions.toArray()));
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
        String[] tags = new String[count];
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
                tags[i] = String.join("\n", event.tags());
                i++;
            }
        }
        Map<UUID, Position> positions = new HashMap<>(count * 2);
        try (PreparedStatement statement = connection.prepareStatement(sql.insertEvents)) {
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
                connection.createArrayOf("text", metadata),
                connection.createArrayOf("text", tags)
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
