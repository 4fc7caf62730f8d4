package io.factum.store.sqlite;

import io.factum.core.EventData;
import io.factum.core.ExpectedVersion;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A second process writing to the same file: opens the store at {@code args[0]} and appends {@code args[2]}
 * events one by one to stream {@code args[1]}.
 */
public final class SqliteWriterChildMain {

    private SqliteWriterChildMain() {}

    public static void main(String[] args) {
        try (SqliteStore store = SqliteStore.open(Path.of(args[0]))) {
            int count = Integer.parseInt(args[2]);
            for (int i = 0; i < count; i++) {
                store.append(
                        args[1],
                        ExpectedVersion.any(),
                        EventData.of(UUID.randomUUID(), "FromChild", "{\"i\":" + i + "}"));
            }
        }
    }
}
