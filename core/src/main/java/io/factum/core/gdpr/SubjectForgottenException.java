package io.factum.core.gdpr;

import io.factum.core.FactumException;

/**
 * A key was asked for a subject that was forgotten: new personal data of a forgotten subject cannot be
 * encrypted (and so cannot be written). Nothing was written.
 */
public final class SubjectForgottenException extends FactumException {

    private final String subjectId;

    public SubjectForgottenException(String subjectId) {
        super("data subject " + subjectId + " was forgotten: its key is deleted for good and no new one is"
                + " created, so new personal data of this subject cannot be stored");
        this.subjectId = subjectId;
    }

    /** The forgotten subject. */
    public String subjectId() {
        return subjectId;
    }
}
