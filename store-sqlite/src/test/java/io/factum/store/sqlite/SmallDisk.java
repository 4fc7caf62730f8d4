package io.factum.store.sqlite;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A small disk for a store to fill. Where this process may mount (root, as on CI), a 2 MiB tmpfs mounted
 * for the test, filled with a filler file until the kernel answers ENOSPC; SQLite then fails its writes with
 * SQLITE_FULL exactly as on a real full disk. Where it may not, the test still runs (it is never skipped):
 * the store's file is limited instead, by {@code PRAGMA max_page_count} on its write connection, which makes
 * SQLite fail a write that needs another page with the same SQLITE_FULL.
 */
final class SmallDisk implements AutoCloseable {

    private static final String SIZE = "2m";

    /** SQLite's largest {@code max_page_count}. */
    private static final long MAX_PAGE_COUNT = 4_294_967_294L;

    private final Path directory;
    private final boolean tmpfs;
    private final Path filler;

    private SmallDisk(Path directory, boolean tmpfs) {
        this.directory = directory;
        this.tmpfs = tmpfs;
        this.filler = directory.resolve("filler");
    }

    /** A tmpfs if this process can mount one, else a directory whose stores are limited by page count. */
    static SmallDisk create() {
        Path directory = newDirectory();
        boolean mounted = run("mount", "-t", "tmpfs", "-o", "size=" + SIZE, "tmpfs", directory.toString()) == 0;
        if (!mounted) {
            System.err.println("SmallDisk: this process cannot mount a tmpfs (not root?); the store's page count is"
                    + " limited instead (PRAGMA max_page_count), which fails writes with SQLITE_FULL too");
        }
        return new SmallDisk(directory, mounted);
    }

    /**
     * A directory whose stores are limited by page count, wherever the test runs: SQLite then meets the full
     * disk inside a statement of the transaction (an INSERT that needs a page), where on a tmpfs it meets it
     * when the COMMIT writes the WAL.
     */
    static SmallDisk pageLimited() {
        return new SmallDisk(newDirectory(), false);
    }

    private static Path newDirectory() {
        try {
            return Files.createTempDirectory("factum-small-disk");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True if this is a real tmpfs; false if stores on it are limited by page count. */
    boolean isTmpfs() {
        return tmpfs;
    }

    /** The directory of the disk. */
    Path directory() {
        return directory;
    }

    /**
     * Leaves no room for {@code store} to grow: fills the tmpfs with the filler file, or limits the store's
     * file to the pages it has now. Call it again before each write that must find the disk full.
     */
    void fill(SqliteStore store) {
        if (tmpfs) {
            byte[] chunk = new byte[16 * 1024];
            try (OutputStream out =
                    Files.newOutputStream(filler, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                while (true) {
                    out.write(chunk);
                    out.flush();
                }
            } catch (IOException full) {
                // ENOSPC: the disk is full, as wanted; write the rest byte by byte to leave no block free
                fillLastBytes();
            }
        } else {
            limitPages(store, true);
        }
    }

    private void fillLastBytes() {
        try (OutputStream out = Files.newOutputStream(filler, StandardOpenOption.APPEND)) {
            while (true) {
                out.write(0);
                out.flush();
            }
        } catch (IOException full) {
            // nothing at all is left
        }
    }

    /** Makes room again: deletes the filler file, or lifts the page limit. */
    void free(SqliteStore store) {
        if (tmpfs) {
            try {
                Files.deleteIfExists(filler);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            limitPages(store, false);
        }
    }

    /**
     * Sets {@code max_page_count} on the store's write connection, through a write of its own: to the pages
     * the file has now, or to SQLite's largest.
     */
    private static void limitPages(SqliteStore store, boolean toCurrent) {
        store.checkpoints().execute(connection -> {
            try (Statement statement = connection.createStatement()) {
                long limit = MAX_PAGE_COUNT;
                if (toCurrent) {
                    try (ResultSet rows = statement.executeQuery("PRAGMA page_count")) {
                        rows.next();
                        limit = rows.getLong(1);
                    }
                }
                statement.execute("PRAGMA max_page_count = " + limit);
            }
        });
    }

    /** Unmounts the tmpfs (if any) and deletes the directory. */
    @Override
    public void close() {
        if (tmpfs && run("umount", directory.toString()) != 0) {
            run("umount", "-l", directory.toString());
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command, waiting for it; returns its exit code, or -1 if it could not be started. */
    static int run(String... command) {
        try {
            Process process = new ProcessBuilder(List.of(command))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
