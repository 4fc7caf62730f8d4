package io.factum.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes an RFC 9457 problem+json body for the answers of the security filter and the ops routes. The
 * details never hold a secret: they name what was missing or too low, not what was sent.
 */
final class SecurityProblems {

    static final String CONTENT_TYPE = "application/problem+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SecurityProblems() {}

    static void write(Context ctx, int status, String type, String title, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", Problems.TYPE_PREFIX + type);
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        problem.put("instance", ctx.path());
        String body;
        try {
            body = JSON.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings and an int did not serialize", e);
        }
        ctx.status(status).contentType(CONTENT_TYPE).result(body);
    }
}
