package io.factum.core.gdpr;

import java.security.SecureRandom;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/** Making subject keys, for implementations of {@link SubjectKeyStore}: AES keys of 256 bits. */
public final class SubjectKeys {

    /** The length of a key, in bytes. */
    public static final int KEY_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private SubjectKeys() {}

    /** A new random key. Thread-safe. */
    public static SecretKey generate() {
        byte[] bytes = new byte[KEY_BYTES];
        RANDOM.nextBytes(bytes);
        return new SecretKeySpec(bytes, "AES");
    }

    /**
     * A key from the bytes a store kept ({@link SecretKey#getEncoded()} of a key from {@link #generate()}).
     *
     * @throws IllegalArgumentException if they are not {@value #KEY_BYTES} bytes
     */
    public static SecretKey fromBytes(byte[] bytes) {
        if (bytes.length != KEY_BYTES) {
            throw new IllegalArgumentException(
                    "a subject key must be " + KEY_BYTES + " bytes (AES-256), got " + bytes.length);
        }
        return new SecretKeySpec(bytes, "AES");
    }
}
