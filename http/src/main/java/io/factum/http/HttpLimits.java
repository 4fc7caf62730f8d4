package io.factum.http;

/** Request sizes and timeouts of the HTTP surfaces. */
public final class HttpLimits {

    private HttpLimits() {}

    /** The defaults. */
    public static HttpLimits defaults() {
        return new HttpLimits();
    }
}
