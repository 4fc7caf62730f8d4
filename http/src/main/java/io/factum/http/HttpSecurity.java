package io.factum.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Who may read, write and administer through the HTTP surfaces: API keys ({@code Authorization: Bearer
 * <key>} or {@code X-API-Key: <key>}), users with passwords (HTTP Basic), an optional anonymous role, and
 * optional rules per stream id prefix.
 *
 * <pre>{@code
 * HttpSecurity security = HttpSecurity.builder()
 *         .apiKey(System.getenv("FACTUM_API_KEY"), Role.ADMIN)
 *         .user("ops", "a long passphrase", Role.READ)
 *         .streamRule("payment-", Role.ADMIN, Role.ADMIN)
 *         .build();
 * }</pre>
 *
 * <p>Secrets are kept only as hashes: API keys as SHA-256 (they are long random strings), passwords as
 * salted PBKDF2-HMAC-SHA256. Every comparison takes the same time whether it matches or not. Immutable and
 * thread-safe.
 */
public final class HttpSecurity {

    static final int PBKDF2_ITERATIONS = 100_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;

    private final List<byte[]> keyHashes;
    private final List<Role> keyRoles;
    private final Map<String, User> users;
    private final Optional<Role> anonymous;
    private final List<SecurityStreamRule> streamRules;
    /** Verified instead of a missing user, so that a wrong user name costs as much as a wrong password. */
    private final User decoy;

    private HttpSecurity(Builder builder) {
        this.keyHashes = List.copyOf(builder.keyHashes);
        this.keyRoles = List.copyOf(builder.keyRoles);
        this.users = Map.copyOf(builder.users);
        this.anonymous = Optional.ofNullable(builder.anonymous);
        this.streamRules = List.copyOf(builder.streamRules);
        this.decoy = User.of("", "decoy password", Role.READ);
    }

    /** Nobody may do anything but {@code /health}: the default until rules are given. */
    public static HttpSecurity denyAll() {
        return new Builder().build();
    }

    /** Rules to build; with none given, {@link #build()} is {@link #denyAll()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The role of the anonymous caller, if anonymous access is on. */
    Optional<Role> anonymousRole() {
        return anonymous;
    }

    boolean hasUsers() {
        return !users.isEmpty();
    }

    boolean hasKeys() {
        return !keyHashes.isEmpty();
    }

    List<SecurityStreamRule> streamRules() {
        return streamRules;
    }

    /** The principal of an API key, or empty; compares against every key, in constant time for each. */
    Optional<Principal> authenticateKey(String key) {
        byte[] hash = sha256(key);
        int found = -1;
        for (int i = 0; i < keyHashes.size(); i++) {
            if (MessageDigest.isEqual(keyHashes.get(i), hash) && found < 0) {
                found = i;
            }
        }
        return found < 0 ? Optional.empty() : Optional.of(new Principal("api-key-" + (found + 1), keyRoles.get(found)));
    }

    /** The principal of a user name and password, or empty. */
    Optional<Principal> authenticateUser(String name, String password) {
        User user = users.get(name);
        boolean matches = (user == null ? decoy : user).matches(password);
        return user != null && matches ? Optional.of(new Principal(name, user.role())) : Optional.empty();
    }

    static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** A user's salted password hash. */
    private record User(byte[] salt, byte[] hash, Role role) {

        static User of(String name, String password, Role role) {
            byte[] salt = new byte[SALT_BYTES];
            new SecureRandom().nextBytes(salt);
            return new User(salt, pbkdf2(password, salt), role);
        }

        boolean matches(String password) {
            return MessageDigest.isEqual(hash, pbkdf2(password, salt));
        }

        private static byte[] pbkdf2(String password, byte[] salt) {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, PBKDF2_ITERATIONS, HASH_BITS);
            try {
                return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                        .generateSecret(spec)
                        .getEncoded();
            } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
                throw new IllegalStateException("the JDK has no PBKDF2WithHmacSHA256", e);
            } finally {
                spec.clearPassword();
            }
        }
    }

    /** The rules of an {@link HttpSecurity}; {@link #build()} makes it. Not thread-safe. */
    public static final class Builder {
        private final List<byte[]> keyHashes = new ArrayList<>();
        private final List<Role> keyRoles = new ArrayList<>();
        private final Map<String, User> users = new LinkedHashMap<>();
        private final List<SecurityStreamRule> streamRules = new ArrayList<>();
        private @Nullable Role anonymous;

        private Builder() {}

        /**
         * Accepts {@code key} as {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}, with
         * {@code role}. Use long random keys (32 bytes or more): they are hashed with SHA-256, not a slow
         * password hash.
         *
         * @throws IllegalArgumentException if the key is shorter than 8 characters or already given
         */
        public Builder apiKey(String key, Role role) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(role, "role");
            if (key.length() < 8) {
                throw new IllegalArgumentException("an API key must have 8 characters or more, got " + key.length());
            }
            byte[] hash = sha256(key);
            for (byte[] known : keyHashes) {
                if (MessageDigest.isEqual(known, hash)) {
                    throw new IllegalArgumentException("this API key is already configured");
                }
            }
            keyHashes.add(hash);
            keyRoles.add(role);
            return this;
        }

        /**
         * Accepts the user {@code name} with {@code password} over HTTP Basic, with {@code role}. Only a
         * salted PBKDF2 hash of the password is kept. Each request with Basic credentials costs one PBKDF2
         * verification (some tens of milliseconds): API keys suit programs better.
         *
         * @throws IllegalArgumentException if the name is empty or has a {@code :}, the password is empty,
         *     or the user is already given
         */
        public Builder user(String name, String password, Role role) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(role, "role");
            if (name.isEmpty() || name.contains(":")) {
                throw new IllegalArgumentException("a user name must be non-empty and without ':', got '" + name + "'");
            }
            if (password.isEmpty()) {
                throw new IllegalArgumentException("user " + name + ": the password must not be empty");
            }
            if (users.containsKey(name)) {
                throw new IllegalArgumentException("user " + name + " is already configured");
            }
            users.put(name, User.of(name, password, role));
            return this;
        }

        /** Lets requests without credentials do what {@code role} may (off unless called). */
        public Builder anonymous(Role role) {
            this.anonymous = Objects.requireNonNull(role, "role");
            return this;
        }

        /**
         * Streams whose id starts with {@code streamIdPrefix} need {@code readRole} to read and {@code
         * writeRole} to append or delete, on top of the usual {@link Role#READ}/{@link Role#WRITE}. Where
         * several prefixes match, the strictest role wins. Reads of the global log ({@code $all}), of
         * categories and of live subscriptions that may span streams need the strictest read role of all
         * rules.
         *
         * @throws IllegalArgumentException if the prefix is empty
         */
        public Builder streamRule(String streamIdPrefix, Role readRole, Role writeRole) {
            streamRules.add(new SecurityStreamRule(streamIdPrefix, readRole, writeRole));
            return this;
        }

        /** Makes the rules. */
        public HttpSecurity build() {
            return new HttpSecurity(this);
        }
    }
}
