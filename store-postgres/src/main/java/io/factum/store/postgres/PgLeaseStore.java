package io.factum.store.postgres;

import io.factum.core.StoreException;
import io.factum.core.subscription.Lease;
import io.factum.core.subscription.LeaseStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Consumer-group members and bucket leases in the store's database; see {@link PostgresEventStore#leases}.
 * Each call is one or two statements in autocommit on a pooled connection. Every expiry is computed and
 * judged by the {@link LeaseClock}: the database's clock ({@code clock_timestamp()}) unless the store was
 * opened with a clock other than the system clock. With the database's clock all members of a group, in
 * any number of processes, share one clock, and a member whose clock is skewed can neither keep a lease
 * too long nor steal one too early.
 */
final class PgLeaseStore implements LeaseStore {

    /** A released lease: no member, expired since the epoch (as the in-memory store shows it). */
    private static final String RELEASED = "member = '', expires_at = 'epoch'::timestamptz";

    private final DataSource dataSource;
    private final Tables tables;
    private final LeaseClock clock;
    private final Runnable checkOpen;

    private final String heartbeatSql;
    private final String aliveSql;
    private final String leaveSql;
    private final String expireSql;
    private final String acquireSql;
    private final String releaseSql;
    private final String holdsSql;
    private final String leasesSql;

    /** @param checkOpen throws {@link StoreException} once the event store is closed */
    PgLeaseStore(DataSource dataSource, Tables tables, LeaseClock clock, Runnable checkOpen) {
        this.dataSource = dataSource;
        this.tables = tables;
        this.clock = clock;
        this.checkOpen = checkOpen;
        String members = tables.groupMembers();
        String leases = tables.leases();
        String now = LeaseClock.NOW;
        String ttl = now + " + ? * interval '1 microsecond'";
        this.heartbeatSql = "INSERT INTO " + members + " (group_name, member, alive_until) VALUES (?, ?, " + ttl + ")"
                + " ON CONFLICT (group_name, member) DO UPDATE SET alive_until = excluded.alive_until";
        this.aliveSql = "SELECT member FROM " + members + " WHERE group_name = ? AND alive_until > " + now;
        this.leaveSql = "DELETE FROM " + members + " WHERE group_name = ? AND member = ?";
        this.expireSql = "UPDATE " + leases + " SET " + RELEASED + " WHERE group_name = ? AND member = ?";
        // One statement decides under the row's lock: a free or expired bucket changes hands (epoch + 1), a
        // live lease of the same member is renewed (same epoch), a live lease of another stays (no row).
        this.acquireSql = "INSERT INTO " + leases + " AS l (group_name, bucket, member, epoch, expires_at)"
                + " VALUES (?, ?, ?, 1, " + ttl + ") ON CONFLICT (group_name, bucket) DO UPDATE SET"
                + " member = excluded.member, expires_at = excluded.expires_at,"
                + " epoch = CASE WHEN l.member = excluded.member AND l.expires_at > " + now
                + " THEN l.epoch ELSE l.epoch + 1 END"
                + " WHERE l.member = excluded.member OR l.expires_at <= " + now
                + " RETURNING epoch, expires_at";
        String current =
                " WHERE group_name = ? AND bucket = ? AND member = ? AND epoch = ?" + " AND expires_at > " + now;
        this.releaseSql = "UPDATE " + leases + " SET " + RELEASED + current;
        this.holdsSql = "SELECT 1 FROM " + leases + current;
        this.leasesSql =
                "SELECT bucket, member, epoch, expires_at FROM " + leases + " WHERE group_name = ? ORDER BY bucket";
    }

    @Override
    public List<String> heartbeat(String group, String member, Duration ttl) {
        long micros = micros(ttl);
        return run("the heartbeat of " + member + " in group " + group, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(heartbeatSql)) {
                statement.setString(1, group);
                statement.setString(2, member);
                statement.setString(3, clock.now());
                statement.setLong(4, micros);
                statement.executeUpdate();
            }
            List<String> alive = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(aliveSql)) {
                statement.setString(1, group);
                statement.setString(2, clock.now());
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        alive.add(rs.getString(1));
                    }
                }
            }
            // sorted as Java sorts strings, whatever the database's collation
            alive.sort(null);
            return List.copyOf(alive);
        });
    }

    @Override
    public void leave(String group, String member) {
        run("removing " + member + " from group " + group, connection -> {
            for (String sql : List.of(leaveSql, expireSql)) {
                try (PreparedStatement statement = connection.prepareStatement(sql)) {
                    statement.setString(1, group);
                    statement.setString(2, member);
                    statement.executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public Optional<Lease> acquire(String group, int bucket, String member, Duration ttl) {
        long micros = micros(ttl);
        return run("taking bucket " + bucket + " of group " + group + " for " + member, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(acquireSql)) {
                statement.setString(1, group);
                statement.setInt(2, bucket);
                statement.setString(3, member);
                String now = clock.now();
                statement.setString(4, now);
                statement.setLong(5, micros);
                statement.setString(6, now);
                statement.setString(7, now);
                try (ResultSet rs = statement.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Lease(
                            group,
                            bucket,
                            member,
                            rs.getLong(1),
                            rs.getObject(2, OffsetDateTime.class).toInstant()));
                }
            }
        });
    }

    @Override
    public void release(Lease lease) {
        run("releasing bucket " + lease.bucket() + " of group " + lease.group(), connection -> {
            try (PreparedStatement statement = connection.prepareStatement(releaseSql)) {
                bindLease(statement, lease);
                return statement.executeUpdate();
            }
        });
    }

    @Override
    public boolean holds(Lease lease) {
        return run("checking the lease of bucket " + lease.bucket() + " of group " + lease.group(), connection -> {
            try (PreparedStatement statement = connection.prepareStatement(holdsSql)) {
                bindLease(statement, lease);
                try (ResultSet rs = statement.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public List<Lease> leases(String group) {
        return run("reading the leases of group " + group, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(leasesSql)) {
                statement.setString(1, group);
                List<Lease> leases = new ArrayList<>();
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        leases.add(new Lease(
                                group,
                                rs.getInt(1),
                                rs.getString(2),
                                rs.getLong(3),
                                rs.getObject(4, OffsetDateTime.class).toInstant()));
                    }
                }
                return List.copyOf(leases);
            }
        });
    }

    private void bindLease(PreparedStatement statement, Lease lease) throws SQLException {
        statement.setString(1, lease.group());
        statement.setInt(2, lease.bucket());
        statement.setString(3, lease.member());
        statement.setLong(4, lease.epoch());
        statement.setString(5, clock.now());
    }

    private static long micros(Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("a lease or heartbeat ttl must be positive, got " + ttl);
        }
        // beyond ~95 years a lease is as good as forever; the cap keeps the microseconds within a long
        long seconds = Math.min(ttl.getSeconds(), 3_000_000_000L);
        return seconds * 1_000_000 + ttl.getNano() / 1_000;
    }

    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T run(String what, Work<T> work) {
        checkOpen.run();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            return work.run(connection);
        } catch (SQLException e) {
            throw new StoreException(what + " failed on the database (" + tables.leases() + "): " + Sql.reason(e), e);
        }
    }

    @Override
    public String toString() {
        return "PgLeaseStore[" + tables.leases() + "]";
    }
}
