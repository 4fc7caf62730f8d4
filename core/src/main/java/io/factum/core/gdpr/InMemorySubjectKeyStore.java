package io.factum.core.gdpr;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.crypto.SecretKey;

/** {@link SubjectKeyStore#inMemory()}: a map from subject id to key, or to empty once forgotten. */
final class InMemorySubjectKeyStore implements SubjectKeyStore {

    private final ConcurrentMap<String, Optional<SecretKey>> keys = new ConcurrentHashMap<>();

    @Override
    public Optional<SecretKey> key(String subjectId) {
        return keys.getOrDefault(SubjectKeyStore.checkSubjectId(subjectId), Optional.empty());
    }

    @Override
    public SecretKey keyFor(String subjectId) {
        Optional<SecretKey> key = keys.computeIfAbsent(
                SubjectKeyStore.checkSubjectId(subjectId), id -> Optional.of(SubjectKeys.generate()));
        return key.orElseThrow(() -> new SubjectForgottenException(subjectId));
    }

    @Override
    public boolean forget(String subjectId) {
        Optional<SecretKey> before = keys.put(SubjectKeyStore.checkSubjectId(subjectId), Optional.empty());
        return before != null && before.isPresent();
    }

    @Override
    public boolean forgotten(String subjectId) {
        Optional<SecretKey> key = keys.get(SubjectKeyStore.checkSubjectId(subjectId));
        return key != null && key.isEmpty();
    }

    @Override
    public String toString() {
        return "SubjectKeyStore.inMemory[" + keys.size() + " subjects]";
    }
}
