package io.factum.core;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rules for tags, the labels an event carries for {@link EventQuery queries} and {@link AppendCondition
 * append conditions} across streams ({@code course:c1}, {@code student:s7}). A tag has 1-{@value
 * #MAX_LENGTH} characters, no control characters and no unpaired surrogates; an event carries at most
 * {@value #MAX_PER_EVENT} of them. Tags are compared exactly (case and all). Factum gives the text no
 * structure: {@code key:value} is a convention, not a rule.
 */
public final class Tags {

    /** The longest tag, in characters. */
    public static final int MAX_LENGTH = 200;

    /** The most tags one event may carry. */
    public static final int MAX_PER_EVENT = 64;

    private Tags() {}

    /**
     * Checks a tag.
     *
     * @return the tag, unchanged
     * @throws InvalidTagException if it breaks a rule; the message says which and what was found
     * @throws NullPointerException "tag is null"
     */
    public static String requireValid(String tag) {
        if (tag == null) {
            throw new NullPointerException("tag is null");
        }
        int length = tag.length();
        if (length == 0 || length > MAX_LENGTH) {
            throw new InvalidTagException(tag, "a tag must be 1-" + MAX_LENGTH + " characters, got " + length);
        }
        for (int i = 0; i < length; i++) {
            char c = tag.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidTagException(
                        tag,
                        "a tag must not contain control characters, found U+%04X at index %d in '%s'"
                                .formatted((int) c, i, printable(tag)));
            }
        }
        int unpaired = StreamIds.unpairedSurrogate(tag);
        if (unpaired >= 0) {
            throw new InvalidTagException(
                    tag,
                    "a tag must be well-formed UTF-16, found an unpaired surrogate U+%04X at index %d"
                            .formatted((int) tag.charAt(unpaired), unpaired));
        }
        return tag;
    }

    /**
     * Checks the tags of one event (each, and their number) and returns them sorted, the order stores keep.
     *
     * @throws InvalidTagException if a tag breaks a rule or there are more than {@value #MAX_PER_EVENT}
     */
    public static Set<String> requireValid(Collection<String> tags) {
        if (tags.size() > MAX_PER_EVENT) {
            throw new InvalidTagException(
                    "", "an event may carry at most " + MAX_PER_EVENT + " tags, got " + tags.size());
        }
        TreeSet<String> sorted = new TreeSet<>();
        for (String tag : tags) {
            sorted.add(requireValid(tag));
        }
        return sorted;
    }

    private static String printable(String tag) {
        StringBuilder text = new StringBuilder(tag.length());
        tag.chars().forEach(c -> text.append(Character.isISOControl(c) ? "\\u%04X".formatted(c) : (char) c));
        return text.toString();
    }
}
