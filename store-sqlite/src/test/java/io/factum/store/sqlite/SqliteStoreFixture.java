package io.factum.store.sqlite;

import io.factum.core.StoreOptions;
import io.factum.testkit.tck.SqlStoreFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** SQLite stores for the TCK: a new file per store in one temporary directory per JVM, deleted at exit. */
final class SqliteStoreFixture extends SqlStoreFixture<SqliteStore> {

    private static final Path DIRECTORY = createDirectory();
    private static final AtomicInteger FILES = new AtomicInteger();

    private static Path createDirectory() {
        try {
            Path directory = Files.createTempDirectory("factum-sqlite-test");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(directory)));
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // best effort at exit
        }
    }

    /** A path for a new store file, not created yet. */
    static Path newFile() {
        return DIRECTORY.resolve("store-" + FILES.incrementAndGet() + ".db");
    }

    @Override
    public List<String> newLocation() {
        return List.of(newFile().toString());
    }

    @Override
    protected SqliteStore openStore(List<String> location, StoreOptions options) {
        return SqliteStore.open(Path.of(location.get(0)), options);
    }

    @Override
    public Class<?> childMainClass() {
        return SqliteCrashChildMain.class;
    }
}
