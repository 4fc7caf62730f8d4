package io.factum.store.postgres;

import io.factum.core.AllSlice;
import io.factum.core.AppendCondition;
import io.factum.core.AppendResult;
import io.factum.core.AppendResults;
import io.factum.core.EventData;
import io.factum.core.EventFilter;
import io.factum.core.EventQuery;
import io.factum.core.ExpectedVersion;
import io.factum.core.Position;
import io.factum.core.ReadDirection;
import io.factum.core.RecordedEvent;
import io.factum.core.StoreException;
import io.factum.core.StoreOptions;
import io.factum.core.StreamAppend;
import io.factum.core.StreamDeletedException;
import io.factum.core.StreamIds;
import io.factum.core.StreamInfo;
import io.factum.core.StreamMetadata;
import io.factum.core.StreamNotFoundException;
import io.factum.core.StreamSlice;
import io.factum.core.StreamState;
import io.factum.core.spi.AppendValidation;
import io.factum.core.spi.ExpectedVersions;
import io.factum.core.spi.StoredEventId;
import io.factum.core.spi.StreamMetadataJson;
import io.factum.core.spi.StreamWindow;
import io.factum.core.subscription.SqlProjection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/** The PostgreSQL event store; see {@link PostgresEventStore} for what it guarantees and how to run it. */
final class PgEventStore implements PostgresEventStore {

    /** An append whose transaction has written its events and waits for {@link #commit()}. */
    interface PendingAppend {
        AppendResult commit();
    }

    static final String EVENT_COLUMNS = "event_id, stream_id, stream_version, tx_id::text::bigint AS tx,"
            + " global_position, type, schema_version, data::text, metadata::text, recorded_at, tags";
    private static final String XMIN = "(SELECT pg_snapshot_xmin(pg_current_snapshot()))";
    /** Where the stream's last version, state and metadata begin in a row of a stream page. */
    private static final int STREAM_COLUMNS_AT = 12;

    private static final long MIN_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 250;

    /** How soon a waiter looks again at a replica that has not replayed an append yet, doubling up to the max. */
    private static final long MIN_REPLAY_BACKOFF_MILLIS = 2;

    private static final long MAX_REPLAY_BACKOFF_MILLIS = 50;
    /** The longest a waiter trusts the listener before it looks again itself. */
    private static final long RECHECK_MILLIS = 10_000;
    /** How often a waiter looks while the listener is not listening. */
    private static final long UNLISTENED_RECHECK_MILLIS = 1_000;

    private static final int RETRIES = 3;

    private final DataSource dataSource;
    /** Where catch-up reads, waits and read-model queries go: a streaming replica, or the primary. */
    private final DataSource readSource;

    private final boolean replicated;
    private final AutoCloseable ownedPool;
    private final Tables tables;
    private final StoreOptions options;
    private final Appends appends;
    private final Queries queries;
    private final InlineProjections inline;
    private final GroupCommit writer;
    private volatile AtomicAppends atomic;
    private final Notifier notifier;
    private final Object wakeups = new Object();
    private final PgSnapshotStore snapshots;
    private final PgCheckpointStore checkpoints;
    private final PgLeaseStore leases;
    private final PgDeadlineStore deadlines;
    private final PgSubjectKeyStore subjectKeys;
    private long wakeGeneration;
    private volatile boolean closed;

    private final String streamRowSql;
    private final String locateEventSql;
    private final String streamPageForwardSql;
    private final String streamPageBackwardSql;
    private final String streamForwardSql;
    private final String streamBackwardSql;
    private final String streamForwardSinceSql;
    private final String streamBackwardSinceSql;
    private final String headSql;
    private final String headAndPendingSql;
    private final String setMetadataSql;
    private final String lockStreamSql;
    private final String softDeleteSql;
    private final String tombstoneSql;
    private final String tombstoneNewSql;

    PgEventStore(DataSource dataSource, AutoCloseable ownedPool, Tables tables, StoreOptions options, int writers) {
        this(dataSource, ownedPool, tables, options, writers, List.of());
    }

    /**
     * Opens the store; with inline projections, they are created (or rebuilt, see {@link
     * InlineProjections#open}) before the writers start, so no append runs before they are current.
     */
    PgEventStore(
            DataSource dataSource,
            AutoCloseable ownedPool,
            Tables tables,
            StoreOptions options,
            int writers,
            List<SqlProjection> inlineProjections) {
        this(dataSource, ownedPool, tables, options, writers, inlineProjections, null);
    }

    /**
     * Opens the store; with a {@code replica}, {@link #readAll}, {@link #awaitAppend} and read-model queries
     * read from it (a hot standby streaming from {@code dataSource}), everything else from the primary.
     */
    PgEventStore(
            DataSource dataSource,
            AutoCloseable ownedPool,
            Tables tables,
            StoreOptions options,
            int writers,
            List<SqlProjection> inlineProjections,
            @org.jspecify.annotations.Nullable DataSource replica) {
        this.dataSource = dataSource;
        this.readSource = replica == null ? dataSource : replica;
        this.replicated = replica != null;
        this.ownedPool = ownedPool;
        this.tables = tables;
        this.options = options;
        Migrations.migrate(dataSource, tables);
        this.appends = new Appends(tables);
        this.queries = new Queries(tables);
        String events = tables.events();
        String streams = tables.streams();
        // every read runs behind a guard: no plan made from a young table's statistics scans a grown one
        this.streamRowSql = PlanGuards.guarded(
                PlanGuards.READ, "SELECT last_version, state, metadata::text FROM " + streams + " WHERE id = ?");
        this.locateEventSql = PlanGuards.guarded(
                PlanGuards.READ,
                "SELECT stream_id, stream_version, tx_id::text::bigint, global_position FROM " + events
                        + " WHERE event_id = ?");
        String streamPage = "SELECT e.*, s.last_version, s.state, s.metadata::text FROM " + streams
                + " s LEFT JOIN LATERAL (SELECT " + EVENT_COLUMNS + " FROM " + events + " WHERE stream_id = s.id AND";
        this.streamPageForwardSql = PlanGuards.guarded(
                PlanGuards.READ,
                streamPage + " stream_version >= ? ORDER BY stream_version LIMIT ?) e ON true WHERE s.id = ?");
        this.streamPageBackwardSql = PlanGuards.guarded(
                PlanGuards.READ,
                streamPage + " stream_version <= ? ORDER BY stream_version DESC LIMIT ?) e ON true WHERE s.id = ?");
        String streamEvents = "SELECT " + EVENT_COLUMNS + " FROM " + events
                + " WHERE stream_id = ? AND stream_version BETWEEN ? AND ?";
        this.streamForwardSql = PlanGuards.guarded(PlanGuards.READ, streamEvents + " ORDER BY stream_version LIMIT ?");
        this.streamBackwardSql =
                PlanGuards.guarded(PlanGuards.READ, streamEvents + " ORDER BY stream_version DESC LIMIT ?");
        this.streamForwardSinceSql = PlanGuards.guarded(
                PlanGuards.READ, streamEvents + " AND recorded_at >= ? ORDER BY stream_version LIMIT ?");
        this.streamBackwardSinceSql = PlanGuards.guarded(
                PlanGuards.READ, streamEvents + " AND recorded_at >= ? ORDER BY stream_version DESC LIMIT ?");
        this.headSql = PlanGuards.guarded(
                PlanGuards.READ,
                "SELECT tx_id::text::bigint AS tx, global_position FROM " + events + " WHERE tx_id < " + XMIN
                        + " ORDER BY tx_id DESC, global_position DESC LIMIT 1");
        this.headAndPendingSql =
                PlanGuards.READ + "; SELECT h.tx, h.pos, EXISTS (SELECT 1 FROM " + events + " WHERE tx_id >= x.xmin)"
                        + " FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) x"
                        + " LEFT JOIN LATERAL (SELECT tx_id::text::bigint AS tx, global_position AS pos FROM " + events
                        + " WHERE tx_id < x.xmin ORDER BY tx_id DESC, global_position DESC LIMIT 1) h ON true";
        this.setMetadataSql = "INSERT INTO " + streams + " AS s (id, category, metadata) VALUES (?, ?, ?::jsonb)"
                + " ON CONFLICT (id) DO UPDATE SET metadata = EXCLUDED.metadata WHERE s.state <> 'TOMBSTONED'"
                + " RETURNING 1";
        this.lockStreamSql = PlanGuards.guarded(
                PlanGuards.READ,
                "SELECT last_version, state, metadata::text FROM " + streams + " WHERE id = ? FOR UPDATE");
        this.softDeleteSql = "UPDATE " + streams + " SET state = 'SOFT_DELETED', metadata = ?::jsonb WHERE id = ?";
        this.tombstoneSql = "UPDATE " + streams + " SET state = 'TOMBSTONED' WHERE id = ?";
        this.tombstoneNewSql = "INSERT INTO " + streams + " (id, category, state) VALUES (?, ?, 'TOMBSTONED')"
                + " ON CONFLICT (id) DO NOTHING RETURNING 1";
        this.snapshots = new PgSnapshotStore(dataSource, tables, this::checkOpen);
        LeaseClock leaseClock = LeaseClock.of(options.clock());
        this.checkpoints = new PgCheckpointStore(dataSource, readSource, tables, leaseClock, this::checkOpen);
        this.leases = new PgLeaseStore(dataSource, tables, leaseClock, this::checkOpen);
        this.deadlines = new PgDeadlineStore(dataSource, tables, this::checkOpen);
        this.subjectKeys = new PgSubjectKeyStore(dataSource, tables, this::checkOpen);
        InlineProjections inline = InlineProjections.of(inlineProjections, tables);
        inline.open(dataSource, tables, checkpoints, this);
        String name = tables.channel();
        this.notifier = new Notifier(dataSource, name, this::wake);
        this.writer = new GroupCommit(dataSource, appends, inline, options.clock(), writers, name, this::committed);
        this.inline = inline;
        this.atomic = atomicAppends(AtomicAppends.Isolation.LOCKS);
    }

    private AtomicAppends atomicAppends(AtomicAppends.Isolation isolation) {
        return new AtomicAppends(dataSource, appends, tables, inline, options.clock(), isolation, this::committed);
    }

    /**
     * Makes conditions atomic another way from now on; for the measurement of {@link
     * AtomicAppends.Isolation#SERIALIZABLE} against the default (docs/write-side.md).
     */
    void conditionIsolation(AtomicAppends.Isolation isolation) {
        this.atomic = atomicAppends(isolation);
    }

    /** The snapshots kept in this store's database; see {@link PostgresEventStore#snapshots}. */
    @Override
    public PgSnapshotStore snapshots() {
        return snapshots;
    }

    /** The checkpoints kept in this store's database; see {@link PostgresEventStore#checkpoints}. */
    @Override
    public PgCheckpointStore checkpoints() {
        return checkpoints;
    }

    /** The consumer-group leases kept in this store's database; see {@link PostgresEventStore#leases}. */
    @Override
    public PgLeaseStore leases() {
        return leases;
    }

    /** The deadlines kept in this store's database; see {@link PostgresEventStore#deadlines}. */
    @Override
    public PgDeadlineStore deadlines() {
        return deadlines;
    }

    /** The subject keys kept in this store's database; see {@link PostgresEventStore#subjectKeys}. */
    @Override
    public PgSubjectKeyStore subjectKeys() {
        return subjectKeys;
    }

    // ---------------------------------------------------------------- appends

    @Override
    public AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events) {
        AppendValidation.validate(streamId, expected, events, options.limits());
        for (EventData event : events) {
            if (!event.tags().isEmpty()) {
                // a tagged event takes the locks a condition on its tags waits for (see AtomicAppends)
                checkOpen();
                return atomic.append(List.of(new StreamAppend(streamId, expected, events)), AppendCondition.none())
                        .results()
                        .get(0);
            }
        }
        return appendValidated(streamId, expected, events);
    }

    /**
     * Appends to several streams, or with a condition, in a transaction of its own (not group commit); see
     * {@link AtomicAppends} for how the condition's check and the write are made atomic.
     */
    @Override
    public AppendResults append(List<StreamAppend> parts, AppendCondition condition) {
        AppendValidation.validate(parts, condition, options.limits());
        checkOpen();
        return atomic.append(List.copyOf(parts), condition);
    }

    /**
     * For the TCK: an append as {@link #append(List, AppendCondition)}, written and holding its locks but
     * not committed until {@link AtomicAppends.Held#commit()}.
     */
    AtomicAppends.Held holdAppend(List<StreamAppend> parts, AppendCondition condition) {
        AppendValidation.validate(parts, condition, options.limits());
        checkOpen();
        return atomic.hold(List.copyOf(parts), condition);
    }

    /** An append whose input was validated (or, in tests, deliberately was not). */
    AppendResult appendValidated(String streamId, ExpectedVersion expected, List<EventData> events) {
        checkOpen();
        AppendRequest request = new AppendRequest(streamId, expected, List.copyOf(events));
        writer.submit(request);
        try {
            return request.result().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new StoreException("stream " + streamId + ": the append failed: " + e.getMessage(), e);
        }
    }

    /**
     * For the TCK's gap test: runs an append in a transaction of its own, writes its events and returns
     * before COMMIT; the commit happens when {@link PendingAppend#commit()} is called.
     */
    PendingAppend holdAppend(String streamId, ExpectedVersion expected, List<EventData> events) {
        AppendValidation.validate(streamId, expected, events, options.limits());
        checkOpen();
        AppendRequest request = new AppendRequest(streamId, expected, List.copyOf(events));
        try {
            Connection connection = dataSource.getConnection();
            connection.setAutoCommit(false);
            List<Appends.Outcome> outcome;
            for (int attempt = 1; ; attempt++) {
                try {
                    outcome = appends.run(connection, List.of(request), true, StreamWindow.recordedAt(options.clock()));
                    break;
                } catch (Appends.Contended | SQLException | RuntimeException e) {
                    connection.rollback();
                    if (e instanceof Appends.Contended contended && contended.reordered() && attempt < RETRIES) {
                        continue;
                    }
                    connection.close();
                    throw new StoreException("stream " + streamId + ": the held append failed: " + e.getMessage(), e);
                }
            }
            if (outcome.get(0).failure().isPresent()) {
                connection.rollback();
                connection.close();
                throw outcome.get(0).failure().get();
            }
            try {
                inline.apply(connection, request, outcome.get(0));
            } catch (InlineProjections.Failed e) {
                connection.rollback();
                connection.close();
                throw e.exception();
            }
            AppendResult result = outcome.get(0).result().orElseThrow();
            return () -> {
                try (connection) {
                    connection.commit();
                    connection.setAutoCommit(true);
                } catch (SQLException e) {
                    throw new StoreException("stream " + streamId + ": committing the held append failed", e);
                }
                committed();
                return result;
            };
        } catch (SQLException e) {
            throw new StoreException("stream " + streamId + ": the held append failed: " + e.getMessage(), e);
        }
    }

    /** Append transactions committed by this store (group commit puts several appends in one). */
    long appendTransactions() {
        return writer.transactions();
    }

    /** Appends this store's writers completed. */
    long appendsCompleted() {
        return writer.appends();
    }

    // ---------------------------------------------------------------- reads

    @Override
    public StreamSlice readStream(String streamId, ReadDirection direction, long fromVersion, int maxCount) {
        StreamIds.requireValid(streamId);
        StreamWindow.checkReadArguments(fromVersion, maxCount);
        checkOpen();
        boolean forward = direction == ReadDirection.FORWARD;
        try (Connection connection = dataSource.getConnection()) {
            // one round trip for the stream's row and the first page of its events; only a stream whose
            // metadata hides some of them needs a second query, bounded by the window
            Optional<StreamInfo> info = Optional.empty();
            List<RecordedEvent> page = new ArrayList<>(Math.min(maxCount, 1024));
            try (PreparedStatement statement =
                    connection.prepareStatement(forward ? streamPageForwardSql : streamPageBackwardSql)) {
                statement.setLong(1, fromVersion);
                statement.setInt(2, maxCount);
                statement.setString(3, streamId);
                try (ResultSet rs = PlanGuards.rows(statement)) {
                    while (rs.next()) {
                        if (info.isEmpty()) {
                            info = Optional.of(new StreamInfo(
                                    streamId,
                                    rs.getLong(STREAM_COLUMNS_AT),
                                    StreamState.valueOf(rs.getString(STREAM_COLUMNS_AT + 1)),
                                    StreamMetadataJson.read(streamId, rs.getString(STREAM_COLUMNS_AT + 2))));
                        }
                        if (rs.getObject(1) != null) {
                            page.add(event(rs));
                        }
                    }
                }
            }
            if (info.isPresent() && info.get().state() == StreamState.TOMBSTONED) {
                throw new StreamDeletedException(streamId);
            }
            StreamWindow window = info.map(s -> StreamWindow.of(
                            streamId,
                            direction,
                            fromVersion,
                            s.lastVersion(),
                            s.state(),
                            s.metadata(),
                            options.clock().instant()))
                    .orElseGet(() -> StreamWindow.of(
                            streamId,
                            direction,
                            fromVersion,
                            ExpectedVersion.NO_STREAM_VERSION,
                            StreamState.ACTIVE,
                            StreamMetadata.empty(),
                            options.clock().instant()));
            if (window.isEmpty()) {
                return window.slice(List.of(), maxCount);
            }
            Optional<Instant> since = window.recordedNotBefore();
            boolean allVisible = since.isEmpty() && window.low() == (forward ? fromVersion : 0);
            if (allVisible) {
                return window.slice(page, maxCount);
            }
            String sql = since.isPresent()
                    ? (forward ? streamForwardSinceSql : streamBackwardSinceSql)
                    : (forward ? streamForwardSql : streamBackwardSql);
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                int p = 1;
                statement.setString(p++, streamId);
                statement.setLong(p++, window.low());
                statement.setLong(p++, window.high());
                if (since.isPresent()) {
                    statement.setObject(p++, OffsetDateTime.ofInstant(since.get(), ZoneOffset.UTC));
                }
                statement.setInt(p, maxCount);
                return window.slice(readEvents(statement, maxCount, true), maxCount);
            }
        } catch (SQLException e) {
            throw failure("reading stream " + streamId, e);
        }
    }

    @Override
    public AllSlice readAll(Position from, ReadDirection direction, int maxCount, EventFilter filter) {
        StreamWindow.checkMaxCount(maxCount);
        checkOpen();
        boolean forward = direction == ReadDirection.FORWARD;
        StringBuilder sql = new StringBuilder(256)
                .append(PlanGuards.READ)
                .append("; SELECT ")
                .append(EVENT_COLUMNS)
                .append(" FROM ")
                .append(tables.events())
                .append(" WHERE (tx_id, global_position) ")
                .append(forward ? '>' : '<')
                .append(" (?::text::xid8, ?) AND tx_id < ")
                .append(XMIN);
        if (!filter.categories().isEmpty()) {
            sql.append(" AND category = ANY(?)");
        }
        if (!filter.eventTypes().isEmpty()) {
            sql.append(" AND type = ANY(?)");
        }
        sql.append(
                forward
                        ? " ORDER BY tx_id, global_position LIMIT ?"
                        : " ORDER BY tx_id DESC, global_position DESC LIMIT ?");
        try (Connection connection = readSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            int p = 1;
            statement.setString(p++, Long.toString(from.txId()));
            statement.setLong(p++, from.position());
            if (!filter.categories().isEmpty()) {
                statement.setArray(
                        p++,
                        connection.createArrayOf("text", filter.categories().toArray()));
            }
            if (!filter.eventTypes().isEmpty()) {
                statement.setArray(
                        p++,
                        connection.createArrayOf("text", filter.eventTypes().toArray()));
            }
            statement.setInt(p, maxCount == Integer.MAX_VALUE ? maxCount : maxCount + 1);
            List<RecordedEvent> page = readEvents(statement, maxCount + 1, true);
            boolean end = page.size() <= maxCount;
            if (!end) {
                page = page.subList(0, maxCount);
            }
            Position next = page.isEmpty() ? from : page.get(page.size() - 1).position();
            return new AllSlice(direction, page, next, end);
        } catch (SQLException e) {
            throw failure("reading the global log after " + from, e);
        }
    }

    @Override
    public AllSlice read(EventQuery query, Position after, int maxCount) {
        AppendValidation.requireArgument(query, "query");
        AppendValidation.requireArgument(after, "after");
        StreamWindow.checkMaxCount(maxCount);
        checkOpen();
        Queries.Statement read = queries.read(query, after, maxCount == Integer.MAX_VALUE ? maxCount : maxCount + 1);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(read.sql())) {
            read.bind(connection, statement);
            List<RecordedEvent> page = readEvents(statement, maxCount + 1, true);
            boolean end = page.size() <= maxCount;
            if (!end) {
                page = page.subList(0, maxCount);
            }
            Position next = page.isEmpty() ? after : page.get(page.size() - 1).position();
            return new AllSlice(ReadDirection.FORWARD, page, next, end);
        } catch (SQLException e) {
            throw failure("reading the " + query + " after " + after, e);
        }
    }

    @Override
    public Optional<StoredEventId> locateEvent(UUID eventId) {
        java.util.Objects.requireNonNull(eventId, "eventId");
        checkOpen();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(locateEventSql)) {
            statement.setObject(1, eventId);
            try (ResultSet rs = PlanGuards.rows(statement)) {
                return rs.next()
                        ? Optional.of(new StoredEventId(
                                eventId, rs.getString(1), rs.getLong(2), new Position(rs.getLong(3), rs.getLong(4))))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("looking up the event " + eventId, e);
        }
    }

    @Override
    public Position headPosition() {
        checkOpen();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(headSql);
                ResultSet rs = PlanGuards.rows(statement)) {
            return rs.next() ? new Position(rs.getLong(1), rs.getLong(2)) : Position.START;
        } catch (SQLException e) {
            throw failure("reading the head position", e);
        }
    }

    @Override
    public boolean awaitAppend(Position after, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoff = MIN_BACKOFF_MILLIS;
        long replayBackoff = MIN_REPLAY_BACKOFF_MILLIS;
        while (true) {
            checkOpen();
            long generation;
            synchronized (wakeups) {
                generation = wakeGeneration;
            }
            boolean pending;
            try (Connection connection = readSource.getConnection();
                    PreparedStatement statement = connection.prepareStatement(headAndPendingSql);
                    ResultSet rs = PlanGuards.rows(statement)) {
                rs.next();
                long tx = rs.getLong(1);
                Position head = rs.wasNull() ? Position.START : new Position(tx, rs.getLong(2));
                if (head.isAfter(after)) {
                    return true;
                }
                pending = rs.getBoolean(3);
            } catch (SQLException e) {
                throw failure("waiting for an append after " + after, e);
            }
            // a replica that has not replayed what the primary has: the notification came from the primary
            // before the replica had the events, so look again soon (replication takes milliseconds)
            boolean replaying = replicated && !pending && headPosition().isAfter(after);
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            // Committed events beyond the visible head wait for an older transaction to end, which sends
            // no notification: look again after a bounded backoff. Otherwise sleep until notified, but
            // never longer than a bounded re-check, in case the listener lost its connection unnoticed.
            long recheck = notifier.listening() ? RECHECK_MILLIS : UNLISTENED_RECHECK_MILLIS;
            long wait = Math.min(
                    remaining, TimeUnit.MILLISECONDS.toNanos(replaying ? replayBackoff : pending ? backoff : recheck));
            if (replaying) {
                replayBackoff = Math.min(MAX_REPLAY_BACKOFF_MILLIS, replayBackoff * 2);
            } else if (pending) {
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
            long until = System.nanoTime() + wait;
            synchronized (wakeups) {
                while (wakeGeneration == generation && !closed) {
                    long left = until - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    TimeUnit.NANOSECONDS.timedWait(wakeups, left);
                }
            }
        }
    }

    /** After an append transaction committed: wakes this store's waiters now, other stores' by NOTIFY. */
    private void committed() {
        wake();
        notifier.committed();
    }

    private void wake() {
        synchronized (wakeups) {
            wakeGeneration++;
            wakeups.notifyAll();
        }
    }

    /** The xmin horizon's age, the figure that tells a long transaction holding readers back. */
    @Override
    public java.util.Map<String, Long> figures() {
        return java.util.Map.of("xmin horizon age", xminHorizonAge());
    }

    /**
     * How far the visibility horizon lags: the number of transaction ids between the oldest transaction
     * still running ({@code pg_snapshot_xmin}) and the next one to start. Catch-up readers see nothing
     * beyond the oldest running transaction, so a large or growing value means a long-open transaction
     * holds them back.
     */
    @Override
    public long xminHorizonAge() {
        checkOpen();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT pg_snapshot_xmax(s)::text::bigint - pg_snapshot_xmin(s)::text::bigint"
                                + " FROM pg_current_snapshot() AS s");
                ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw failure("reading the xmin horizon", e);
        }
    }

    /** Reads a page of events; {@code guarded}: the statement has a {@link PlanGuards} guard first. */
    static List<RecordedEvent> readEvents(PreparedStatement statement, int capacity, boolean guarded)
            throws SQLException {
        List<RecordedEvent> events = new ArrayList<>(Math.min(capacity, 1024));
        try (ResultSet rs = guarded ? PlanGuards.rows(statement) : statement.executeQuery()) {
            while (rs.next()) {
                events.add(event(rs));
            }
        }
        return events;
    }

    /** The event in the first columns of the row, as {@link #EVENT_COLUMNS} lists them. */
    private static RecordedEvent event(ResultSet rs) throws SQLException {
        return new RecordedEvent(
                rs.getObject(1, UUID.class),
                rs.getString(2),
                rs.getLong(3),
                new Position(rs.getLong(4), rs.getLong(5)),
                rs.getString(6),
                rs.getInt(7),
                rs.getString(8),
                rs.getString(9),
                rs.getObject(10, OffsetDateTime.class).toInstant(),
                tags(rs.getArray(11)));
    }

    private static Set<String> tags(java.sql.Array array) throws SQLException {
        String[] tags = (String[]) array.getArray();
        return tags.length == 0 ? Set.of() : Set.of(tags);
    }

    // ---------------------------------------------------------------- stream management

    @Override
    public Optional<StreamInfo> streamInfo(String streamId) {
        StreamIds.requireValid(streamId);
        checkOpen();
        try (Connection connection = dataSource.getConnection()) {
            return streamInfo(connection, streamId, false);
        } catch (SQLException e) {
            throw failure("reading stream " + streamId, e);
        }
    }

    private Optional<StreamInfo> streamInfo(Connection connection, String streamId, boolean lock) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(lock ? lockStreamSql : streamRowSql)) {
            statement.setString(1, streamId);
            try (ResultSet rs = PlanGuards.rows(statement)) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new StreamInfo(
                        streamId,
                        rs.getLong(1),
                        StreamState.valueOf(rs.getString(2)),
                        StreamMetadataJson.read(streamId, rs.getString(3))));
            }
        }
    }

    @Override
    public void setStreamMetadata(String streamId, StreamMetadata metadata) {
        StreamIds.requireValid(streamId);
        AppendValidation.requireArgument(metadata, "metadata");
        checkOpen();
        boolean written = inTransaction("setting the metadata of stream " + streamId, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(setMetadataSql)) {
                statement.setString(1, streamId);
                statement.setString(2, StreamIds.category(streamId));
                statement.setString(3, StreamMetadataJson.write(metadata));
                try (ResultSet rs = statement.executeQuery()) {
                    return rs.next();
                }
            }
        });
        if (!written) {
            throw new StreamDeletedException(streamId);
        }
    }

    @Override
    public void deleteStream(String streamId, ExpectedVersion expected) {
        StreamIds.requireValid(streamId);
        AppendValidation.requireArgument(expected, "expected");
        checkOpen();
        inTransaction("deleting stream " + streamId, connection -> {
            Optional<StreamInfo> info = streamInfo(connection, streamId, true);
            long last = info.map(StreamInfo::lastVersion).orElse(ExpectedVersion.NO_STREAM_VERSION);
            StreamState state = info.map(StreamInfo::state).orElse(StreamState.ACTIVE);
            ExpectedVersions.check(streamId, expected, last, state);
            if (info.isEmpty() || state != StreamState.ACTIVE || last < 0) {
                throw new StreamNotFoundException(streamId);
            }
            try (PreparedStatement statement = connection.prepareStatement(softDeleteSql)) {
                statement.setString(
                        1, StreamMetadataJson.write(info.get().metadata().withTruncateBefore(last + 1)));
                statement.setString(2, streamId);
                statement.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public void tombstoneStream(String streamId, ExpectedVersion expected) {
        StreamIds.requireValid(streamId);
        AppendValidation.requireArgument(expected, "expected");
        checkOpen();
        inTransaction("tombstoning stream " + streamId, connection -> {
            while (true) {
                // the row, if there is one, is locked: the expected version holds until COMMIT
                Optional<StreamInfo> info = streamInfo(connection, streamId, true);
                ExpectedVersions.check(
                        streamId,
                        expected,
                        info.map(StreamInfo::lastVersion).orElse(ExpectedVersion.NO_STREAM_VERSION),
                        info.map(StreamInfo::state).orElse(StreamState.ACTIVE));
                if (info.isPresent()) {
                    try (PreparedStatement statement = connection.prepareStatement(tombstoneSql)) {
                        statement.setString(1, streamId);
                        statement.executeUpdate();
                    }
                    return true;
                }
                // no row to lock: create the tombstone only if no other transaction creates the stream first
                try (PreparedStatement statement = connection.prepareStatement(tombstoneNewSql)) {
                    statement.setString(1, streamId);
                    statement.setString(2, StreamIds.category(streamId));
                    try (ResultSet rs = statement.executeQuery()) {
                        if (rs.next()) {
                            return true;
                        }
                    }
                }
                // another transaction created the row meanwhile (an append, metadata): decide on it again
            }
        });
    }

    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs work in a transaction, again after a serialization failure or deadlock. */
    private <T> T inTransaction(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    T result = work.run(connection);
                    connection.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                } finally {
                    connection.setAutoCommit(true);
                }
            } catch (SQLException e) {
                if (!Sql.isRetryable(e) || attempt == RETRIES) {
                    throw failure(what, e);
                }
            }
        }
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        writer.close();
        notifier.close();
        wake();
        try {
            ownedPool.close();
        } catch (Exception e) {
            throw new StoreException("closing the connection pool of the PostgreSQL event store failed", e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreException("the PostgreSQL event store " + tables.events() + " is closed");
        }
    }

    private static StoreException failure(String what, SQLException e) {
        return new StoreException(what + " failed on the database: " + Sql.reason(e), e);
    }
}
