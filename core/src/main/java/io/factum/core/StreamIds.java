package io.factum.core;

/**
 * The rules for stream ids. A stream id has 1-200 characters and no control characters; ids that start
 * with {@code $} are reserved for the store. The category of {@code order-42} is {@code order}.
 */
public final class StreamIds {

    /** The longest stream id a store accepts, in characters. */
    public static final int MAX_LENGTH = 200;

    private StreamIds() {}

    /** The part of the stream id before the first {@code -}, or the whole id if it has none. */
    public static String category(String streamId) {
        int dash = streamId.indexOf('-');
        return dash < 0 ? streamId : streamId.substring(0, dash);
    }

    /**
     * The bucket of a stream among {@code count} buckets, for consumer groups: the CRC-32 of its UTF-8 id,
     * as a non-negative int, modulo {@code count}. Stable across processes, versions and stores.
     *
     * @throws IllegalArgumentException if {@code count} is less than 1
     */
    public static int bucket(String streamId, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a bucket count must be 1 or more, got " + count);
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(streamId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return (int) ((crc.getValue() & 0x7fffffff) % count);
    }

    /**
     * Checks a stream id that a user wants to write to or read from.
     *
     * @return the id, unchanged
     * @throws InvalidStreamIdException if it breaks a rule; the message says which and what was found
     * @throws NullPointerException "streamId is null"
     */
    public static String requireValid(String streamId) {
        if (streamId == null) {
            throw new NullPointerException("streamId is null");
        }
        int length = streamId.length();
        if (length == 0 || length > MAX_LENGTH) {
            throw new InvalidStreamIdException(
                    streamId, "stream id must be 1-" + MAX_LENGTH + " characters, got " + length);
        }
        if (streamId.charAt(0) == '$') {
            throw new InvalidStreamIdException(
                    streamId, "stream id '" + streamId + "' starts with '$', which is reserved for the store");
        }
        for (int i = 0; i < length; i++) {
            char c = streamId.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidStreamIdException(
                        streamId,
                        "stream id must not contain control characters, found U+%04X at index %d"
                                .formatted((int) c, i));
            }
        }
        int unpaired = unpairedSurrogate(streamId);
        if (unpaired >= 0) {
            // a store would keep it as '?' (SQLite, PostgreSQL), so two different ids would name one stream
            throw new InvalidStreamIdException(
                    streamId,
                    "stream id must be well-formed UTF-16, found an unpaired surrogate U+%04X at index %d"
                            .formatted((int) streamId.charAt(unpaired), unpaired));
        }
        return streamId;
    }

    /**
     * The index of the first surrogate in {@code text} that is not half of a pair, or -1 if there is none:
     * such text has no UTF-8 form, and stores would keep it as {@code ?}.
     */
    public static int unpairedSurrogate(String text) {
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
