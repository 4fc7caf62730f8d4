package io.factum.examples.orders.api;

import io.factum.core.command.FieldViolation;
import java.util.List;
import java.util.Map;

/**
 * A failed request, answered as an RFC 9457 problem: the status, a stable slug (the problem's type is
 * {@code urn:factum:orders:<slug>}), a title, a detail in words, and extra members ({@code errors} with
 * every bad field, {@code rule} for a business rule, the versions of a conflict).
 */
final class ApiProblem extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String slug;
    private final String title;
    private final transient Map<String, Object> extra;

    ApiProblem(int status, String slug, String title, String detail, Map<String, Object> extra) {
        super(detail);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.extra = Map.copyOf(extra);
    }

    /** 400: every field in {@code violations} is named, with what is wrong with it. */
    static ApiProblem invalid(List<FieldViolation> violations) {
        String detail = "the request has " + violations.size() + " invalid field" + (violations.size() == 1 ? "" : "s")
                + ": "
                + String.join(
                        "; ", violations.stream().map(FieldViolation::toString).toList());
        List<Map<String, String>> errors = violations.stream()
                .map(v -> Map.of("field", v.field(), "message", v.message()))
                .toList();
        return new ApiProblem(400, "invalid-input", "Invalid input", detail, Map.of("errors", errors));
    }

    /** 400 for one field. */
    static ApiProblem invalid(String field, String message) {
        return invalid(List.of(new FieldViolation(field, message)));
    }

    /** 404: nothing has this id. */
    static ApiProblem notFound(String detail) {
        return new ApiProblem(404, "not-found", "Not found", detail, Map.of());
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

    Map<String, Object> extra() {
        return extra;
    }
}
