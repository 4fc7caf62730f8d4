package io.factum.store.sqlite;

import io.factum.core.Position;
import io.factum.core.RecordedEvent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/** Conversions between the events table's columns and Java values, kept cheap for catch-up reads. */
final class Rows {

    /** The columns every event query selects, in the order {@link #event} reads them. */
    static final String EVENT_COLUMNS =
            "global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at,"
                    + " tags";

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final long MICROS_PER_SECOND = 1_000_000L;

    private Rows() {}

    /** The event of the current row of a query that selected {@link #EVENT_COLUMNS}. */
    static RecordedEvent event(ResultSet rows) throws SQLException {
        return new RecordedEvent(
                uuid(rows.getBytes(2)),
                rows.getString(3),
                rows.getLong(4),
                Position.of(rows.getLong(1)),
                rows.getString(5),
                rows.getInt(6),
                rows.getString(7),
                rows.getString(8),
                instant(rows.getLong(9)),
                tags(rows.getString(10)));
    }

    /** Tags as the {@code tags} column keeps them: sorted, one per line. */
    static String tags(Set<String> tags) {
        return tags.isEmpty() ? "" : String.join("\n", tags);
    }

    /** The tags of the {@code tags} column. */
    static Set<String> tags(String column) {
        return column.isEmpty() ? Set.of() : Set.of(column.split("\n"));
    }

    /** A UUID as 16 big-endian bytes, the form stored in {@code event_id}. */
    static byte[] bytes(UUID id) {
        byte[] bytes = new byte[16];
        LONGS.set(bytes, 0, id.getMostSignificantBits());
        LONGS.set(bytes, 8, id.getLeastSignificantBits());
        return bytes;
    }

    /** The UUID stored as 16 big-endian bytes. */
    static UUID uuid(byte[] bytes) {
        return new UUID((long) LONGS.get(bytes, 0), (long) LONGS.get(bytes, 8));
    }

    /** An instant as microseconds since the epoch (recorded-at times are truncated to microseconds). */
    static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), MICROS_PER_SECOND), instant.getNano() / 1000);
    }

    /** The instant of microseconds since the epoch. */
    static Instant instant(long micros) {
        return Instant.ofEpochSecond(
                Math.floorDiv(micros, MICROS_PER_SECOND), Math.floorMod(micros, MICROS_PER_SECOND) * 1000);
    }
}
