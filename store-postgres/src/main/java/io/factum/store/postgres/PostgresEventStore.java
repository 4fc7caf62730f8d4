package io.factum.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.factum.core.EventStore;
import io.factum.core.StoreOptions;
import io.factum.core.aggregate.SnapshotStore;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Opens the production event store on PostgreSQL 13 or newer.
 *
 * <pre>{@code
 * EventStore store = PostgresEventStore.builder()
 *         .jdbcUrl("jdbc:postgresql://db:5432/app")
 *         .username("app")
 *         .password(secret)
 *         .open();
 * }</pre>
 *
 * <p><b>Tables.</b> The store creates and migrates its own tables ({@code factum_streams}, {@code
 * factum_events}, {@code factum_checkpoints}, {@code factum_snapshots}, {@code factum_deadlines} and the
 * migration log {@code factum_schema_migrations}) when it opens, under an advisory lock, so several
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
 * #xminHorizonAge(EventStore)}. Prepared transactions ({@code PREPARE TRANSACTION}, left by a two-phase
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
public final class PostgresEventStore {

    /** The default table prefix. */
    public static final String DEFAULT_TABLE_PREFIX = "factum_";

    /** The default number of writer threads (each with its own connection). */
    public static final int DEFAULT_WRITERS = 2;

    private PostgresEventStore() {}

    /** The smallest pool a store with this many writers can run on: writers + 2 kept, 1 to borrow. */
    static int minimumPoolSize(int writers) {
        return writers + 3;
    }

    /**
     * How far the visibility horizon of the store's database lags, for operators to watch: the number of
     * transaction ids between the oldest transaction still running ({@code pg_snapshot_xmin}) and the
     * newest ({@code pg_snapshot_xmax}), of any database of the server. Catch-up readers and subscribers see
     * nothing beyond the oldest running transaction, so a large or growing value means a long-open
     * transaction holds them back (an idle session inside {@code BEGIN}, a long report, a prepared
     * transaction not yet committed or rolled back). 0 or a small number is healthy.
     *
     * @param store a store opened by this class
     * @throws IllegalArgumentException if the store is not a PostgreSQL store
     * @throws io.factum.core.StoreException if the store is closed or the database cannot be reached
     */
    public static long xminHorizonAge(EventStore store) {
        Objects.requireNonNull(store, "store");
        if (store instanceof PgEventStore postgres) {
            return postgres.xminHorizonAge();
        }
        throw new IllegalArgumentException("xminHorizonAge needs a PostgreSQL event store, got "
                + store.getClass().getName());
    }

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
     * EventStore store = PostgresEventStore.builder().jdbcUrl(url).open();
     * var accounts = DeciderRepository.builder(store, serializer, "account", decider, AccountEvent.class)
     *         .snapshots(PostgresEventStore.snapshots(store), SnapshotPolicy.everyEvents(100), Account.class, 1)
     *         .build();
     * }</pre>
     *
     * @param store a store opened by this class
     * @throws IllegalArgumentException if {@code store} is not a PostgreSQL store opened by this class
     */
    public static SnapshotStore snapshots(EventStore store) {
        Objects.requireNonNull(store, "store");
        if (store instanceof PgEventStore postgres) {
            return postgres.snapshots();
        }
        throw new IllegalArgumentException("PostgresEventStore.snapshots needs a store from PostgresEventStore,"
                + " got " + store.getClass().getName() + " (" + store + ")");
    }

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
    public static EventStore open(DataSource dataSource) {
        return builder().dataSource(dataSource).open();
    }

    /** Opens a store on an existing data source with the given options; see {@link #open(DataSource)}. */
    public static EventStore open(DataSource dataSource, StoreOptions options) {
        return builder().dataSource(dataSource).options(options).open();
    }

    /** A builder for a store with its own connection pool, or with other settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** The settings of a store; {@link #open()} opens it. Not thread-safe. */
    public static final class Builder {
        private @Nullable DataSource dataSource;
        private @Nullable String jdbcUrl;
        private @Nullable String username;
        private @Nullable String password;
        private @Nullable String schema;
        private String tablePrefix = DEFAULT_TABLE_PREFIX;
        private StoreOptions options = StoreOptions.defaults();
        private int writers = DEFAULT_WRITERS;
        private int maxPoolSize = 16;

        private Builder() {}

        /** The database to connect to, e.g. {@code jdbc:postgresql://localhost:5432/app}. */
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
         * The size of the store's own pool (ignored with {@link #dataSource}); raised to writers + 3 if
         * smaller, the least the store runs on.
         */
        public Builder maxPoolSize(int size) {
            this.maxPoolSize = size;
            return this;
        }

        /**
         * Opens the store: creates its pool (unless given a data source), creates or migrates its tables
         * and starts its writer and listener threads.
         *
         * @throws IllegalArgumentException if neither a url nor a data source was given, a name is invalid,
         *     or the data source is a {@link HikariDataSource} whose maximum pool size is below writers + 3
         * @throws io.factum.core.StoreException if the database cannot be reached or migrated
         */
        public EventStore open() {
            Tables tables = new Tables(Optional.ofNullable(schema), tablePrefix);
            int minimum = minimumPoolSize(writers);
            if (dataSource != null) {
                if (dataSource instanceof HikariDataSource hikari && hikari.getMaximumPoolSize() < minimum) {
                    throw new IllegalArgumentException("the PostgreSQL event store with " + writers
                            + " writers keeps " + (writers + 2) + " connections for good and needs a pool of at"
                            + " least " + minimum + ", but the given HikariDataSource has a maximum pool size of "
                            + hikari.getMaximumPoolSize() + "; raise it or use fewer writers");
                }
                return new PgEventStore(dataSource, () -> {}, tables, options, writers);
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
            config.setMaximumPoolSize(Math.max(maxPoolSize, minimum));
            config.setMinimumIdle(Math.min(minimum, config.getMaximumPoolSize()));
            config.setPoolName("factum-" + tables.channel());
            HikariDataSource pool = new HikariDataSource(config);
            try {
                return new PgEventStore(pool, pool, tables, options, writers);
            } catch (RuntimeException e) {
                pool.close();
                throw e;
            }
        }
    }
}
