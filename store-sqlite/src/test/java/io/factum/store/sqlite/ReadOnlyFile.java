package io.factum.store.sqlite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Makes a store's file read-only for this process and writable again: by its permissions, and, for root
 * (whom permissions do not stop), by the immutable attribute ({@code chattr +i}), which stops root too.
 */
final class ReadOnlyFile implements AutoCloseable {

    private final Path file;
    private boolean immutable;

    private ReadOnlyFile(Path file) {
        this.file = file;
    }

    /** Makes {@code file} read-only; fails (never skips) if neither way works here. */
    static ReadOnlyFile of(Path file) {
        ReadOnlyFile readOnly = new ReadOnlyFile(file);
        readOnly.makeReadOnly();
        return readOnly;
    }

    private void makeReadOnly() {
        setPermissions(file, "r--r--r--");
        if (writable(file)) {
            immutable = SmallDisk.run("chattr", "+i", file.toString()) == 0;
        }
        if (writable(file)) {
            throw new AssertionError("cannot make " + file + " read-only here: this process may write it despite"
                    + " its permissions (root) and chattr +i failed (the file system has no immutable attribute?)");
        }
    }

    /**
     * Makes the file writable again, with the -wal and -shm files beside it: SQLite gives those the database
     * file's permissions when it creates them.
     */
    @Override
    public void close() {
        if (immutable && SmallDisk.run("chattr", "-i", file.toString()) != 0) {
            throw new AssertionError("chattr -i " + file + " failed");
        }
        immutable = false;
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Path path = file.resolveSibling(file.getFileName() + suffix);
            if (Files.exists(path)) {
                setPermissions(path, "rw-r--r--");
            }
        }
    }

    private static boolean writable(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            return channel.isOpen();
        } catch (IOException refused) {
            return false;
        }
    }

    private static void setPermissions(Path path, String permissions) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
