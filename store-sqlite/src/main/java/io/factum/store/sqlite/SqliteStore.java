package io.factum.store.sqlite;

import io.factum.core.AllSlice;
import io.factum.core.AppendCondition;
import io.factum.core.AppendConditionFailedException;
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
import io.factum.core.spi.Idempotency;
import io.factum.core.spi.StoredContent;
import io.factum.core.spi.StoredEventId;
import io.factum.core.spi.StreamWindow;
import io.factum.core.subscription.ProjectionException;
import io.factum.core.subscription.SqlProjection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/** The SQLite event store; see {@link SqliteEventStore} for what it guarantees. */
final class SqliteStore implements SqliteEventStore {

    /** How long a write waits for another process's write lock before it fails. */
    static final int BUSY_TIMEOUT_MILLIS = 10_000;

    /** How often a caller of {@link #awaitAppend} checks the file for appends made by other processes. */
    static final long FOREIGN_APPEND_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** The writer's page cache, in KiB (SQLite's negative cache_size). */
    private static final int WRITER_CACHE_KIB = -64 * 1024;

    private static final long MIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final int READ_CONNECTIONS =
            Math.min(4, Math.max(2, Runtime.getRuntime().availableProcessors()));

    private static final String HEAD = "SELECT coalesce(max(global_position), 0) FROM factum_events";
    private static final String FIRST = "SELECT coalesce(min(global_position), 0) FROM factum_events";

    /** Where an event id is stored: the lookup of idempotent appends and of {@link #locateEvent}. */
    static final String SELECT_EVENT_BY_ID =
            "SELECT stream_id, stream_version, global_position FROM factum_events WHERE event_id = ?";

    private static final String SELECT_CONTENT_BY_ID = "SELECT type, data FROM factum_events WHERE event_id = ?";

    private final String file;
    private final StoreOptions options;
    private final ReadPool reads;
    private final Writer writer;
    private final SqliteSnapshotStore snapshots;
    private final SqliteCheckpointStore checkpoints;
    private final SqliteLeaseStore leases;
    private final SqliteDeadlineStore deadlines;
    private final SqliteSubjectKeyStore subjectKeys;
    private final InlineProjections inline;

    /** The highest position known to be committed, in this process or (checked while awaiting) another. */
    private final AtomicLong knownHead = new AtomicLong();

    private final AtomicLong lastForeignCheck = new AtomicLong(System.nanoTime() - FOREIGN_APPEND_CHECK_NANOS);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    private volatile boolean closed;

    private SqliteStore(String file, StoreOptions options, WriteSession session, InlineProjections inline) {
        this.file = file;
        this.options = options;
        this.reads = new ReadPool(file, READ_CONNECTIONS, () -> openReadConnection(file));
        this.writer =
                new Writer(file, session, () -> new WriteSession(openWriteConnection(file, false)), this::committed);
        this.snapshots = new SqliteSnapshotStore(file, writer, reads);
        this.checkpoints = new SqliteCheckpointStore(file, writer, reads, options.clock());
        this.leases = new SqliteLeaseStore(file, writer, reads, options.clock());
        this.deadlines = new SqliteDeadlineStore(file, writer, reads);
        this.subjectKeys = new SqliteSubjectKeyStore(file, writer, reads, options.clock());
        this.inline = inline;
    }

    static SqliteStore open(Path path) {
        return open(path, StoreOptions.defaults());
    }

    static SqliteStore open(Path path, StoreOptions options) {
        return open(path, options, List.of());
    }

    /**
     * Opens the store; before it is returned (so before any append of this process), each inline projection
     * is brought up to the head of the log in a write of its own.
     */
    static SqliteStore open(Path path, StoreOptions options, List<SqlProjection> projections) {
        InlineProjections inline = new InlineProjections(projections, options.clock());
        Path absolute = path.toAbsolutePath();
        String file = absolute.toString();
        Connection connection = null;
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
            connection = openWriteConnection(file, true);
            Schema.migrate(connection, file, options.clock());
            SqliteStore store = new SqliteStore(file, options, new WriteSession(connection), inline);
            store.knownHead.set(store.headPosition().position());
            store.writer.start();
            // the writer owns the connection now, and closes it when the store closes
            connection = null;
            try {
                for (SqlProjection projection : inline.projections()) {
                    store.writer.submit(session -> {
                        inline.prepare(session, projection);
                        return Boolean.TRUE;
                    });
                }
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
            return store;
        } catch (IOException | SQLException | RuntimeException e) {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException close) {
                    e.addSuppressed(close);
                }
            }
            if (e instanceof StoreException storeException) {
                throw storeException;
            }
            if (e instanceof ProjectionException projectionException) {
                throw projectionException;
            }
            throw new StoreException(SqliteFault.of(e).openFailed(file, e), e);
        }
    }

    /**
     * Opens the write connection with the store's settings: when the store opens ({@code create}: the file
     * is created if missing), and again after a failure of the storage closed the last one (then a missing
     * file fails the open instead of starting an empty store in its place).
     */
    private static Connection openWriteConnection(String file, boolean create) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        if (!create) {
            config.resetOpenMode(SQLiteOpenMode.CREATE);
        }
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        // random event ids make the unique index's inserts land all over it: keep more of it in memory
        config.setCacheSize(WRITER_CACHE_KIB);
        // savepoints and multi-row statements keep the pages they may have to restore in a sub-journal: in
        // memory, not in a temporary file opened, written and deleted by every transaction
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        // the driver would otherwise run a query for generated keys after every INSERT; appends read
        // last_insert_rowid() themselves, once
        config.setGetGeneratedKeys(false);
        return config.createConnection("jdbc:sqlite:" + file);
    }

    private static Connection openReadConnection(String file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        Connection connection = config.createConnection("jdbc:sqlite:" + file);
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA query_only = true");
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    // ---------------------------------------------------------------------------------------------- writes

    @Override
    public AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events) {
        AppendValidation.validate(streamId, expected, events, options.limits());
        checkOpen();
        List<EventData> batch = List.copyOf(events);
        return writer.submit(session -> appendInTransaction(session, streamId, expected, batch));
    }

    /** The original result if the append repeats one stored before (ids, place and content). */
    private static Optional<AppendResult> retry(
            WriteSession session, String streamId, ExpectedVersion expected, List<EventData> events)
            throws SQLException {
        Map<UUID, StoredEventId> stored = session.storedIds(events);
        Optional<AppendResult> retry = Idempotency.evaluate(streamId, expected, events, stored);
        if (retry.isPresent()) {
            Idempotency.requireSameContent(streamId, events, stored, contents(session, events));
        }
        return retry;
    }

    private AppendResult appendInTransaction(
            WriteSession session, String streamId, ExpectedVersion expected, List<EventData> events)
            throws SQLException {
        StreamRow row = session.stream(streamId);
        if (row != null && row.state() == StreamState.TOMBSTONED) {
            throw new StreamDeletedException(streamId);
        }
        long last = row == null ? ExpectedVersion.NO_STREAM_VERSION : row.lastVersion();
        StreamState state = row == null ? StreamState.ACTIVE : row.state();
        if (!ExpectedVersions.holds(expected, last, state)) {
            // a retry of an append that moved the stream on, or a real conflict
            Optional<AppendResult> retry = retry(session, streamId, expected, events);
            if (retry.isPresent()) {
                return retry.get();
            }
            ExpectedVersions.check(streamId, expected, last, state);
            throw new IllegalStateException("stream " + streamId + ": expected " + expected + " both failed and held");
        }
        long position;
        Instant recordedAt = StreamWindow.recordedAt(options.clock());
        try {
            position = session.insertEvents(streamId, last + 1, events, recordedAt);
        } catch (SQLException e) {
            if (!WriteSession.isDuplicateEventId(e)) {
                throw e;
            }
            // insertEvents left nothing behind: what is stored under these ids was stored before
            return retry(session, streamId, expected, events)
                    .orElseThrow(() -> new StoreException(
                            "stream " + streamId + ": the store reported a duplicate event id but none is stored", e));
        }
        long newLast = last + events.size();
        if (row == null) {
            session.insertStream(streamId, newLast, StreamState.ACTIVE, StreamRow.json(StreamMetadata.empty()));
        } else {
            session.updateStream(streamId, newLast, StreamState.ACTIVE, row.metadataJson());
        }
        if (!inline.isEmpty()) {
            // a failing projection throws, and the writer rolls the whole append back
            inline.applyAppend(session, streamId, last + 1, events, position, recordedAt);
        }
        return new AppendResult(streamId, newLast, Position.of(position));
    }

    @Override
    public AppendResults append(List<StreamAppend> appends, AppendCondition condition) {
        AppendValidation.validate(appends, condition, options.limits());
        checkOpen();
        List<StreamAppend> parts = List.copyOf(appends);
        return writer.submit(session -> appendInTransaction(session, parts, condition));
    }

    /**
     * A multi-stream or conditional append, decided in the writer's transaction: the single writer makes
     * the checks and the write one atomic step. Ids first (a retry returns the original results even if
     * its own events now match the condition), then the expected versions, then the condition.
     */
    private AppendResults appendInTransaction(
            WriteSession session, List<StreamAppend> appends, AppendCondition condition) throws SQLException {
        List<StreamRow> rows = new ArrayList<>(appends.size());
        List<EventData> all = new ArrayList<>();
        for (StreamAppend part : appends) {
            StreamRow row = session.stream(part.streamId());
            if (row != null && row.state() == StreamState.TOMBSTONED) {
                throw new StreamDeletedException(part.streamId());
            }
            rows.add(row);
            all.addAll(part.events());
        }
        Map<UUID, StoredEventId> stored = session.storedIds(all);
        if (!stored.isEmpty()) {
            Optional<AppendResults> retry = Idempotency.evaluateAll(appends, stored, contents(session, all));
            if (retry.isPresent()) {
                return retry.get();
            }
        }
        for (int i = 0; i < appends.size(); i++) {
            StreamRow row = rows.get(i);
            ExpectedVersions.check(
                    appends.get(i).streamId(),
                    appends.get(i).expected(),
                    row == null ? ExpectedVersion.NO_STREAM_VERSION : row.lastVersion(),
                    row == null ? StreamState.ACTIVE : row.state());
        }
        if (condition instanceof AppendCondition.FailIfEventsMatch failIf
                && failIf.after().txId() == 0) {
            // a position with a txId above 0 is after every event of this store: nothing can match after it
            Queries.Statement check =
                    Queries.events(failIf.query(), failIf.after().position(), 1);
            PreparedStatement statement = session.prepare(check.sql());
            check.bind(statement);
            List<RecordedEvent> matched = fetch(statement, 1);
            if (!matched.isEmpty()) {
                RecordedEvent event = matched.get(0);
                throw new AppendConditionFailedException(
                        appends.get(0).streamId(),
                        failIf.query(),
                        failIf.after(),
                        event.position(),
                        event.streamId(),
                        event.type());
            }
        }
        Instant recordedAt = StreamWindow.recordedAt(options.clock());
        List<AppendResult> results = new ArrayList<>(appends.size());
        for (int i = 0; i < appends.size(); i++) {
            StreamAppend part = appends.get(i);
            StreamRow row = rows.get(i);
            long last = row == null ? ExpectedVersion.NO_STREAM_VERSION : row.lastVersion();
            long position = session.insertEvents(part.streamId(), last + 1, part.events(), recordedAt);
            long newLast = last + part.events().size();
            if (row == null) {
                session.insertStream(
                        part.streamId(), newLast, StreamState.ACTIVE, StreamRow.json(StreamMetadata.empty()));
            } else {
                session.updateStream(part.streamId(), newLast, StreamState.ACTIVE, row.metadataJson());
            }
            if (!inline.isEmpty()) {
                inline.applyAppend(session, part.streamId(), last + 1, part.events(), position, recordedAt);
            }
            results.add(new AppendResult(part.streamId(), newLast, Position.of(position)));
        }
        return new AppendResults(results);
    }

    private static Map<UUID, StoredContent> contents(WriteSession session, List<EventData> events) throws SQLException {
        Map<UUID, StoredContent> contents = new HashMap<>();
        try (PreparedStatement select = session.connection().prepareStatement(SELECT_CONTENT_BY_ID)) {
            for (EventData event : events) {
                select.setBytes(1, Rows.bytes(event.eventId()));
                try (ResultSet rows = select.executeQuery()) {
                    if (rows.next()) {
                        contents.put(event.eventId(), new StoredContent(rows.getString(1), rows.getString(2)));
                    }
                }
            }
        }
        return contents;
    }

    @Override
    public void setStreamMetadata(String streamId, StreamMetadata metadata) {
        StreamIds.requireValid(streamId);
        AppendValidation.requireArgument(metadata, "metadata");
        checkOpen();
        String json = StreamRow.json(metadata);
        writer.submit(session -> {
            StreamRow row = session.stream(streamId);
            if (row == null) {
                session.insertStream(streamId, ExpectedVersion.NO_STREAM_VERSION, StreamState.ACTIVE, json);
            } else if (row.state() == StreamState.TOMBSTONED) {
                throw new StreamDeletedException(streamId);
            } else {
                session.updateStream(streamId, row.lastVersion(), row.state(), json);
            }
            return Boolean.TRUE;
        });
    }

    @Override
    public void deleteStream(String streamId, ExpectedVersion expected) {
        StreamIds.requireValid(streamId);
        AppendValidation.requireArgument(expected, "expected");
        checkOpen();
        writer.submit(session -> {
            StreamRow row = session.stream(streamId);
            long last = row == null ? ExpectedVersion.NO_STREAM_VERSION : row.lastVersion();
            StreamState state = row == null ? StreamState.ACTIVE : row.state();
            ExpectedVersions.check(streamId, expected, last, state);
            if (row == null || state != StreamState.ACTIVE || last < 0) {
                throw new StreamNotFoundException(streamId);
            }
            StreamMetadata hidden = row.metadata(streamId).withTruncateBefore(last + 1);
            session.updateStream(streamId, last, StreamState.SOFT_DELETED, StreamRow.json(hidden));
            return Boolean.TRUE;
        });
    }

    @Override
    public void tombstoneStream(String streamId, ExpectedVersion expected) {
        StreamIds.requireValid(streamId);
        AppendValidation.requireArgument(expected, "expected");
        checkOpen();
        writer.submit(session -> {
            StreamRow row = session.stream(streamId);
            long last = row == null ? ExpectedVersion.NO_STREAM_VERSION : row.lastVersion();
            StreamState state = row == null ? StreamState.ACTIVE : row.state();
            ExpectedVersions.check(streamId, expected, last, state);
            if (row == null) {
                session.insertStream(streamId, last, StreamState.TOMBSTONED, StreamRow.json(StreamMetadata.empty()));
            } else {
                session.updateStream(streamId, last, StreamState.TOMBSTONED, row.metadataJson());
            }
            return Boolean.TRUE;
        });
    }

    /** Wakes {@link #awaitAppend} callers after a commit. */
    private void committed(long highestPosition) {
        if (highestPosition <= 0) {
            return;
        }
        lock.lock();
        try {
            knownHead.accumulateAndGet(highestPosition, Math::max);
            appended.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ----------------------------------------------------------------------------------------------- reads

    @Override
    public StreamSlice readStream(String streamId, ReadDirection direction, long fromVersion, int maxCount) {
        StreamIds.requireValid(streamId);
        StreamWindow.checkReadArguments(fromVersion, maxCount);
        checkOpen();
        return reads.read("stream " + streamId, lease -> {
            StreamRow row = StreamRow.find(lease.prepare(StreamRow.SELECT), streamId);
            if (row != null && row.state() == StreamState.TOMBSTONED) {
                throw new StreamDeletedException(streamId);
            }
            Instant now = options.clock().instant();
            StreamWindow window = row == null
                    ? StreamWindow.of(
                            streamId,
                            direction,
                            fromVersion,
                            ExpectedVersion.NO_STREAM_VERSION,
                            StreamState.ACTIVE,
                            StreamMetadata.empty(),
                            now)
                    : StreamWindow.of(
                            streamId,
                            direction,
                            fromVersion,
                            row.lastVersion(),
                            row.state(),
                            row.metadata(streamId),
                            now);
            if (window.isEmpty()) {
                return window.slice(List.of(), maxCount);
            }
            Optional<Instant> oldest = window.recordedNotBefore();
            PreparedStatement query = lease.prepare(streamQuery(direction, oldest.isPresent()));
            query.setString(1, streamId);
            query.setLong(2, window.low());
            query.setLong(3, window.high());
            int next = 4;
            if (oldest.isPresent()) {
                query.setLong(next++, ceilMicros(oldest.get()));
            }
            query.setInt(next, maxCount);
            return window.slice(fetch(query, maxCount), maxCount);
        });
    }

    private static String streamQuery(ReadDirection direction, boolean byAge) {
        return "SELECT " + Rows.EVENT_COLUMNS + " FROM factum_events"
                + " WHERE stream_id = ? AND stream_version BETWEEN ? AND ?"
                + (byAge ? " AND recorded_at >= ?" : "")
                + " ORDER BY stream_version " + (direction == ReadDirection.FORWARD ? "ASC" : "DESC")
                + " LIMIT ?";
    }

    @Override
    public AllSlice readAll(Position from, ReadDirection direction, int maxCount, EventFilter filter) {
        StreamWindow.checkMaxCount(maxCount);
        checkOpen();
        boolean forward = direction == ReadDirection.FORWARD;
        if (forward && from.txId() > 0) {
            // every event of this store has txId 0, so nothing comes after a checkpoint with a larger one
            return new AllSlice(direction, List.of(), from, true);
        }
        return reads.read("the global log", lease -> {
            // a filter drives the query by the index of one dimension (categories if any) and checks the
            // other; each value reads at most maxCount rows in order, and the union is merged and cut
            boolean byCategory = !filter.categories().isEmpty();
            Set<String> driving = byCategory ? filter.categories() : filter.eventTypes();
            Set<String> checked = byCategory ? filter.eventTypes() : Set.of();
            PreparedStatement query =
                    lease.prepare(allQuery(forward, byCategory ? "category" : "type", driving.size(), checked.size()));
            int index = 1;
            for (String value : driving.isEmpty() ? List.of("") : driving) {
                if (!driving.isEmpty()) {
                    query.setString(index++, value);
                }
                query.setLong(index++, from.position());
                for (String type : checked) {
                    query.setString(index++, type);
                }
                query.setInt(index++, maxCount);
            }
            if (driving.size() > 1) {
                query.setInt(index, maxCount);
            }
            List<RecordedEvent> page = fetch(query, maxCount);
            if (page.isEmpty()) {
                return new AllSlice(direction, page, from, true);
            }
            long lastRead = page.get(page.size() - 1).position().position();
            boolean end = page.size() < maxCount || lastRead == scalar(lease, forward ? HEAD : FIRST);
            return new AllSlice(direction, page, Position.of(lastRead), end);
        });
    }

    @Override
    public AllSlice read(EventQuery query, Position after, int maxCount) {
        AppendValidation.requireArgument(query, "query");
        AppendValidation.requireArgument(after, "after");
        StreamWindow.checkMaxCount(maxCount);
        checkOpen();
        if (after.txId() > 0) {
            return new AllSlice(ReadDirection.FORWARD, List.of(), after, true);
        }
        return reads.read("the events of " + query, lease -> {
            Queries.Statement read = Queries.events(query, after.position(), maxCount);
            PreparedStatement statement = lease.prepare(read.sql());
            read.bind(statement);
            List<RecordedEvent> page = fetch(statement, maxCount);
            Position next = page.isEmpty() ? after : page.get(page.size() - 1).position();
            return new AllSlice(ReadDirection.FORWARD, page, next, page.size() < maxCount);
        });
    }

    private static String allQuery(boolean forward, String drivingColumn, int driving, int checked) {
        String order = " ORDER BY global_position " + (forward ? "ASC" : "DESC");
        StringBuilder one =
                new StringBuilder("SELECT ").append(Rows.EVENT_COLUMNS).append(" FROM factum_events WHERE ");
        if (driving > 0) {
            one.append(drivingColumn).append(" = ? AND ");
        }
        one.append("global_position ").append(forward ? ">" : "<").append(" ?");
        if (checked > 0) {
            one.append(" AND type IN (").append("?, ".repeat(checked - 1)).append("?)");
        }
        one.append(order).append(" LIMIT ?");
        if (driving <= 1) {
            return one.toString();
        }
        StringBuilder union = new StringBuilder();
        for (int i = 0; i < driving; i++) {
            union.append(i == 0 ? "" : " UNION ALL ")
                    .append("SELECT * FROM (")
                    .append(one)
                    .append(')');
        }
        return union.append(order).append(" LIMIT ?").toString();
    }

    private static List<RecordedEvent> fetch(PreparedStatement query, int maxCount) throws SQLException {
        List<RecordedEvent> page = new ArrayList<>(Math.min(maxCount, 256));
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                page.add(Rows.event(rows));
            }
        }
        return page;
    }

    private static long scalar(ReadPool.Lease lease, String sql) throws SQLException {
        try (ResultSet rows = lease.prepare(sql).executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Override
    public Optional<StoredEventId> locateEvent(UUID eventId) {
        Objects.requireNonNull(eventId, "eventId");
        checkOpen();
        return reads.read("where the event " + eventId + " is stored", lease -> {
            PreparedStatement select = lease.prepare(SELECT_EVENT_BY_ID);
            select.setBytes(1, Rows.bytes(eventId));
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(
                        new StoredEventId(eventId, rows.getString(1), rows.getLong(2), Position.of(rows.getLong(3))));
            }
        });
    }

    @Override
    public Position headPosition() {
        checkOpen();
        long head = readHead();
        knownHead.accumulateAndGet(head, Math::max);
        return head == 0 ? Position.START : Position.of(head);
    }

    private long readHead() {
        return reads.read("the head of the global log", lease -> scalar(lease, HEAD));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Appends through this store object wake the caller at once. Appends by another process (or another
     * store object on the same file) are noticed by reading the log's head about every 200 ms while at
     * least one caller waits.
     */
    @Override
    public boolean awaitAppend(Position after, Duration timeout) throws InterruptedException {
        checkOpen();
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        while (true) {
            long checked = lastForeignCheck.get();
            if (System.nanoTime() - checked >= FOREIGN_APPEND_CHECK_NANOS
                    && lastForeignCheck.compareAndSet(checked, System.nanoTime())) {
                // one waiter at a time reads the head; the others see the result in knownHead
                knownHead.accumulateAndGet(readHead(), Math::max);
            }
            lock.lock();
            try {
                checkOpen();
                if (Position.of(knownHead.get()).isAfter(after)) {
                    return true;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                long untilCheck = FOREIGN_APPEND_CHECK_NANOS - (System.nanoTime() - lastForeignCheck.get());
                appended.awaitNanos(Math.min(remaining, Math.max(untilCheck, MIN_WAIT_NANOS)));
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public Optional<StreamInfo> streamInfo(String streamId) {
        StreamIds.requireValid(streamId);
        checkOpen();
        return reads.read("stream " + streamId, lease -> {
            StreamRow row = StreamRow.find(lease.prepare(StreamRow.SELECT), streamId);
            return Optional.ofNullable(row)
                    .map(r -> new StreamInfo(streamId, r.lastVersion(), r.state(), r.metadata(streamId)));
        });
    }

    // --------------------------------------------------------------------------------------------- closing

    /**
     * Fails writes still queued with {@link StoreException}, lets a running batch commit, wakes waiters and
     * closes the connections. Closing again does nothing.
     */
    @Override
    public void close() {
        closed = true;
        writer.close();
        reads.close();
        lock.lock();
        try {
            appended.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreException("the SQLite store " + file + " is closed");
        }
    }

    /** The snapshot store kept in this store's file. */
    @Override
    public SqliteSnapshotStore snapshots() {
        return snapshots;
    }

    /** The checkpoint store kept in this store's file. */
    @Override
    public SqliteCheckpointStore checkpoints() {
        return checkpoints;
    }

    /** The lease store kept in this store's file. */
    @Override
    public SqliteLeaseStore leases() {
        return leases;
    }

    /** The deadline store kept in this store's file. */
    @Override
    public SqliteDeadlineStore deadlines() {
        return deadlines;
    }

    /** The subject keys kept in this store's file. */
    @Override
    public SqliteSubjectKeyStore subjectKeys() {
        return subjectKeys;
    }

    /** The writer, for its statistics and for tests of group commit. */
    Writer writer() {
        return writer;
    }

    @Override
    public Optional<String> writeProblem() {
        return writer.failing();
    }

    @Override
    public WriterStatistics writerStatistics() {
        return new WriterStatistics(
                writer.transactions(), writer.durableTransactions(), writer.writes(), writer.failedTransactions());
    }

    /** The writer's counts, as figures an operator watches. */
    @Override
    public java.util.Map<String, Long> figures() {
        WriterStatistics statistics = writerStatistics();
        return java.util.Map.of(
                "writer transactions", statistics.transactions(),
                "writer durable transactions", statistics.durableTransactions(),
                "writer failed transactions", statistics.failedTransactions());
    }

    /** The file, for messages and tests. */
    String file() {
        return file;
    }

    private static long ceilMicros(Instant instant) {
        long micros = Rows.micros(instant);
        return instant.getNano() % 1000 == 0 ? micros : micros + 1;
    }

    @Override
    public String toString() {
        return "SqliteEventStore[" + file + "]";
    }
}
