package io.factum.store.sqlite;

import io.factum.core.StreamMetadata;
import io.factum.core.StreamState;
import io.factum.core.spi.StreamMetadataJson;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * A row of {@code factum_streams}. The metadata stays JSON until someone needs it, so appends never parse
 * it.
 *
 * @param lastVersion the version of the stream's last event, -1 if none
 * @param state the stream's state
 * @param metadataJson its metadata as stored ({@code {}} for none)
 */
record StreamRow(
        long lastVersion, StreamState state, @Nullable String metadataJson) {

    private static final String EMPTY = "{}";

    static final String SELECT = "SELECT last_version, state, metadata FROM factum_streams WHERE stream_id = ?";

    /** The stream's metadata. */
    StreamMetadata metadata(String streamId) {
        if (metadataJson.equals(EMPTY)) {
            return StreamMetadata.empty();
        }
        return StreamMetadataJson.read(streamId, metadataJson);
    }

    /** The metadata as stored, in the JSON format all stores share. */
    static String json(StreamMetadata metadata) {
        return metadata.equals(StreamMetadata.empty()) ? EMPTY : StreamMetadataJson.write(metadata);
    }

    /** Runs {@link #SELECT} (prepared) for the stream; null if the stream has no row. */
    static @Nullable StreamRow find(PreparedStatement select, String streamId) throws SQLException {
        select.setString(1, streamId);
        try (ResultSet rows = select.executeQuery()) {
            if (!rows.next()) {
                return null;
            }
            return new StreamRow(rows.getLong(1), StreamState.valueOf(rows.getString(2)), rows.getString(3));
        }
    }
}
