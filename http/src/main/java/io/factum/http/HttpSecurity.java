package io.factum.http;

/** Who may read, write and administer through the HTTP surfaces. */
public final class HttpSecurity {

    private HttpSecurity() {}

    /** Nobody may do anything but {@code /health}: the default until rules are given. */
    public static HttpSecurity denyAll() {
        return new HttpSecurity();
    }
}
