package io.factum.store.sqlite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A limit on the size of the files this process writes (RLIMIT_FSIZE, set with util-linux's {@code prlimit}
 * on the test's own process): the kernel refuses a write past it with EFBIG, which SQLite reports as
 * SQLITE_IOERR_WRITE, the same error a failing disk gives with EIO. The JVM ignores the SIGXFSZ that comes
 * with it. {@link #close()} sets the limit back. Keep the window short: the limit holds for every file the
 * process writes, so it must lie above the size of any file written meanwhile.
 */
final class FileSizeLimit implements AutoCloseable {

    private final String previous;

    private FileSizeLimit(String previous) {
        this.previous = previous;
    }

    /** Limits the files of this process to {@code bytes}. */
    static FileSizeLimit of(long bytes) {
        String previous =
                prlimit("--fsize", "--raw", "--noheadings", "--output=SOFT").strip();
        prlimit("--fsize=" + bytes + ":");
        return new FileSizeLimit(previous);
    }

    @Override
    public void close() {
        prlimit("--fsize=" + previous + ":");
    }

    private static String prlimit(String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of(
                "prlimit", "--pid", Long.toString(ProcessHandle.current().pid())));
        command.addAll(List.of(arguments));
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "this test needs prlimit (util-linux) to limit the file size of its own process", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        }
    }
}
