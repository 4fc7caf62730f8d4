package io.factum.store.sqlite;

import io.factum.core.subscription.Lease;
import io.factum.core.subscription.LeaseLostException;
import io.factum.core.subscription.LeaseStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Consumer-group members in {@code factum_group_members} and bucket leases in {@code factum_leases} of a
 * store's file; see {@link SqliteEventStore#leases}. Expiry is judged by the store's clock. Each change is
 * one operation of the store's writer, so the check and the change of an acquire are one atomic step, also
 * against other processes on the same file. A released lease keeps its row, with no member and expired, so
 * the bucket's epoch keeps growing with every new holder.
 */
final class SqliteLeaseStore implements LeaseStore {

    private static final String SELECT_LEASE =
            "SELECT member, epoch, expires_at FROM factum_leases WHERE consumer_group = ? AND bucket = ?";

    private static final String UPSERT_LEASE = """
            INSERT INTO factum_leases (consumer_group, bucket, member, epoch, expires_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (consumer_group, bucket) DO UPDATE SET
                member = excluded.member, epoch = excluded.epoch, expires_at = excluded.expires_at""";

    private final String file;
    private final Writer writer;
    private final ReadPool reads;
    private final Clock clock;

    SqliteLeaseStore(String file, Writer writer, ReadPool reads, Clock clock) {
        this.file = file;
        this.writer = writer;
        this.reads = reads;
        this.clock = clock;
    }

    @Override
    public List<String> heartbeat(String group, String member, Duration ttl) {
        return writer.submit(session -> {
            Instant now = clock.instant();
            PreparedStatement upsert = session.prepare("""
                    INSERT INTO factum_group_members (consumer_group, member, alive_until) VALUES (?, ?, ?)
                    ON CONFLICT (consumer_group, member) DO UPDATE SET alive_until = excluded.alive_until""");
            upsert.setString(1, group);
            upsert.setString(2, member);
            upsert.setLong(3, Rows.micros(now.plus(ttl)));
            upsert.executeUpdate();
            PreparedStatement expire =
                    session.prepare("DELETE FROM factum_group_members WHERE consumer_group = ? AND alive_until <= ?");
            expire.setString(1, group);
            expire.setLong(2, Rows.micros(now));
            expire.executeUpdate();
            PreparedStatement select =
                    session.prepare("SELECT member FROM factum_group_members WHERE consumer_group = ?");
            select.setString(1, group);
            List<String> alive = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    alive.add(rows.getString(1));
                }
            }
            alive.sort(null);
            return List.copyOf(alive);
        });
    }

    @Override
    public void leave(String group, String member) {
        writer.submit(session -> {
            PreparedStatement delete =
                    session.prepare("DELETE FROM factum_group_members WHERE consumer_group = ? AND member = ?");
            delete.setString(1, group);
            delete.setString(2, member);
            delete.executeUpdate();
            PreparedStatement release = session.prepare(
                    "UPDATE factum_leases SET member = '', expires_at = 0 WHERE consumer_group = ? AND member = ?");
            release.setString(1, group);
            release.setString(2, member);
            release.executeUpdate();
            return Boolean.TRUE;
        });
    }

    @Override
    public Optional<Lease> acquire(String group, int bucket, String member, Duration ttl) {
        return writer.submit(session -> {
            Instant now = clock.instant();
            Lease current = find(session.prepare(SELECT_LEASE), group, bucket);
            long epoch;
            if (current == null) {
                epoch = 1;
            } else if (current.expiresAt().isAfter(now)) {
                if (!current.member().equals(member)) {
                    return Optional.empty();
                }
                epoch = current.epoch();
            } else {
                epoch = current.epoch() + 1;
            }
            Lease next = new Lease(group, bucket, member, epoch, Rows.instant(Rows.micros(now.plus(ttl))));
            PreparedStatement upsert = session.prepare(UPSERT_LEASE);
            upsert.setString(1, group);
            upsert.setInt(2, bucket);
            upsert.setString(3, member);
            upsert.setLong(4, epoch);
            upsert.setLong(5, Rows.micros(next.expiresAt()));
            upsert.executeUpdate();
            return Optional.of(next);
        });
    }

    @Override
    public void release(Lease lease) {
        writer.submit(session -> {
            PreparedStatement release = session.prepare("""
                    UPDATE factum_leases SET member = '', expires_at = 0
                    WHERE consumer_group = ? AND bucket = ? AND member = ? AND epoch = ? AND expires_at > ?""");
            release.setString(1, lease.group());
            release.setInt(2, lease.bucket());
            release.setString(3, lease.member());
            release.setLong(4, lease.epoch());
            release.setLong(5, Rows.micros(clock.instant()));
            release.executeUpdate();
            return Boolean.TRUE;
        });
    }

    @Override
    public boolean holds(Lease lease) {
        return reads.read(
                "the lease of bucket " + lease.bucket() + " of consumer group " + lease.group(),
                read -> lostBecause(find(read.prepare(SELECT_LEASE), lease.group(), lease.bucket()), lease, clock)
                        == null);
    }

    @Override
    public List<Lease> leases(String group) {
        return reads.read("the leases of consumer group " + group, read -> {
            PreparedStatement select = read.prepare(
                    "SELECT bucket, member, epoch, expires_at FROM factum_leases WHERE consumer_group = ? ORDER BY bucket");
            select.setString(1, group);
            List<Lease> leases = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    leases.add(new Lease(
                            group, rows.getInt(1), rows.getString(2), rows.getLong(3), Rows.instant(rows.getLong(4))));
                }
            }
            return leases;
        });
    }

    /**
     * Checks, inside a write, that {@code fence} is still its bucket's current lease.
     *
     * @throws LeaseLostException if it is not
     */
    static void checkFence(WriteSession session, Lease fence, Clock clock) throws SQLException {
        String lost = lostBecause(find(session.prepare(SELECT_LEASE), fence.group(), fence.bucket()), fence, clock);
        if (lost != null) {
            throw new LeaseLostException(fence, lost);
        }
    }

    /** Why {@code lease} is not the current lease {@code current}, or null if it is. */
    private static @Nullable String lostBecause(@Nullable Lease current, Lease lease, Clock clock) {
        if (current == null) {
            return "the bucket was never leased";
        }
        if (current.member().isEmpty()) {
            return "the lease was released";
        }
        if (!current.member().equals(lease.member()) || current.epoch() != lease.epoch()) {
            return "member " + current.member() + " holds it with epoch " + current.epoch();
        }
        Instant now = clock.instant();
        if (!current.expiresAt().isAfter(now)) {
            return "it expired at " + current.expiresAt() + ", it is " + now;
        }
        return null;
    }

    private static @Nullable Lease find(PreparedStatement select, String group, int bucket) throws SQLException {
        select.setString(1, group);
        select.setInt(2, bucket);
        try (ResultSet rows = select.executeQuery()) {
            if (!rows.next()) {
                return null;
            }
            return new Lease(group, bucket, rows.getString(1), rows.getLong(2), Rows.instant(rows.getLong(3)));
        }
    }

    @Override
    public String toString() {
        return "SqliteLeaseStore[" + file + "]";
    }
}
