package io.factum.core.gdpr;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the record component that names whose personal data an event carries: its value ({@code
 * toString()} of it, 1-200 characters) is the subject id whose key encrypts the event's {@link
 * PersonalData} components. One per event record that has personal components; it is stored in the clear.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface DataSubject {}
