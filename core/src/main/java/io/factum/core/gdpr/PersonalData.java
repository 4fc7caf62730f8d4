package io.factum.core.gdpr;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a record component of an event as personal data of the event's {@link DataSubject}: a serializer
 * made with {@code EventSerializer.withPersonalData(keys)} stores its JSON value encrypted with the
 * subject's key, and once the subject is forgotten reads it as erased: {@value CryptoShredder#ERASED} for
 * text ({@code String}, {@code CharSequence}), {@code 0} or {@code false} for primitives, empty for {@code
 * Optional}, collections, arrays and maps, and {@code null} for any other type.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface PersonalData {}
