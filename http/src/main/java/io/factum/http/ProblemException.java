package io.factum.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failure found by the HTTP layer itself (bad header, malformed body, wrong content type, no such
 * event), answered as an RFC 9457 problem with the given status by {@link Problems}.
 */
final class ProblemException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String slug;
    private final String title;
    private final transient Map<String, Object> fields;

    ProblemException(int status, String slug, String title, String detail) {
        this(status, slug, title, detail, Map.of());
    }

    ProblemException(int status, String slug, String title, String detail, Map<String, Object> fields) {
        super(detail);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.fields = new LinkedHashMap<>(fields);
    }

    static ProblemException badRequest(String detail) {
        return new ProblemException(400, "bad-request", "Bad request", detail);
    }

    static ProblemException notFound(String detail) {
        return new ProblemException(404, "not-found", "Not found", detail);
    }

    int status() {
        return status;
    }

    String slug() {
        return slug;
    }

    String title() {
        return title;
    }

    String detail() {
        return String.valueOf(getMessage());
    }

    Map<String, Object> fields() {
        return fields;
    }
}
