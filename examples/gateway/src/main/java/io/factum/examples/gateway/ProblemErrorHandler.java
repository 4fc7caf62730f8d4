package io.factum.examples.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * Every answer the gateway writes itself (no route, no key, too many requests, too large, no ready
 * instance, an instance that failed or timed out) as an RFC 9457 problem, like the services' own: {@code
 * type} {@code urn:factum:gateway:...}, {@code title}, {@code status}, {@code detail}. Problems the
 * services write are not touched: they go through the proxy as they are.
 */
final class ProblemErrorHandler extends ErrorHandler {

    static final String PROBLEM_JSON = "application/problem+json";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void generateResponse(
            Request request,
            Response response,
            int code,
            @Nullable String message,
            @Nullable Throwable cause,
            Callback callback) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "urn:factum:gateway:" + type(code));
        problem.put("title", HttpStatus.getMessage(code));
        problem.put("status", code);
        problem.put("detail", message == null ? HttpStatus.getMessage(code) : message);
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(problem);
        } catch (JsonProcessingException e) {
            // a map of strings and a number always serializes
            throw new IllegalStateException("cannot write the problem for status " + code, e);
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, PROBLEM_JSON);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static String type(int code) {
        return switch (code) {
            case 401 -> "key-needed";
            case 404 -> "no-route";
            case 413 -> "request-too-large";
            case 429 -> "too-many-requests";
            case 502 -> "instance-failed";
            case 503 -> "no-ready-instance";
            case 504 -> "instance-timed-out";
            default -> HttpStatus.getMessage(code).toLowerCase(Locale.ROOT).replace(' ', '-');
        };
    }
}
