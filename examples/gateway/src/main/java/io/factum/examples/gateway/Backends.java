package io.factum.examples.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The instances of one service and which of them are ready: each is asked {@code GET /health/ready} every
 * {@code interval} (200 means ready; anything else, or no answer within 2 seconds, means not), and an
 * instance the proxy could not reach is taken out at once until it answers ready again. {@link #next()}
 * takes the ready instances in turn. Thread-safe.
 */
final class Backends implements AutoCloseable {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private final String service;
    private final List<URI> instances;
    private final Duration interval;
    private final Set<URI> ready = ConcurrentHashMap.newKeySet();
    private final AtomicInteger turn = new AtomicInteger();
    private final HttpClient probe;
    private final ScheduledExecutorService poller;

    Backends(String service, List<URI> instances, Duration interval) {
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("service " + service + " needs at least one instance, got none");
        }
        this.service = service;
        this.instances = List.copyOf(instances);
        this.interval = interval;
        this.probe = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();
        this.poller = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("gateway-ready-" + service).factory());
    }

    /** Asks every instance once now (so the gateway starts knowing), then every interval. */
    void start() {
        probeAll();
        poller.scheduleWithFixedDelay(this::probeAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    String service() {
        return service;
    }

    /** The next ready instance in turn, or empty if none is ready. */
    Optional<URI> next() {
        List<URI> candidates = instances.stream().filter(ready::contains).toList();
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(candidates.get(Math.floorMod(turn.getAndIncrement(), candidates.size())));
    }

    /** The proxy could not reach {@code instance}: no requests go there until it answers ready again. */
    void unreachable(URI instance) {
        ready.remove(instance);
    }

    private void probeAll() {
        for (URI instance : instances) {
            if (isReady(instance)) {
                ready.add(instance);
            } else {
                ready.remove(instance);
            }
        }
    }

    private boolean isReady(URI instance) {
        HttpRequest request = HttpRequest.newBuilder(instance.resolve("/health/ready"))
                .timeout(PROBE_TIMEOUT)
                .GET()
                .build();
        try {
            return probe.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // refused, reset or timed out: not ready
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
        probe.close();
    }
}
