package io.factum.examples.spring.boot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** A client of the bank over real HTTP, as a teller (or a stranger, without credentials). */
final class Teller {

    /** An answer: its status, its JSON body (or null if it had none) and its WWW-Authenticate header. */
    record Answer(int status, JsonNode body, Optional<String> challenge) {}

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final Optional<String> authorization;

    private Teller(String base, Optional<String> authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    static Teller at(int port, String user, String password) {
        String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return new Teller("http://localhost:" + port, Optional.of("Basic " + token));
    }

    static Teller stranger(int port) {
        return new Teller("http://localhost:" + port, Optional.empty());
    }

    Answer post(String path, String json) {
        return send(request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    Answer get(String path) {
        return send(request(path).GET());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        authorization.ifPresent(value -> request.header("Authorization", value));
        return request;
    }

    private static Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
            return new Answer(response.statusCode(), body, response.headers().firstValue("WWW-Authenticate"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the bank", e);
        }
    }
}
