package io.factum.testkit.tck;

import io.factum.core.Position;
import io.factum.core.subscription.Answer;
import io.factum.core.subscription.CheckpointMove;
import io.factum.core.subscription.Lease;
import io.factum.core.subscription.ParkedEvent;
import io.factum.core.subscription.SqlCheckpointStore;
import io.factum.core.subscription.SqlQuery;
import io.factum.core.subscription.SqlWork;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store's SQL checkpoint store that records its commits: how many checkpoints each multi-checkpoint
 * commit moved, and how many single commits and saves there were. Everything is done by the store.
 */
final class RecordingCheckpointStore implements SqlCheckpointStore {

    private final SqlCheckpointStore store;

    /** The number of moves of each {@link #commit(List, SqlWork)} that committed. */
    final List<Integer> groupCommits = new CopyOnWriteArrayList<>();

    /** Commits of one checkpoint and saves, that committed. */
    final AtomicInteger singleCommits = new AtomicInteger();

    RecordingCheckpointStore(SqlCheckpointStore store) {
        this.store = store;
    }

    @Override
    public void commit(List<CheckpointMove> moves, SqlWork work) {
        store.commit(moves, work);
        groupCommits.add(moves.size());
    }

    @Override
    public void commit(String name, Position expected, Position next, SqlWork work) {
        store.commit(name, expected, next, work);
        singleCommits.incrementAndGet();
    }

    @Override
    public void commit(String name, Position expected, Position next, Lease fence, SqlWork work) {
        store.commit(name, expected, next, fence, work);
        singleCommits.incrementAndGet();
    }

    @Override
    public void save(String name, Position expected, Position next) {
        store.save(name, expected, next);
        singleCommits.incrementAndGet();
    }

    @Override
    public void save(String name, Position expected, Position next, Lease fence) {
        store.save(name, expected, next, fence);
        singleCommits.incrementAndGet();
    }

    @Override
    public void park(ParkedEvent event, CheckpointMove move) {
        store.park(event, move);
    }

    @Override
    public void park(ParkedEvent event, CheckpointMove move, Lease fence) {
        store.park(event, move, fence);
    }

    @Override
    public SqlCheckpointStore withSynchronousCommits() {
        return store.withSynchronousCommits();
    }

    @Override
    public void execute(SqlWork work) {
        store.execute(work);
    }

    @Override
    public <T> T query(SqlQuery<T> query) {
        return store.query(query);
    }

    @Override
    public <T> Answer<T> queryWithCheckpoint(String name, SqlQuery<T> query) {
        return store.queryWithCheckpoint(name, query);
    }

    @Override
    public Position load(String name) {
        return store.load(name);
    }

    @Override
    public void delete(String name) {
        store.delete(name);
    }

    @Override
    public void park(ParkedEvent event) {
        store.park(event);
    }

    @Override
    public List<ParkedEvent> parked(String subscription) {
        return store.parked(subscription);
    }

    @Override
    public boolean unpark(String subscription, Position position) {
        return store.unpark(subscription, position);
    }

    @Override
    public OptionalInt activeVersion(String projection) {
        return store.activeVersion(projection);
    }

    @Override
    public void activate(String projection, int version) {
        store.activate(projection, version);
    }
}
