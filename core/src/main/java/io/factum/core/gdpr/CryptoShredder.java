package io.factum.core.gdpr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts and decrypts single JSON values of personal data. An encrypted value is the JSON object {@code
 * {"$enc":"<base64 of IV and ciphertext>","$subject":"<subject id>"}}: AES-256-GCM with the subject's key,
 * a random 96-bit IV per value, a 128-bit tag, and the subject id as additional authenticated data (so a
 * value cannot be moved to another subject unnoticed). The plaintext is the value's JSON text.
 *
 * <p>{@link #reveal(String, SubjectKeyStore)} is for readers that do not deserialize events to classes
 * (feeds, admin pages): it decrypts every encrypted value of a JSON document, or puts {@value #ERASED}
 * where the subject was forgotten. All methods are thread-safe.
 */
public final class CryptoShredder {

    /** What an erased text value reads as, and what {@link #reveal} puts in place of any erased value. */
    public static final String ERASED = "[erased]";

    /** The field of an encrypted value holding the IV and ciphertext, base64. */
    public static final String ENCRYPTED_FIELD = "$enc";

    /** The field of an encrypted value naming its subject. */
    public static final String SUBJECT_FIELD = "$subject";

    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    private CryptoShredder() {}

    /**
     * The encrypted form of {@code value} with the key of {@code subjectId}, created if the subject has
     * none.
     *
     * @throws SubjectForgottenException if the subject was forgotten
     */
    public static ObjectNode encrypt(JsonNode value, String subjectId, SubjectKeyStore keys) {
        SecretKey key = keys.keyFor(subjectId);
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        byte[] plaintext = value.toString().getBytes(StandardCharsets.UTF_8);
        byte[] ciphertext;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(subjectId.getBytes(StandardCharsets.UTF_8));
            ciphertext = cipher.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new PersonalDataException(
                    subjectId,
                    "cannot encrypt personal data of subject " + subjectId + " with AES-256-GCM: " + e.getMessage(),
                    e);
        }
        ObjectNode encrypted = JsonNodeFactory.instance.objectNode();
        encrypted.put(
                ENCRYPTED_FIELD,
                Base64.getEncoder()
                        .encodeToString(ByteBuffer.allocate(iv.length + ciphertext.length)
                                .put(iv)
                                .put(ciphertext)
                                .array()));
        encrypted.put(SUBJECT_FIELD, subjectId);
        return encrypted;
    }

    /** True if {@code node} is an encrypted value: an object of exactly the text fields $enc and $subject. */
    public static boolean isEncrypted(JsonNode node) {
        return node instanceof ObjectNode object
                && object.size() == 2
                && object.path(ENCRYPTED_FIELD).isTextual()
                && object.path(SUBJECT_FIELD).isTextual();
    }

    /** The subject an encrypted value belongs to. */
    public static String subjectOf(JsonNode encrypted) {
        checkEncrypted(encrypted);
        return encrypted.get(SUBJECT_FIELD).asText();
    }

    /**
     * The value an encrypted value holds, or empty if its subject's key is gone (the subject was forgotten,
     * or never had a key: the value is erased either way).
     *
     * @throws PersonalDataException if {@code encrypted} is not an encrypted value, was altered, or was not
     *     encrypted with the subject's key
     */
    public static Optional<JsonNode> decrypt(JsonNode encrypted, SubjectKeyStore keys) {
        checkEncrypted(encrypted);
        String subjectId = encrypted.get(SUBJECT_FIELD).asText();
        Optional<SecretKey> key = keys.key(subjectId);
        return key.map(k -> decrypt(encrypted, subjectId, k));
    }

    private static JsonNode decrypt(JsonNode encrypted, String subjectId, SecretKey key) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(encrypted.get(ENCRYPTED_FIELD).asText());
        } catch (IllegalArgumentException e) {
            throw new PersonalDataException(
                    subjectId, "personal data of subject " + subjectId + " is not valid base64: " + e.getMessage(), e);
        }
        if (bytes.length < IV_BYTES + TAG_BITS / 8) {
            throw new PersonalDataException(
                    subjectId,
                    "personal data of subject " + subjectId + " is " + bytes.length + " bytes, too short for an"
                            + " AES-GCM value (at least " + (IV_BYTES + TAG_BITS / 8) + ")");
        }
        byte[] plaintext;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES));
            cipher.updateAAD(subjectId.getBytes(StandardCharsets.UTF_8));
            plaintext = cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES);
        } catch (AEADBadTagException e) {
            throw new PersonalDataException(
                    subjectId,
                    "personal data of subject " + subjectId + " cannot be decrypted: it was altered, or it was not"
                            + " encrypted with this subject's key",
                    e);
        } catch (GeneralSecurityException e) {
            throw new PersonalDataException(
                    subjectId, "personal data of subject " + subjectId + " cannot be decrypted: " + e.getMessage(), e);
        }
        try {
            return JSON.readTree(new String(plaintext, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new PersonalDataException(
                    subjectId,
                    "personal data of subject " + subjectId + " decrypted to invalid JSON: " + e.getOriginalMessage(),
                    e);
        }
    }

    /**
     * {@code json} with every encrypted value (at any depth) replaced by the value it holds, or by the text
     * {@value #ERASED} where its subject's key is gone. Each subject's key is looked up once.
     *
     * @throws IllegalArgumentException if {@code json} is not valid JSON
     * @throws PersonalDataException if an encrypted value was altered or not encrypted with its subject's key
     */
    public static String reveal(String json, SubjectKeyStore keys) {
        if (!json.contains("\"" + ENCRYPTED_FIELD + "\"")) {
            return json;
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot reveal personal data: not valid JSON: " + e.getOriginalMessage(), e);
        }
        return reveal(tree, keys).toString();
    }

    /**
     * A copy of {@code tree} with every encrypted value replaced as {@link #reveal(String, SubjectKeyStore)}
     * does.
     *
     * @throws PersonalDataException if an encrypted value was altered or not encrypted with its subject's key
     */
    public static JsonNode reveal(JsonNode tree, SubjectKeyStore keys) {
        return reveal(tree.deepCopy(), new HashMap<>(), keys);
    }

    private static JsonNode reveal(JsonNode node, Map<String, Optional<SecretKey>> looked, SubjectKeyStore keys) {
        if (isEncrypted(node)) {
            String subjectId = node.get(SUBJECT_FIELD).asText();
            Optional<SecretKey> key = looked.computeIfAbsent(subjectId, keys::key);
            return key.map(k -> decrypt(node, subjectId, k)).orElse(TextNode.valueOf(ERASED));
        }
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                field.setValue(reveal(field.getValue(), looked, keys));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, reveal(array.get(i), looked, keys));
            }
        }
        return node;
    }

    private static void checkEncrypted(JsonNode node) {
        if (!isEncrypted(node)) {
            String text = node.toString();
            throw new PersonalDataException(
                    "",
                    "not an encrypted personal value (an object of the text fields " + ENCRYPTED_FIELD + " and "
                            + SUBJECT_FIELD + "): " + (text.length() > 100 ? text.substring(0, 100) + "..." : text));
        }
    }
}
