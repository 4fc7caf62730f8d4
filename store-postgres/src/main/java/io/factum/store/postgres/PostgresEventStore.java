package io.factum.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.factum.core.EventStore;
import io.factum.core.SqlEventStore;
import io.factum.core.StoreOptions;
import io.factum.core.aggregate.SnapshotStore;
import io.factum.core.gdpr.SubjectKeyStore;
import io.factum.core.process.DeadlineStore;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.ProjectionContext;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.SqlProjection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Opens the production event store on PostgreSQL 13 or newer.
 *
 * <pre>{@code
 * PostgresEventStore store = PostgresEventStore.builder()
 *         .jdbcUrl("jdbc:postgresql://db:5432/app")
 *         .username("app")
 *         .password(secret)
 *         .open();
 * }</pre>
 *
 * <p><b>Tables.</b> The store creates and migrates its own tables ({@code factum_streams}, {@code
 * factum_events}, {@code factum_checkpoints}, {@code factum_snapshots}, {@code factum_deadlines}, the read
 * side's {@code factum_parked_events}, {@code factum_projection_versions}, {@code factum_group_members} and
 * {@code factum_leases}, the subject keys of crypto-shredding {@code factum_subject_keys}, and the migration log {@code factum_schema_migrations}) when it opens, under an advisory lock, so several
 * processes may start at once. The prefix and the schema are configurable.
 *
 * <p><b>Appends</b> take no global lock: each locks the rows of its own streams. Concurrent appends are
 * coalesced by group commit: a writer thread takes every append waiting and runs them in one transaction
 * (one WAL flush for all), while each still succeeds or fails on its own expected version and idempotency.
 * An append returns only after its transaction committed.
 *
 * <p><b>Gap-free reads.</b> Every event carries the id of the transaction that wrote it, and the global log
 * is ordered by (transaction id, position) — the {@link io.factum.core.Position} pair. Forward reads return
 * only events of transactions older than the oldest transaction still running ({@code
 * pg_snapshot_xmin(pg_current_snapshot())}), so a transaction that took a lower position but commits late
 * is never skipped by a reader that already moved on.
 *
 * <p><b>Operations: long transactions.</b> The flip side of gap-free reads is that one transaction left
 * open on the database (an idle session inside {@code BEGIN}, a stuck migration, a long report) holds back
 * every catch-up reader and subscriber of the store until it ends, even if it never touches Factum's
 * tables. Set {@code idle_in_transaction_session_timeout} (for example {@code 60s}) for the application's
 * database roles, keep reporting queries off the primary or in short transactions, and watch {@link
 * #xminHorizonAge()}. Prepared transactions ({@code PREPARE TRANSACTION}, left by a two-phase
 * commit coordinator) hold readers back the same way until they are committed or rolled back; find them in
 * {@code pg_prepared_xacts}.
 *
 * <p><b>Connections.</b> The store keeps writers + 2 connections for good (one per group-commit writer
 * thread, the {@code LISTEN} connection and the {@code NOTIFY} sender) and borrows more for reads, waits
 * and lone appends (a lone append runs on its caller's thread). A pool needs at least writers + 3
 * connections ({@value #DEFAULT_WRITERS} + 3 = 5 by default), more with many threads reading at once.
 *
 * <p><b>Wake-ups.</b> After appends commit, the store sends one coalesced {@code pg_notify} on a
 * connection of its own (not inside the append transaction, where it would serialize commits); {@link
 * EventStore#awaitAppend} listens on a dedicated connection and wakes on appends of any process.
 *
 * <p>The store is thread-safe. {@link EventStore#close()} fails queued appends with {@link
 * io.factum.core.StoreException}, stops the writer and listener threads and closes the pool the store
 * created (never a {@link DataSource} given to it).
 */
public interface PostgresEventStore extends SqlEventStore {

    /** How long a call waits for a connection by default: see {@link Builder#connectionTimeout}. */
    Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);

    /** How long one statement may run by default: see {@link Builder#statementTimeout}. */
    Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(30);

    /** How long a statement may wait for a lock by default: see {@link Builder#lockTimeout}. */
    Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(10);

    /** The default table prefix. */
    String DEFAULT_TABLE_PREFIX = "factum_";

    /** The default number of writer threads (each with its own connection). */
    int DEFAULT_WRITERS = 2;

    /**
     * How far the visibility horizon of the store's database lags, for operators to watch: the number of
     * transaction ids between the oldest transaction still running ({@code pg_snapshot_xmin}) and the
     * newest ({@code pg_snapshot_xmax}), of any database of the server. Catch-up readers and subscribers see
     * nothing beyond the oldest running transaction, so a large or growing value means a long-open
     * transaction holds them back (an idle session inside {@code BEGIN}, a long report, a prepared
     * transaction not yet committed or rolled back). 0 or a small number is healthy.
     *
     * @throws io.factum.core.StoreException if the store is closed or the database cannot be reached
     */
    long xminHorizonAge();

    /**
     * The snapshot store of a PostgreSQL event store, for {@code DeciderRepository.Builder.snapshots}: snapshots kept in the store's {@code
     * snapshots} table ({@code factum_snapshots} by default), one per stream, replaced only by one at the same
     * or a higher version, so concurrent saves (from several threads or processes) end with the highest.
     *
     * <p>Each save is one upsert and each load one query, on a connection borrowed from the store's pool in
     * autocommit: snapshots are a cache, so saves do not go through group commit and never hold up appends.
     * The taken-at time is kept to the microsecond and the data as {@code jsonb} (the same JSON meaning, not
     * the same text). A snapshot is refused with {@link IllegalArgumentException} before anything is kept if
     * it breaks the rules of {@link io.factum.core.spi.SnapshotValidation}, the same on every store, or if
     * PostgreSQL refuses one of its values. The snapshot store is thread-safe, lives as long as the event
     * store and refuses every call with {@link io.factum.core.StoreException} once it is closed. Snapshots
     * are not removed when their stream is deleted.
     *
     * <pre>{@code
     * PostgresEventStore store = PostgresEventStore.builder().jdbcUrl(url).open();
     * var accounts = DeciderRepository.builder(store, serializer, "account", decider, AccountEvent.class)
     *         .snapshots(store.snapshots(), SnapshotPolicy.everyEvents(100), Account.class, 1)
     *         .build();
     * }</pre>
     */
    @Override
    SnapshotStore snapshots();

    /**
     * The checkpoint store of a PostgreSQL event store, for subscriptions, SQL projections and consumer
     * groups: checkpoints in the store's {@code checkpoints} table, parked events in {@code parked_events}
     * and the active versions of projections in {@code projection_versions}, all in the store's database.
     *
     * <p>A checkpoint moves by compare-and-set, one statement that changes the row only if it is still at
     * the expected position: of writers racing from any number of threads or processes exactly one wins,
     * the others fail with {@link io.factum.core.subscription.CheckpointConflictException} and write
     * nothing. {@link SqlCheckpointStore#commit} runs the projection's SQL and the move in one transaction
     * on a connection borrowed from the store's pool (not through group commit), so each event affects the
     * read model exactly once; a failure of the work rolls everything back and is thrown as {@link
     * io.factum.core.StoreException} with the SQLException as its cause. A fenced save or commit first locks
     * the bucket's lease row ({@code SELECT ... FOR SHARE}) and checks that it is still the caller's lease
     * (same member and epoch, not expired by the clock of {@link #leases()}): a member taking the bucket over updates
     * that row, so it waits for a running commit, and a commit that starts after the takeover fails with
     * {@link io.factum.core.subscription.LeaseLostException} and writes nothing.
     *
     * <p>The SQL of {@code commit}, {@code execute} and {@code query} runs in a transaction whose {@code
     * search_path} starts with the store's schema (when one is set with {@link Builder#schema}), so a read
     * model's unqualified table names resolve there; the setting ends with the transaction.
     *
     * <p>The checkpoint store is thread-safe, lives as long as the event store and refuses every call with
     * {@link io.factum.core.StoreException} once it is closed.
     */
    @Override
    SqlCheckpointStore checkpoints();

    /**
     * The lease store of a PostgreSQL event store, for consumer groups: members in the store's {@code
     * group_members} table, bucket leases in {@code leases}. Members of a group may run in separate
     * processes and machines: they share the database, and with the system clock in the store's {@link
     * StoreOptions} (the default) every expiry is computed and judged by the database's clock ({@code
     * clock_timestamp()}), never a JVM's, so a member with a skewed clock can neither keep a lease too long
     * nor take one too early. A store opened with another clock (a test's controllable clock) judges expiry
     * by that clock instead, and then every process of a group must share it. Taking a bucket is one upsert
     * decided under the row's lock: free, expired or one's own, and the epoch grows whenever the bucket
     * changes hands.
     *
     * <p>The lease store is thread-safe and refuses every call with {@link io.factum.core.StoreException}
     * once the event store is closed.
     */
    @Override
    LeaseStore leases();

    /**
     * The deadline store of a PostgreSQL event store, for process managers: deadlines in the store's {@code
     * deadlines} table, so one whose time passed while the application was down fires when it starts
     * again. Due times are kept to the microsecond (truncated) and compared with the time the caller
     * passes to {@link DeadlineStore#due}, not the database's clock. Each call is one statement on a
     * pooled connection; thread-safe; refuses every call with {@link io.factum.core.StoreException} once
     * the event store is closed.
     */
    @Override
    DeadlineStore deadlines();

    /**
     * The subject key store of a PostgreSQL event store, for crypto-shredding with {@code
     * EventSerializer.withPersonalData}: keys in the store's {@code subject_keys} table. A first key is
     * inserted with {@code ON CONFLICT DO NOTHING} and read back, so racing creators in any process end
     * with one key; a forget deletes the key bytes in one statement and keeps the row, so no new key is
     * made. Keys are kept in the clear in the database (see docs/gdpr.md). Thread-safe; refuses every call
     * with {@link io.factum.core.StoreException} once the event store is closed.
     */
    @Override
    SubjectKeyStore subjectKeys();

    /**
     * Opens a store on an existing data source (which should pool connections), with default options and
     * the default table prefix in the connection's default schema. The store keeps {@value
     * #DEFAULT_WRITERS} + 2 connections for good (its writers, listener and notification sender) and
     * borrows more for reads and lone appends, so the pool needs at least {@value #DEFAULT_WRITERS} + 3;
     * the data source stays open when the store closes.
     *
     * @throws IllegalArgumentException if the data source is a {@link HikariDataSource} with a smaller
     *     maximum pool size
     * @throws io.factum.core.StoreException if the tables cannot be created or migrated
     */
    static PostgresEventStore open(DataSource dataSource) {
        return builder().dataSource(dataSource).open();
    }

    /** Opens a store on an existing data source with the given options; see {@link #open(DataSource)}. */
    static PostgresEventStore open(DataSource dataSource, StoreOptions options) {
        return builder().dataSource(dataSource).options(options).open();
    }

    /** A builder for a store with its own connection pool, or with other settings. */
    static Builder builder() {
        return new Builder();
    }

    /** The settings of a store; {@link #open()} opens it. Not thread-safe. */
    final class Builder {
        private @Nullable DataSource dataSource;
        private @Nullable String jdbcUrl;
        private @Nullable String username;
        private @Nullable String password;
        private @Nullable String schema;
        private String tablePrefix = DEFAULT_TABLE_PREFIX;
        private StoreOptions options = StoreOptions.defaults();
        private int writers = DEFAULT_WRITERS;
        private int maxPoolSize = 16;
        private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
        private Duration statementTimeout = DEFAULT_STATEMENT_TIMEOUT;
        private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;
        private final List<SqlProjection> inlineProjections = new ArrayList<>();
        private @Nullable DataSource replica;
        private @Nullable String replicaUrl;

        private Builder() {}

        /**
         * The database to connect to, e.g. {@code jdbc:postgresql://localhost:5432/app}. To follow a fail-over,
         * name the primary and its standbys and ask for the primary ({@code
         * jdbc:postgresql://db1:5432,db2:5432/app?targetServerType=primary}): while no server is the primary,
         * appends fail after {@link #connectionTimeout} with a {@link io.factum.core.StoreException} that says
         * nothing was written (reads fail alike), and the running store goes on against the new primary once
         * one is promoted.
         * See docs/operations.md, "PostgreSQL: fail-over".
         */
        public Builder jdbcUrl(String url) {
            this.jdbcUrl = Objects.requireNonNull(url, "url");
            return this;
        }

        public Builder username(String name) {
            this.username = Objects.requireNonNull(name, "name");
            return this;
        }

        public Builder password(String secret) {
            this.password = Objects.requireNonNull(secret, "secret");
            return this;
        }

        /**
         * Reads the global log and the read models from a streaming replica (a hot standby of the primary
         * this store writes to): {@link EventStore#readAll} (what subscriptions and feeds read), {@link
         * EventStore#awaitAppend} and the read-model queries of {@link #checkpoints} run there; appends,
         * stream reads (what repositories load before they append), checkpoints, leases, deadlines,
         * snapshots and {@link EventStore#headPosition} stay on the primary.
         *
         * <p>Reads stay gap-free on the replica: a hot standby's snapshot knows the transactions still
         * running on the primary (from the WAL it replays), so {@code pg_snapshot_xmin} holds readers back
         * behind a late commit there as it does on the primary. Wake-ups still come from the primary's {@code
         * NOTIFY} (a standby cannot {@code LISTEN}); a waiter that is woken before the replica replayed the
         * append looks again 2 to 50 ms apart. What the replica's lag costs: subscriptions see events that
         * much later, and {@link io.factum.core.subscription.ProjectionSubscription#query(io.factum.core.Position,
         * Duration, io.factum.core.subscription.ReadModelQuery)} waits until the replica replayed the read model
         * to the position asked for. See docs/operations.md, "Read replicas".
         */
        public Builder readReplica(DataSource source) {
            this.replica = Objects.requireNonNull(source, "source");
            return this;
        }

        /** {@link #readReplica(DataSource)} with a pool of the store's own, with the store's user and password. */
        public Builder readReplica(String url) {
            this.replicaUrl = Objects.requireNonNull(url, "url");
            return this;
        }

        /** Use an existing data source instead of a pool of the store's own (then no url is needed). */
        public Builder dataSource(DataSource source) {
            this.dataSource = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * The schema of the tables (created if missing), instead of the connection's default: 1-30
         * lower-case letters, digits and {@code _}.
         */
        public Builder schema(String name) {
            this.schema = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The prefix of the table names, {@value PostgresEventStore#DEFAULT_TABLE_PREFIX} by default. */
        public Builder tablePrefix(String prefix) {
            this.tablePrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** The clock and limits. */
        public Builder options(StoreOptions storeOptions) {
            this.options = Objects.requireNonNull(storeOptions, "storeOptions");
            return this;
        }

        /**
         * The number of group-commit writer threads, each holding a connection; 1 or more. The pool needs
         * at least writers + 3 connections (see {@link PostgresEventStore}).
         */
        public Builder writers(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("writers must be 1 or more, got " + count);
            }
            this.writers = count;
            return this;
        }

        /**
         * How long a call waits for a database connection before it fails with a {@link
         * io.factum.core.StoreException} (ignored with {@link #dataSource}, whose pool has its own): while
         * the database is down or unreachable, an append or a read fails after this long instead of
         * HikariCP's 30 s. 5 s by default; at least 250 ms.
         */
        public Builder connectionTimeout(Duration timeout) {
            if (timeout.compareTo(Duration.ofMillis(250)) < 0) {
                throw new IllegalArgumentException("a connection time-out must be at least 250 ms, got " + timeout);
            }
            this.connectionTimeout = timeout;
            return this;
        }

        /**
         * How long one statement may run before PostgreSQL cancels it ({@code statement_timeout} of the
         * store's connections; ignored with {@link #dataSource}: set it on that pool or the database role).
         * A cancelled append fails with a retryable {@link io.factum.core.StoreException} and writes nothing.
         * 30 s by default; {@link Duration#ZERO} for none. The connections' network time-out is set 10 s
         * beyond it, so a call also ends when the database's host stops answering altogether. Opening the
         * store (migrations, rebuilding inline projections) is not bounded by it.
         */
        public Builder statementTimeout(Duration timeout) {
            this.statementTimeout = requireTimeout(timeout, "statement");
            return this;
        }

        /**
         * How long a statement may wait for a lock before PostgreSQL cancels it ({@code lock_timeout};
         * ignored with {@link #dataSource}): an append blocked by a transaction that holds the events table
         * (a long {@code LOCK TABLE}, a stuck migration) fails with a retryable {@link
         * io.factum.core.StoreException} instead of waiting. 10 s by default; {@link Duration#ZERO} for none.
         */
        public Builder lockTimeout(Duration timeout) {
            this.lockTimeout = requireTimeout(timeout, "lock");
            return this;
        }

        private static Duration requireTimeout(Duration timeout, String what) {
            if (timeout.isNegative() || (!timeout.isZero() && timeout.toMillis() < 1)) {
                throw new IllegalArgumentException(
                        "a " + what + " time-out must be 0 (none) or at least 1 ms, got " + timeout);
            }
            return timeout;
        }

        /**
         * The size of the store's own pool (ignored with {@link #dataSource}); raised to writers + 3 if
         * smaller, the least the store runs on.
         */
        public Builder maxPoolSize(int size) {
            this.maxPoolSize = size;
            return this;
        }

        /**
         * Adds a projection that runs inline, inside the transaction of every append that writes events:
         * when the append returns, its read model is current (read-your-writes without waiting). Repeatable,
         * one call per projection; names must differ.
         *
         * <p><b>In the append.</b> After an append's events are inserted (their positions known), the
         * store calls {@link SqlProjection#apply} for each event that matches {@link SqlProjection#filter},
         * on the append's connection and transaction (the store's schema first on the {@code search_path},
         * as for {@link #checkpoints}). If it throws, the append alone is rolled back — its
         * events and every write of the projection — and fails with {@link
         * io.factum.core.subscription.ProjectionException}; other appends of the same group-commit batch
         * still commit (each append runs under a savepoint). A deadlock or serialization failure of the
         * projection's SQL makes the append run again, like one of its own. With an inline projection the
         * one-statement fast paths are not taken, so appends cost more round trips. Two appends in
         * different transactions may update the same read-model rows; the projection's SQL takes the row
         * locks it needs ({@code INSERT ... ON CONFLICT DO UPDATE}, {@code UPDATE ... SET n = n + 1}).
         *
         * <p><b>No checkpoint row.</b> An inline projection is current at every commit by construction,
         * so no checkpoint row moves with each append (it would be one hot row serializing every append);
         * its active version, in the {@code projection_versions} table, is its only state.
         *
         * <p><b>On open.</b> Before the store accepts appends, it creates the projection's tables ({@link
         * SqlProjection#create}). If no version is active yet, or another version than {@link
         * SqlProjection#version()} is, it builds this version: drops and creates its tables, replays the
         * whole log from the start into them (in pages, one transaction per page, with {@link
         * io.factum.core.subscription.ProjectionContext#rebuilding()} true), activates it and drops the
         * old version's tables. Stores of this process append nothing until it is done; a session advisory
         * lock per projection keeps two stores opening at once from building the same version twice.
         * Other processes must not append to the store's tables while a rebuild runs (stop the old
         * version's writers when deploying a new version: their appends would miss the new tables and fail
         * once the old ones are dropped). If the active version is this one, nothing is replayed: it ran
         * inside every append. That holds only if every store that appends to these tables registers the
         * same inline projections: an append made by a store opened without one is not applied to it and
         * not caught up later (raise the version to rebuild it).
         *
         * @throws IllegalArgumentException if the projection's name or version is invalid (see {@link
         *     io.factum.core.subscription.ProjectionContext}) or one of that name was added already
         */
        public Builder inlineProjection(SqlProjection projection) {
            Objects.requireNonNull(projection, "projection");
            new ProjectionContext(projection.name(), projection.version(), false);
            for (SqlProjection added : inlineProjections) {
                if (added.name().equals(projection.name())) {
                    throw new IllegalArgumentException("an inline projection named " + projection.name()
                            + " was added already; each needs a name of its own");
                }
            }
            inlineProjections.add(projection);
            return this;
        }

        /**
         * Opens the store: creates its pool (unless given a data source), creates or migrates its tables,
         * creates or rebuilds its inline projections (see {@link #inlineProjection}) and starts its writer
         * and listener threads.
         *
         * @throws IllegalArgumentException if neither a url nor a data source was given, a name is invalid,
         *     or the data source is a {@link HikariDataSource} whose maximum pool size is below writers + 3
         * @throws io.factum.core.StoreException if the database cannot be reached or migrated
         */
        public PostgresEventStore open() {
            return openStore();
        }

        /** {@link #open()}, as the store's own class (for this package's tests). */
        PgEventStore openStore() {
            Tables tables = new Tables(Optional.ofNullable(schema), tablePrefix);
            // writers + 2 connections kept for good, and 1 to borrow
            int minimum = writers + 3;
            if (dataSource != null) {
                if (dataSource instanceof HikariDataSource hikari && hikari.getMaximumPoolSize() < minimum) {
                    throw new IllegalArgumentException("the PostgreSQL event store with " + writers
                            + " writers keeps " + (writers + 2) + " connections for good and needs a pool of at"
                            + " least " + minimum + ", but the given HikariDataSource has a maximum pool size of "
                            + hikari.getMaximumPoolSize() + "; raise it or use fewer writers");
                }
                HikariDataSource replicaPool = replicaPool(tables);
                DataSource reads = replicaPool != null ? replicaPool : replica;
                try {
                    return new PgEventStore(
                            dataSource,
                            () -> close(replicaPool),
                            tables,
                            options,
                            writers,
                            List.copyOf(inlineProjections),
                            reads);
                } catch (RuntimeException e) {
                    close(replicaPool);
                    throw e;
                }
            }
            if (jdbcUrl == null) {
                throw new IllegalArgumentException("a PostgreSQL store needs a jdbcUrl or a dataSource, got neither");
            }
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(jdbcUrl);
            if (username != null) {
                config.setUsername(username);
            }
            if (password != null) {
                config.setPassword(password);
            }
            config.setConnectionTimeout(connectionTimeout.toMillis());
            // set on every new connection (an options parameter of the url would replace startup options)
            config.setConnectionInitSql("SET statement_timeout = " + statementTimeout.toMillis()
                    + "; SET lock_timeout = " + lockTimeout.toMillis());
            if (!statementTimeout.isZero()) {
                config.addDataSourceProperty("socketTimeout", statementTimeout.toSeconds() + 11);
            }
            config.setMaximumPoolSize(Math.max(maxPoolSize, minimum));
            config.setMinimumIdle(Math.min(minimum, config.getMaximumPoolSize()));
            config.setPoolName("factum-" + tables.channel());
            HikariDataSource pool = new HikariDataSource(config);
            HikariDataSource replicaPool = null;
            try {
                replicaPool = replicaPool(tables);
                HikariDataSource ownedReplica = replicaPool;
                return new PgEventStore(
                        pool,
                        () -> {
                            close(ownedReplica);
                            pool.close();
                        },
                        tables,
                        options,
                        writers,
                        List.copyOf(inlineProjections),
                        replicaPool != null ? replicaPool : replica);
            } catch (RuntimeException e) {
                close(replicaPool);
                pool.close();
                throw e;
            }
        }

        /** The store's own pool on the replica's url, read-only, if one was given. */
        private @Nullable HikariDataSource replicaPool(Tables tables) {
            if (replicaUrl == null) {
                return null;
            }
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(replicaUrl);
            if (username != null) {
                config.setUsername(username);
            }
            if (password != null) {
                config.setPassword(password);
            }
            config.setReadOnly(true);
            config.setConnectionTimeout(connectionTimeout.toMillis());
            config.setConnectionInitSql("SET statement_timeout = " + statementTimeout.toMillis());
            config.setMaximumPoolSize(Math.max(maxPoolSize, 2));
            config.setMinimumIdle(1);
            config.setPoolName("factum-replica-" + tables.channel());
            return new HikariDataSource(config);
        }

        private static void close(@Nullable HikariDataSource pool) {
            if (pool != null) {
                pool.close();
            }
        }
    }
}
