package io.factum.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The CPU time processes used, from Linux's {@code /proc/<pid>/stat} (user and system time, in the
 * kernel's USER_HZ ticks of 10 ms): to compare what a request costs two systems on the same machine. On a
 * system without {@code /proc} every figure is 0.
 */
final class ProcessCpu {

    private static final long MILLIS_PER_TICK = 10;

    private ProcessCpu() {}

    /** The CPU milliseconds process {@code pid} used so far (its threads; not its children). */
    static long millis(long pid) {
        long[] fields = stat(pid);
        return fields.length == 0 ? 0 : (fields[0] + fields[1]) * MILLIS_PER_TICK;
    }

    /**
     * The CPU milliseconds of process {@code root}, of its living children, and of its children that ended
     * (a PostgreSQL server: the postmaster, its backends and workers).
     */
    static long treeMillis(long root) {
        long[] own = stat(root);
        if (own.length == 0) {
            return 0;
        }
        long ticks = own[0] + own[1] + own[2] + own[3];
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : (Iterable<Path>) processes::iterator) {
                String name = process.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(name);
                if (pid != root && parentOf(pid) == root) {
                    long[] child = stat(pid);
                    if (child.length > 0) {
                        ticks += child[0] + child[1];
                    }
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return ticks * MILLIS_PER_TICK;
    }

    /** The parent of a process, or -1. */
    static long parentOf(long pid) {
        String[] fields = fields(pid);
        return fields.length < 2 ? -1 : Long.parseLong(fields[1]);
    }

    /** utime, stime, cutime, cstime in ticks, or an empty array if the process is gone. */
    private static long[] stat(long pid) {
        String[] fields = fields(pid);
        if (fields.length < 15) {
            return new long[0];
        }
        // after the command name: state (0), ppid (1), ..., utime (11), stime (12), cutime (13), cstime (14)
        return new long[] {
            Long.parseLong(fields[11]),
            Long.parseLong(fields[12]),
            Long.parseLong(fields[13]),
            Long.parseLong(fields[14])
        };
    }

    /** The fields of /proc/pid/stat after the command name (which may hold spaces), or none. */
    private static String[] fields(long pid) {
        try {
            String line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
        } catch (IOException | RuntimeException e) {
            return new String[0];
        }
    }
}
