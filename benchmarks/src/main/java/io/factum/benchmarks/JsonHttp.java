package io.factum.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The one HTTP client code both systems are driven with: {@code java.net.http} over HTTP/1.1 with
 * keep-alive, JSON bodies parsed with Jackson, every answer's status checked. A 2xx answer is parsed; a
 * 409 is counted and answered empty; anything else fails the run with the request and the answer.
 */
final class JsonHttp {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final String baseUrl;
    private final Map<String, String> headers;

    /** A client for {@code baseUrl} sending {@code headers} (e.g. the API key) with every request. */
    JsonHttp(String baseUrl, Map<String, String> headers) {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        this.baseUrl = baseUrl;
        this.headers = Map.copyOf(headers);
    }

    /**
     * POSTs {@code json} to {@code path} with the extra {@code requestHeaders}, timed as {@code kind} into
     * {@code recorder}.
     *
     * @return the parsed answer, or empty when the answer was 409 (counted as a conflict)
     */
    Optional<JsonNode> post(
            String kind, String path, Map<String, String> requestHeaders, String json, Recorder recorder)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        requestHeaders.forEach(request::header);
        return send(kind, request.build(), recorder);
    }

    /** GETs {@code path} as JSON, timed as {@code kind}; empty on 409. */
    Optional<JsonNode> get(String kind, String path, Recorder recorder) throws IOException, InterruptedException {
        return send(kind, request(path).GET().build(), recorder);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json");
        headers.forEach(request::header);
        return request;
    }

    private Optional<JsonNode> send(String kind, HttpRequest request, Recorder recorder)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<byte[]> answer = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        long took = System.nanoTime() - start;
        int status = answer.statusCode();
        if (status == 409) {
            recorder.conflict(kind);
            return Optional.empty();
        }
        if (status < 200 || status >= 300) {
            throw new UnexpectedAnswerException(request.method() + " " + request.uri() + " answered " + status
                    + " where 2xx was expected: " + new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        recorder.latency(kind, took);
        return Optional.of(JSON.readTree(answer.body()));
    }

    /** An answer the harness did not expect: the run stops with it. */
    static final class UnexpectedAnswerException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        UnexpectedAnswerException(String message) {
            super(message);
        }
    }
}
