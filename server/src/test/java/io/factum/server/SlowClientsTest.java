package io.factum.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hundreds of clients that hold connections open at once (live subscriptions, long polls, and senders that
 * trickle a request body a byte a second) leave the server free to answer everyone else, and what they
 * held is given back once they go. Raw sockets, so that a client costs the test one file descriptor and no
 * thread. The figures measured are printed; no assertion is about speed.
 */
class SlowClientsTest {

    private static final String WRITE_KEY = "slow-clients-write-key-0123456789abcdef";
    private static final String ADMIN_KEY = "slow-clients-admin-key-0123456789abcdef";
    private static final int SUBSCRIBERS = 300;
    private static final int LONG_POLLS = 200;
    private static final int SLOW_SENDERS = 260;
    private static final int LONG_POLL_SECONDS = 15;
    private static final int PROBES = 8;
    /** How long a probe waits for its answer: a liveness bound, not a speed requirement. */
    private static final int CLIENT_TIMEOUT_MILLIS = 10_000;

    private static final Pattern GAUGE =
            Pattern.compile("(?m)^factum_http_long_lived_requests(?:\\{[^}]*})? ([0-9.eE+]+)$");

    @Test
    void health_and_appends_are_answered_while_hundreds_of_clients_wait_or_trickle_and_their_threads_end(
            @TempDir Path dir) throws Exception {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        // a machine that cannot hold the scenario fails it, saying why: the test is never skipped
        assertThat(os instanceof UnixOperatingSystemMXBean unix && unix.getMaxFileDescriptorCount() >= 4096)
                .as("this test opens about 1,600 sockets in one JVM; it needs a file descriptor limit of 4096 or"
                        + " more (ulimit -n)")
                .isTrue();
        FactumServer server = FactumServer.start(
                List.of(
                        "--port",
                        "0",
                        "--data-dir",
                        dir.toString(),
                        "--max-long-lived-requests",
                        "1000",
                        "--max-long-lived-requests-per-client",
                        "1000"),
                Map.of("FACTUM_WRITE_KEY", WRITE_KEY, "FACTUM_API_KEY", ADMIN_KEY));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Long> healthMillis = new ArrayList<>();
        List<Long> appendMillis = new ArrayList<>();
        List<String> healthAnswers = new ArrayList<>();
        List<String> appendAnswers = new ArrayList<>();
        int threadsBefore;
        int threadsDuring;
        int cutOff;
        List<String> subscribed;
        try {
            int port = server.port();
            assertThat(status(append(port, "quiet-sse"))).isEqualTo(201);
            assertThat(status(append(port, "quiet-poll"))).isEqualTo(201);
            threadsBefore = threads.getThreadCount();

            try (Crowd crowd = new Crowd(port)) {
                // given
                subscribed = crowd.subscribe(SUBSCRIBERS);
                crowd.longPoll(LONG_POLLS);
                crowd.trickle(SLOW_SENDERS);

                // when
                for (int i = 0; i < PROBES; i++) {
                    long start = System.nanoTime();
                    healthAnswers.add(exchange(
                            port, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
                    healthMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                    start = System.nanoTime();
                    appendAnswers.add(append(port, "probe-" + i));
                    appendMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                    Thread.sleep(1_000);
                }
                threadsDuring = threads.getThreadCount();
                cutOff = crowd.cutOff();
            }

            System.out.printf(
                    "SlowClientsTest: health %s ms, appends %s ms; platform threads before %d, during %d;"
                            + " slow senders cut off: %d%n",
                    healthMillis, appendMillis, threadsBefore, threadsDuring, cutOff);

            // then
            assertThat(subscribed)
                    .as("the subscribers' status lines")
                    .hasSize(SUBSCRIBERS)
                    .allMatch(line -> line.startsWith("HTTP/1.1 200"));
            assertThat(healthAnswers)
                    .as("the answers to GET /health/live")
                    .extracting(SlowClientsTest::status)
                    .containsOnly(200);
            assertThat(appendAnswers)
                    .as("the answers to the appends")
                    .extracting(SlowClientsTest::status)
                    .containsOnly(201);
            assertThat(cutOff).as("trickling senders the server cut off").isPositive();

            // and afterwards every subscription and long poll ends (at its next heartbeat or when its poll
            // is over), and the threads taken for the crowd end too
            long afterStart = System.nanoTime();
            long deadline = afterStart + TimeUnit.SECONDS.toNanos(60);
            double live = longLived(port);
            while (live != 0 && System.nanoTime() < deadline) {
                Thread.sleep(500);
                live = longLived(port);
            }
            long liveMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - afterStart);
            int threadsAfter = threads.getThreadCount();
            while (threadsAfter > threadsBefore + 20 && System.nanoTime() < deadline) {
                Thread.sleep(500);
                threadsAfter = threads.getThreadCount();
            }
            System.out.printf(
                    "SlowClientsTest: subscriptions and long polls all ended %d ms after the clients went;"
                            + " platform threads %d after %d ms%n",
                    liveMillis, threadsAfter, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - afterStart));
            assertThat(live).as("long-lived requests still served").isZero();
            assertThat(threadsAfter)
                    .as("platform threads, %d before", threadsBefore)
                    .isLessThanOrEqualTo(threadsBefore + 20);
        } finally {
            server.shutdown();
        }
    }

    private static String append(int port, String stream) throws IOException {
        byte[] body = ("[{\"eventId\":\"" + UUID.randomUUID() + "\",\"eventType\":\"Probed\",\"data\":{}}]")
                .getBytes(StandardCharsets.UTF_8);
        return exchange(
                port,
                "POST /streams/" + stream + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + WRITE_KEY
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n" + new String(body, StandardCharsets.UTF_8));
    }

    /** The gauge of subscriptions and long polls being served, from {@code /metrics}. */
    private static double longLived(int port) throws IOException {
        String metrics = exchange(
                port,
                "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + ADMIN_KEY
                        + "\r\nConnection: close\r\n\r\n");
        Matcher gauge = GAUGE.matcher(metrics);
        return gauge.find() ? Double.parseDouble(gauge.group(1)) : Double.NaN;
    }

    /** Sends one request on a new connection and reads the answer to its end, or "timeout". */
    private static String exchange(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(CLIENT_TIMEOUT_MILLIS);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (SocketTimeoutException e) {
            return "timeout after " + CLIENT_TIMEOUT_MILLIS + " ms";
        }
    }

    private static int status(String answer) {
        return answer.startsWith("HTTP/1.1 ") && answer.length() >= 12 ? Integer.parseInt(answer.substring(9, 12)) : -1;
    }

    /**
     * The clients that hold connections: each a socket, closed with a reset so that the server notices at
     * its next write. Trickling senders that the server cuts off connect again, as an attacker would.
     */
    private static final class Crowd implements AutoCloseable {
        private final int port;
        private final List<Socket> sockets = new ArrayList<>();
        private final List<Socket> senders = new ArrayList<>();
        private final AtomicInteger cutOff = new AtomicInteger();
        private volatile boolean closed;
        private Thread trickler = new Thread(() -> {});

        Crowd(int port) {
            this.port = port;
        }

        /** Opens live subscriptions and answers their status lines. */
        List<String> subscribe(int count) throws IOException {
            List<Socket> opened = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                opened.add(open("GET /subscriptions/streams/quiet-sse?from=end HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Accept: text/event-stream\r\nX-API-Key: " + WRITE_KEY + "\r\n\r\n"));
            }
            List<String> lines = new ArrayList<>();
            for (Socket socket : opened) {
                lines.add(statusLine(socket));
            }
            return lines;
        }

        /** Starts long polls of a page that stays empty. */
        void longPoll(int count) throws IOException {
            for (int i = 0; i < count; i++) {
                open("GET /streams/quiet-poll/1/forward/20 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
                        + "ES-LongPoll: " + LONG_POLL_SECONDS + "\r\nX-API-Key: " + WRITE_KEY + "\r\n\r\n");
            }
        }

        /** Starts appends whose bodies come a byte a second, from one thread. */
        void trickle(int count) throws IOException {
            for (int i = 0; i < count; i++) {
                senders.add(openSender(i));
            }
            trickler = new Thread(this::trickleAll, "slow-senders");
            trickler.setDaemon(true);
            trickler.start();
        }

        int cutOff() {
            return cutOff.get();
        }

        private void trickleAll() {
            while (!closed) {
                for (int i = 0; i < senders.size() && !closed; i++) {
                    Socket socket = senders.get(i);
                    try {
                        if (socket.getInputStream().available() > 0) {
                            throw new IOException("answered");
                        }
                        socket.getOutputStream().write(' ');
                        socket.getOutputStream().flush();
                    } catch (IOException e) {
                        cutOff.incrementAndGet();
                        try {
                            socket.close();
                            senders.set(i, openSender(i));
                        } catch (IOException again) {
                            // try again on the next round
                        }
                    }
                }
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private Socket openSender(int i) throws IOException {
            return open("POST /streams/slow-" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + WRITE_KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n[");
        }

        private Socket open(String request) throws IOException {
            Socket socket = new Socket("127.0.0.1", port);
            synchronized (sockets) {
                sockets.add(socket);
            }
            socket.setSoTimeout(CLIENT_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return socket;
        }

        private static String statusLine(Socket socket) {
            StringBuilder line = new StringBuilder();
            try {
                InputStream in = socket.getInputStream();
                int c;
                while ((c = in.read()) >= 0 && c != '\n') {
                    line.append((char) c);
                }
            } catch (IOException e) {
                return line + " (" + e + ")";
            }
            return line.toString().trim();
        }

        @Override
        public void close() {
            closed = true;
            try {
                trickler.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (sockets) {
                for (Socket socket : sockets) {
                    try {
                        socket.setSoLinger(true, 0);
                        socket.close();
                    } catch (IOException e) {
                        // already gone
                    }
                }
            }
        }
    }
}
