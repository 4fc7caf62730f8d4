package io.factum.core.gdpr;

import io.factum.core.FactumException;

/**
 * An encrypted personal value could not be read: it was altered, was not encrypted with its subject's
 * key, or is not a well-formed encrypted value. (A value whose key was deleted is not an error: it reads
 * as erased.)
 */
public final class PersonalDataException extends FactumException {

    private final String subjectId;

    public PersonalDataException(String subjectId, String message) {
        super(message);
        this.subjectId = subjectId;
    }

    public PersonalDataException(String subjectId, String message, Throwable cause) {
        super(message, cause);
        this.subjectId = subjectId;
    }

    /** The subject the value belongs to, as the value names it ("" if it names none). */
    public String subjectId() {
        return subjectId;
    }
}
