package io.factum.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What one client of a system under test does in a loop, one "order" at a time: five writes. The two
 * systems are driven by the same {@link JsonHttp} code, so their figures differ only by what the servers do.
 */
sealed interface WritePathLoad permits WritePathLoad.ServerAppends, WritePathLoad.OrderCommands {

    /** The system's name in the tables. */
    String system();

    /** Sets up {@code clients} clients (e.g. registers their customers); clients set up before stay. */
    void prepare(int clients) throws Exception;

    /** One loop of client number {@code client}: five writes, each counted as one operation. */
    void loop(int client, Recorder recorder) throws Exception;

    /** Waits for the work started beside the loops (reads of the read model) and fails with its failure. */
    void awaitBeside() throws Exception;

    /**
     * Waits, at most {@code limit}, until the system has finished the work the clients' requests set off in
     * the background (for the orders: the fulfilment of every confirmed order), so that it does not run into
     * the next window.
     */
    Drain settle(Duration limit) throws Exception;

    /**
     * What was left to do in the background when the clients stopped ({@code backlog} orders not yet
     * shipped), how long it took to finish, and how many were still left when the wait gave up.
     */
    record Drain(long backlog, double seconds, long left) {
        static final Drain NONE = new Drain(0, 0, 0);
    }

    /**
     * Reads back what the clients wrote and checks it; answers a line that says what was checked.
     *
     * @throws IllegalStateException if the system does not show what it acknowledged
     */
    String verify() throws Exception;

    /**
     * Single-event appends to {@code factum-server}: each loop appends five events, one request each, to a
     * new stream of the client's own, with the {@code Expected-Version} a client owning its stream sends
     * ({@code no-stream}, then the version the previous append answered). Each event has a fresh id, the type
     * {@code ItemAdded} and about 60 bytes of data.
     */
    final class ServerAppends implements WritePathLoad {

        private final JsonHttp http;
        private final Map<Integer, String> lastStream = new ConcurrentHashMap<>();

        ServerAppends(String baseUrl, String apiKey) {
            this.http = new JsonHttp(baseUrl, Map.of("Authorization", "Bearer " + apiKey));
        }

        @Override
        public String system() {
            return "factum-server";
        }

        @Override
        public void prepare(int clients) {}

        @Override
        public void loop(int client, Recorder recorder) throws Exception {
            String stream = "bench-" + UUID.randomUUID();
            for (int version = 0; version < 5; version++) {
                String body = "[{\"eventId\":\"" + UUID.randomUUID() + "\",\"eventType\":\"ItemAdded\",\"data\":"
                        + "{\"productId\":\"SKU-" + version + "\",\"quantity\":2,\"unitPrice\":12.50,\"line\":"
                        + version + "}}]";
                String expected = version == 0 ? "no-stream" : Integer.toString(version - 1);
                Optional<JsonNode> answer =
                        http.post("append", "/streams/" + stream, Map.of("Expected-Version", expected), body, recorder);
                if (answer.isEmpty()) {
                    return; // a 409 on a stream only this client writes: counted, and this loop given up
                }
                long written = answer.get().path("version").asLong(-1);
                if (written != version) {
                    throw new IllegalStateException("the append to " + stream + " expecting " + expected
                            + " answered version " + written + " where " + version + " was expected: " + answer.get());
                }
                recorder.operation();
            }
            lastStream.put(client, stream);
        }

        @Override
        public void awaitBeside() {}

        @Override
        public Drain settle(Duration limit) {
            return Drain.NONE;
        }

        @Override
        public String verify() throws Exception {
            Recorder ignored = new Recorder();
            for (String stream : lastStream.values()) {
                JsonNode page = http.get("verify", "/streams/" + stream, ignored)
                        .orElseThrow(() -> new IllegalStateException("reading " + stream + " answered 409"));
                int entries = page.path("entries").size();
                if (entries != 5) {
                    throw new IllegalStateException(
                            "the stream " + stream + " shows " + entries + " events where 5 were appended: " + page);
                }
            }
            return "factum-server: the last stream of each of " + lastStream.size()
                    + " clients reads back its 5 events; every append answered the version it expected";
        }
    }

    /**
     * The orders system's JSON API: each loop creates an order for the client's customer, adds 3 items and
     * confirms it (5 commands). Beside the loop, on a virtual thread, it reads the order with {@code
     * ?minPosition=} of the confirm's position and records "confirm → OrderSummary" from sending the confirm
     * until that read answered with the confirmed order; so the commands per second measure the commands
     * alone and the read-model latency is measured under their load.
     */
    final class OrderCommands implements WritePathLoad {

        static final String CONFIRM_TO_READ_MODEL = "confirm → OrderSummary";
        private static final Set<String> CONFIRMED = Set.of("CONFIRMED", "PAID", "SHIPPED");

        private final JsonHttp http;
        private final List<String> customers = new ArrayList<>();
        private final Map<String, Set<String>> confirmed = new ConcurrentHashMap<>();
        private final ExecutorService reads = Executors.newVirtualThreadPerTaskExecutor();
        private final ConcurrentLinkedQueue<Future<?>> pending = new ConcurrentLinkedQueue<>();

        OrderCommands(String baseUrl) {
            this.http = new JsonHttp(baseUrl, Map.of());
        }

        @Override
        public String system() {
            return "orders";
        }

        @Override
        public synchronized void prepare(int clients) throws Exception {
            Recorder ignored = new Recorder();
            while (customers.size() < clients) {
                // one email address per customer: the orders system refuses a second registration of one
                JsonNode answer = http.post(
                                "register", "/api/customers", Map.of(), """
                                {"name":"Ada Lovelace","email":"ada+%s@example.com","address":{"street":"1 Main St",\
                                "city":"Springfield","postalCode":"12345","country":"US"}}""".formatted(UUID.randomUUID()), ignored)
                        .orElseThrow(() -> new IllegalStateException("registering a customer answered 409"));
                String customer = answer.path("customerId").asText();
                customers.add(customer);
                confirmed.put(customer, ConcurrentHashMap.newKeySet());
            }
        }

        @Override
        public void loop(int client, Recorder recorder) throws Exception {
            String customer = customers.get(client);
            Optional<JsonNode> created =
                    http.post("create", "/api/orders", Map.of(), "{\"customerId\":\"" + customer + "\"}", recorder);
            if (created.isEmpty()) {
                return;
            }
            recorder.operation();
            String order = created.get().path("orderId").asText();
            for (int item = 0; item < 3; item++) {
                String body = "{\"productId\":\"SKU-" + item + "\",\"quantity\":2,\"unitPrice\":12.50}";
                if (http.post("add-item", "/api/orders/" + order + "/add-item", Map.of(), body, recorder)
                        .isEmpty()) {
                    return;
                }
                recorder.operation();
            }
            long sent = System.nanoTime();
            Optional<JsonNode> confirm =
                    http.post("confirm", "/api/orders/" + order + "/confirm", Map.of(), "{}", recorder);
            if (confirm.isEmpty()) {
                return;
            }
            recorder.operation();
            String position = confirm.get().path("position").asText();
            pending.add(reads.submit(() -> {
                JsonNode shown = http.get(
                                "read with minPosition", "/api/orders/" + order + "?minPosition=" + position, recorder)
                        .orElseThrow(() -> new IllegalStateException("reading order " + order + " answered 409"));
                recorder.latency(CONFIRM_TO_READ_MODEL, System.nanoTime() - sent);
                if (!CONFIRMED.contains(shown.path("status").asText())
                        || shown.path("itemCount").asInt() != 3) {
                    throw new IllegalStateException("order " + order + " read with minPosition=" + position
                            + " (its confirm's position) shows " + shown + " where a confirmed order of 3 items"
                            + " was expected");
                }
                confirmed.get(customer).add(order);
                return null;
            }));
        }

        @Override
        public void awaitBeside() throws Exception {
            for (Future<?> read = pending.poll(); read != null; read = pending.poll()) {
                try {
                    read.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        }

        /** Polls the read model until no order is CONFIRMED or PAID: every confirmed order has shipped. */
        @Override
        public Drain settle(Duration limit) throws Exception {
            awaitBeside();
            long start = System.nanoTime();
            long deadline = start + limit.toNanos();
            long backlog = unshipped();
            long left = backlog;
            while (left > 0 && System.nanoTime() < deadline) {
                Thread.sleep(250);
                left = unshipped();
            }
            return new Drain(backlog, left == 0 ? (System.nanoTime() - start) / 1e9 : limit.toSeconds(), left);
        }

        private long unshipped() throws Exception {
            Recorder ignored = new Recorder();
            long count = 0;
            for (String status : List.of("CONFIRMED", "PAID")) {
                count += http.get("settle", "/api/orders?status=" + status, ignored)
                        .orElseThrow(() -> new IllegalStateException("listing orders answered 409"))
                        .path("orders")
                        .size();
            }
            return count;
        }

        @Override
        public String verify() throws Exception {
            awaitBeside();
            Recorder ignored = new Recorder();
            Map<String, Integer> statuses = new TreeMap<>();
            int checked = 0;
            for (Map.Entry<String, Set<String>> customer : confirmed.entrySet()) {
                JsonNode list = http.get("verify", "/api/orders?customerId=" + customer.getKey(), ignored)
                        .orElseThrow(() -> new IllegalStateException("listing orders answered 409"));
                Map<String, String> shown = new TreeMap<>();
                for (JsonNode order : list.path("orders")) {
                    shown.put(
                            order.path("orderId").asText(), order.path("status").asText());
                }
                for (String order : customer.getValue()) {
                    String status = shown.getOrDefault(order, "missing");
                    if (!CONFIRMED.contains(status)) {
                        throw new IllegalStateException(
                                "order " + order + " was confirmed but the read model lists" + " it as " + status);
                    }
                    statuses.merge(status, 1, Integer::sum);
                    checked++;
                }
            }
            return "orders: all " + checked + " orders the clients confirmed are listed by the read model as "
                    + statuses;
        }
    }
}
