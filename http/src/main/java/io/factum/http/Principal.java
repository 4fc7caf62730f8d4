package io.factum.http;

import java.util.Objects;

/**
 * Who made a request, as the security filter found out: a user name, {@code api-key-<n>} (the n-th key
 * configured, never the key itself) or {@code anonymous}, with the role it was given. Handlers find it in
 * the request attribute {@link #ATTRIBUTE}.
 *
 * @param name who, safe to log
 * @param role what it may do
 */
public record Principal(String name, Role role) {

    /** The request attribute that holds the {@link Principal} of an authenticated request. */
    public static final String ATTRIBUTE = "factum.principal";

    public Principal {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
    }
}
