package io.factum.core;

import io.factum.core.aggregate.SnapshotStore;
import io.factum.core.gdpr.SubjectKeyStore;
import io.factum.core.process.DeadlineStore;
import io.factum.core.subscription.LeaseStore;
import io.factum.core.subscription.ProjectionGroup;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.SqlProjection;
import io.factum.core.subscription.Subscription;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An event store in a SQL database (SQLite, PostgreSQL) with what the rest of Factum keeps beside the
 * events, in the same database: checkpoints and parked events of subscriptions and SQL projections,
 * leases of consumer groups, deadlines of process managers, snapshots and the keys of crypto-shredding.
 * Opening a store returns one ({@code SqliteEventStore.open}, {@code PostgresEventStore.builder().open()});
 * decorators of it (such as {@code Observed.store}) keep these methods, so no code needs to know which class
 * is underneath.
 *
 * <pre>{@code
 * SqlEventStore store = SqliteEventStore.open(Path.of("factum.db"));
 * var summaries = store.sqlProjection(new OrderSummaries()).start();
 * var deadlines = new DeadlineScheduler(store.deadlines(), clock, processes);
 * }</pre>
 *
 * <p>Each capability lives as long as the store and fails with {@link StoreException} once it is closed.
 */
public interface SqlEventStore extends EventStore {

    /**
     * Checkpoints, parked events and active projection versions, committed with a read model's writes in
     * one transaction (exactly-once SQL projections).
     */
    SqlCheckpointStore checkpoints();

    /** The leases of consumer groups, so members in several processes on one database share buckets. */
    LeaseStore leases();

    /** The durable deadlines of process managers. */
    DeadlineStore deadlines();

    /** Snapshots of aggregate state, for {@code DeciderRepository.Builder.snapshots}. */
    SnapshotStore snapshots();

    /** The per-subject keys of crypto-shredding, for {@code EventSerializer.withPersonalData}. */
    SubjectKeyStore subjectKeys();

    /**
     * Figures of this store an operator watches, by a name a person reads ({@code "xmin horizon age"}),
     * read from the database now; empty if it has none. The http module publishes each as a gauge.
     *
     * @throws StoreException if the database cannot be read
     */
    default Map<String, Long> figures() {
        return Map.of();
    }

    /**
     * Why writes fail now, known without asking the database: the store's last write failed as a whole
     * (a full disk, a read-only file) and none succeeded since; empty while writes work, or if the store
     * cannot tell (reads may still work: a health check asks this as well as reading). Answers at once.
     */
    default Optional<String> writeProblem() {
        return Optional.empty();
    }

    /** A subscription that keeps {@code projection} exactly once in this store's database. */
    default Subscription.ProjectionBuilder sqlProjection(SqlProjection projection) {
        return Subscription.sqlProjection(this, checkpoints(), projection);
    }

    /** Projections of this store's database that share one read of the log and one transaction per batch. */
    default ProjectionGroup.Builder sqlProjections(List<SqlProjection> projections) {
        return Subscription.sqlProjections(this, checkpoints(), projections);
    }
}
