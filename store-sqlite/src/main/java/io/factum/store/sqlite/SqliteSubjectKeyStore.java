package io.factum.store.sqlite;

import io.factum.core.gdpr.SubjectForgottenException;
import io.factum.core.gdpr.SubjectKeyStore;
import io.factum.core.gdpr.SubjectKeys;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import javax.crypto.SecretKey;

/**
 * Subject keys in {@code factum_subject_keys} of a store's file; see {@link SqliteEventStore#subjectKeys}.
 * A row holds a subject's key, or no key and the time it was forgotten. Creating and forgetting are
 * operations of the store's writer, so the check and the change are one step even across processes on the
 * same file; lookups use the read pool.
 */
final class SqliteSubjectKeyStore implements SubjectKeyStore {

    private static final String SELECT = "SELECT key, forgotten_at FROM factum_subject_keys WHERE subject_id = ?";

    private static final String INSERT =
            "INSERT INTO factum_subject_keys (subject_id, key, created_at) VALUES (?, ?, ?)";

    // one statement deletes the key bytes; a subject never seen is remembered as forgotten too
    private static final String FORGET = """
            INSERT INTO factum_subject_keys (subject_id, key, created_at, forgotten_at) VALUES (?, NULL, ?, ?)
            ON CONFLICT (subject_id) DO UPDATE SET
                key = NULL, forgotten_at = coalesce(forgotten_at, excluded.forgotten_at)""";

    /** A row of the table: the key, or none once forgotten. */
    private record Row(Optional<SecretKey> key, boolean forgotten) {}

    private final String file;
    private final Writer writer;
    private final ReadPool reads;
    private final Clock clock;

    SqliteSubjectKeyStore(String file, Writer writer, ReadPool reads, Clock clock) {
        this.file = file;
        this.writer = writer;
        this.reads = reads;
        this.clock = clock;
    }

    @Override
    public Optional<SecretKey> key(String subjectId) {
        return read(subjectId).flatMap(Row::key);
    }

    @Override
    public SecretKey keyFor(String subjectId) {
        Optional<SecretKey> known = key(subjectId);
        if (known.isPresent()) {
            return known.get();
        }
        return writer.submit(session -> {
            PreparedStatement select = session.prepare(SELECT);
            select.setString(1, subjectId);
            Optional<Row> row = row(select);
            if (row.isPresent()) {
                return row.get().key().orElseThrow(() -> new SubjectForgottenException(subjectId));
            }
            SecretKey key = SubjectKeys.generate();
            PreparedStatement insert = session.prepare(INSERT);
            insert.setString(1, subjectId);
            insert.setBytes(2, key.getEncoded());
            insert.setLong(3, Rows.micros(clock.instant()));
            insert.executeUpdate();
            return key;
        });
    }

    @Override
    public boolean forget(String subjectId) {
        SubjectKeyStore.checkSubjectId(subjectId);
        return writer.submit(session -> {
            PreparedStatement select = session.prepare(SELECT);
            select.setString(1, subjectId);
            boolean hadKey = row(select).flatMap(Row::key).isPresent();
            long now = Rows.micros(clock.instant());
            PreparedStatement forget = session.prepare(FORGET);
            forget.setString(1, subjectId);
            forget.setLong(2, now);
            forget.setLong(3, now);
            forget.executeUpdate();
            return hadKey;
        });
    }

    @Override
    public boolean forgotten(String subjectId) {
        return read(subjectId).map(Row::forgotten).orElse(false);
    }

    private Optional<Row> read(String subjectId) {
        SubjectKeyStore.checkSubjectId(subjectId);
        return reads.read("the key of subject " + subjectId, lease -> {
            PreparedStatement select = lease.prepare(SELECT);
            select.setString(1, subjectId);
            return row(select);
        });
    }

    private static Optional<Row> row(PreparedStatement select) throws SQLException {
        try (ResultSet rows = select.executeQuery()) {
            if (!rows.next()) {
                return Optional.empty();
            }
            byte[] key = rows.getBytes(1);
            rows.getLong(2);
            boolean forgotten = !rows.wasNull();
            return Optional.of(
                    new Row(key == null ? Optional.empty() : Optional.of(SubjectKeys.fromBytes(key)), forgotten));
        }
    }

    @Override
    public String toString() {
        return "SqliteSubjectKeyStore[" + file + "]";
    }
}
