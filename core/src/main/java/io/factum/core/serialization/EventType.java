package io.factum.core.serialization;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Optionally names an event class's stored type, independent of the class name, so the class can be
 * renamed or moved. Without it, {@link EventTypes.Builder#registerSealed} uses the simple class name
 * (which then must not change, or needs an alias).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EventType {

    /** The stored type name. */
    String value();

    /** The current schema version of the class, 1 or more. */
    int version() default 1;

    /** Older names this class was stored under, still readable. */
    String[] aliases() default {};
}
