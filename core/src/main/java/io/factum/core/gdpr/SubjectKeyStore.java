package io.factum.core.gdpr;

import java.util.Optional;
import javax.crypto.SecretKey;

/**
 * Where the encryption key of each data subject lives: one AES-256 key per subject id, created on first
 * use and deleted for good when the subject is forgotten. Each store module offers one kept in the store's
 * own database; {@link #inMemory()} is for tests. Implementations are thread-safe.
 *
 * <p>Subject ids are 1-200 characters; every method throws {@link IllegalArgumentException} for others.
 */
public interface SubjectKeyStore {

    /** The longest subject id, in characters. */
    int MAX_SUBJECT_ID_LENGTH = 200;

    /** The key of {@code subjectId}, empty if it never had one or was forgotten. */
    Optional<SecretKey> key(String subjectId);

    /**
     * The key of {@code subjectId}, created if it has none yet. Atomic: callers racing to create the first
     * key of a subject (in one process or, for a database store, several) all get the same key.
     *
     * @throws SubjectForgottenException if the subject was forgotten; no key is created
     */
    SecretKey keyFor(String subjectId);

    /**
     * Deletes the key of {@code subjectId} for good and remembers that the subject was forgotten, so that
     * {@link #keyFor} refuses to create a new one. A subject never seen is remembered as forgotten too.
     *
     * @return true if there was a key to delete
     */
    boolean forget(String subjectId);

    /** True if {@code subjectId} was forgotten. */
    boolean forgotten(String subjectId);

    /** A key store in this process's memory, lost when it ends: for tests. */
    static SubjectKeyStore inMemory() {
        return new InMemorySubjectKeyStore();
    }

    /**
     * Checks a subject id: 1-{@value #MAX_SUBJECT_ID_LENGTH} characters.
     *
     * @return the id
     * @throws IllegalArgumentException if it is empty or too long
     */
    static String checkSubjectId(String subjectId) {
        if (subjectId.isEmpty() || subjectId.length() > MAX_SUBJECT_ID_LENGTH) {
            throw new IllegalArgumentException(
                    "subject id must be 1-" + MAX_SUBJECT_ID_LENGTH + " characters, got " + subjectId.length());
        }
        return subjectId;
    }
}
