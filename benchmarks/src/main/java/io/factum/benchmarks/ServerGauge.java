package io.factum.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Reads what a local PostgreSQL server did: the CPU time of its processes (from Linux's {@code /proc}: the
 * postmaster's own and its exited children's, plus every live child's) and its next transaction id. Where
 * {@code /proc} is missing (not Linux), the CPU time is -1.
 */
final class ServerGauge implements Interleaved.Gauge {

    /** A source of connections to the server. */
    @FunctionalInterface
    interface Connections {
        Connection open() throws SQLException;
    }

    private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ = 100 on Linux

    private final Optional<Long> postmaster;
    private final Connections connections;
    private Connection connection;

    ServerGauge(int port, Connections connections) {
        this.connections = connections;
        this.postmaster = ProcessHandle.allProcesses()
                .filter(p -> p.info().command().orElse("").endsWith("/postgres"))
                .filter(p -> String.join(" ", p.info().arguments().orElse(new String[0]))
                        .contains("-p " + port))
                .map(ProcessHandle::pid)
                .findFirst();
    }

    @Override
    public long serverCpuNanos() {
        if (postmaster.isEmpty()) {
            return -1;
        }
        long pid = postmaster.get();
        try {
            long ticks = ticks(pid, true);
            String children = Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children"));
            for (String child : children.trim().split(" ")) {
                if (!child.isEmpty()) {
                    ticks += ticks(Long.parseLong(child), false);
                }
            }
            return ticks * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** utime + stime, and with {@code reaped} cutime + cstime, of a process; 0 if it is gone. */
    private static long ticks(long pid, boolean reaped) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return reaped ? ticks + Long.parseLong(fields[13]) + Long.parseLong(fields[14]) : ticks;
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public synchronized long nextTransactionId() {
        try {
            if (connection == null) {
                connection = connections.open();
            }
            // the snapshot's xmax is the next id to be assigned; reading it assigns none
            try (PreparedStatement statement =
                            connection.prepareStatement("SELECT pg_snapshot_xmax(pg_current_snapshot())::text");
                    ResultSet rs = statement.executeQuery()) {
                rs.next();
                return Long.parseLong(rs.getString(1));
            }
        } catch (SQLException e) {
            return -1;
        }
    }
}
