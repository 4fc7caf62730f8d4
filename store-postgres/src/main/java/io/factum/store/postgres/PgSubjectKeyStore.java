package io.factum.store.postgres;

import io.factum.core.StoreException;
import io.factum.core.gdpr.SubjectForgottenException;
import io.factum.core.gdpr.SubjectKeyStore;
import io.factum.core.gdpr.SubjectKeys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.sql.DataSource;

/**
 * Subject keys in the store's {@code subject_keys} table; see {@link PostgresEventStore#subjectKeys}. A row
 * holds a subject's key, or no key and the time it was forgotten. Calls run on a pooled connection: a first
 * key is inserted with {@code ON CONFLICT DO NOTHING} and then read, so racing creators (in any process)
 * all read the one row that won; a forget locks the row, then deletes the key bytes in one upsert, in one
 * transaction.
 */
final class PgSubjectKeyStore implements SubjectKeyStore {

    /** A row of the table: the key, or none once forgotten. */
    private record Row(Optional<SecretKey> key, boolean forgotten) {}

    private final DataSource dataSource;
    private final Tables tables;
    private final Runnable checkOpen;
    private final String selectSql;
    private final String insertSql;
    private final String lockSql;
    private final String forgetSql;

    /** @param checkOpen throws {@link StoreException} once the event store is closed */
    PgSubjectKeyStore(DataSource dataSource, Tables tables, Runnable checkOpen) {
        this.dataSource = dataSource;
        this.tables = tables;
        this.checkOpen = checkOpen;
        String keys = tables.subjectKeys();
        this.selectSql = "SELECT key, forgotten_at IS NOT NULL FROM " + keys + " WHERE subject_id = ?";
        this.insertSql = "INSERT INTO " + keys + " (subject_id, key) VALUES (?, ?) ON CONFLICT (subject_id) DO NOTHING";
        this.lockSql = "SELECT key IS NOT NULL FROM " + keys + " WHERE subject_id = ? FOR UPDATE";
        // one statement deletes the key bytes; a subject never seen is remembered as forgotten too
        this.forgetSql = "INSERT INTO " + keys + " AS k (subject_id, key, forgotten_at) VALUES (?, NULL, now())"
                + " ON CONFLICT (subject_id) DO UPDATE SET key = NULL,"
                + " forgotten_at = coalesce(k.forgotten_at, excluded.forgotten_at)";
    }

    @Override
    public Optional<SecretKey> key(String subjectId) {
        SubjectKeyStore.checkSubjectId(subjectId);
        return run("reading the key of subject " + subjectId, connection -> row(connection, subjectId))
                .flatMap(Row::key);
    }

    @Override
    public SecretKey keyFor(String subjectId) {
        SubjectKeyStore.checkSubjectId(subjectId);
        Row row = run("creating the key of subject " + subjectId, connection -> {
            Optional<Row> known = row(connection, subjectId);
            if (known.isPresent()) {
                return known.get();
            }
            try (PreparedStatement insert = connection.prepareStatement(insertSql)) {
                insert.setString(1, subjectId);
                insert.setBytes(2, SubjectKeys.generate().getEncoded());
                insert.executeUpdate();
            }
            return row(connection, subjectId)
                    .orElseThrow(() -> new StoreException("the key of subject " + subjectId
                            + " was inserted but cannot be read back from " + tables.subjectKeys()));
        });
        return row.key().orElseThrow(() -> new SubjectForgottenException(subjectId));
    }

    @Override
    public boolean forget(String subjectId) {
        SubjectKeyStore.checkSubjectId(subjectId);
        return run("forgetting subject " + subjectId, connection -> {
            // the locked read tells whether there was a key; a racing forget waits for it and then finds none
            connection.setAutoCommit(false);
            try {
                boolean hadKey;
                try (PreparedStatement lock = connection.prepareStatement(lockSql)) {
                    lock.setString(1, subjectId);
                    try (ResultSet rows = lock.executeQuery()) {
                        hadKey = rows.next() && rows.getBoolean(1);
                    }
                }
                try (PreparedStatement forget = connection.prepareStatement(forgetSql)) {
                    forget.setString(1, subjectId);
                    forget.executeUpdate();
                }
                connection.commit();
                return hadKey;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        });
    }

    @Override
    public boolean forgotten(String subjectId) {
        SubjectKeyStore.checkSubjectId(subjectId);
        return run("reading the key of subject " + subjectId, connection -> row(connection, subjectId))
                .map(Row::forgotten)
                .orElse(false);
    }

    private Optional<Row> row(Connection connection, String subjectId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(selectSql)) {
            select.setString(1, subjectId);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                byte[] key = rows.getBytes(1);
                return Optional.of(new Row(
                        key == null ? Optional.empty() : Optional.of(SubjectKeys.fromBytes(key)), rows.getBoolean(2)));
            }
        }
    }

    private <T> T run(String what, Sql.Work<T> work) {
        checkOpen.run();
        return Sql.autocommit(dataSource, tables.subjectKeys(), what, work);
    }

    @Override
    public String toString() {
        return "PgSubjectKeyStore[" + tables.subjectKeys() + "]";
    }
}
