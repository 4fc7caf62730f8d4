package io.factum.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * Jetty's answers to requests that never reach a route (a header with bytes HTTP does not allow, a line
 * too long, a URI Jetty refuses) as {@code application/problem+json} like every other error, instead of
 * Jetty's HTML page. For applications that own their server: {@code config.jetty.modifyServer(server ->
 * server.setErrorHandler(new ProblemErrorHandler()))}; the http module's routes do not need it, and as a
 * guest it leaves the host's server alone.
 */
public final class ProblemErrorHandler extends ErrorHandler {

    @Override
    protected void generateResponse(
            Request request,
            Response response,
            int code,
            @Nullable String message,
            @Nullable Throwable cause,
            Callback callback)
            throws IOException {
        String title = HttpStatus.getMessage(code);
        ObjectNode body = StreamJson.MAPPER.createObjectNode();
        body.put("type", Problems.TYPE_PREFIX + (code == 400 ? "bad-request" : "http-" + code));
        body.put("title", title);
        body.put("status", code);
        body.put("detail", message == null || message.isBlank() ? title : message);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problems.MEDIA_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body.toString().getBytes(StandardCharsets.UTF_8)), callback);
    }
}
