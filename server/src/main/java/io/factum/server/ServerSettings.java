package io.factum.server;

import io.factum.http.HttpLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The server's settings, from flags ({@code --port 2113} or {@code --port=2113}) over environment
 * variables ({@code FACTUM_PORT}) over defaults. {@code toString} never shows a key or password.
 */
record ServerSettings(
        Path dataDir,
        Optional<String> jdbcUrl,
        Optional<String> jdbcUser,
        Optional<String> jdbcPassword,
        String host,
        int port,
        Optional<String> adminKey,
        Optional<String> writeKey,
        Optional<String> readKey,
        boolean allowAnonymousRead,
        boolean insecureAnonymous,
        Duration shutdownTimeout,
        HttpLimits httpLimits,
        boolean help) {

    static final String USAGE = """
            Usage: java -jar factum-server.jar [options]

              --data-dir DIR           FACTUM_DATA_DIR           SQLite store in DIR/factum.db (default ./data)
              --jdbc-url URL           FACTUM_JDBC_URL           PostgreSQL store instead, e.g. jdbc:postgresql://db:5432/factum
              --jdbc-user NAME         FACTUM_JDBC_USER          its user
                                       FACTUM_JDBC_PASSWORD      its password (environment only)
              --host HOST              FACTUM_HOST               address to listen on (default 127.0.0.1)
              --port PORT              FACTUM_PORT               port (default 2113; 0 picks a free one)
              --api-key KEY            FACTUM_API_KEY            key with the ADMIN role (read, write, admin, metrics)
              --write-key KEY          FACTUM_WRITE_KEY          key with the WRITE role (read and write)
              --read-key KEY           FACTUM_READ_KEY           key with the READ role
              --allow-anonymous-read   FACTUM_ALLOW_ANONYMOUS_READ=true   requests without a key may read
              --insecure-anonymous     FACTUM_INSECURE_ANONYMOUS=true     no key needed for anything (local experiments only)
              --shutdown-timeout SECS  FACTUM_SHUTDOWN_TIMEOUT   how long in-flight requests may finish on SIGTERM (default 30)
              --min-request-data-rate BYTES     FACTUM_MIN_REQUEST_DATA_RATE
                                       the slowest an append's body may arrive, bytes per second after 5 s
                                       (default 1024; 0 for any pace); a slower one gets 408
              --max-long-lived-requests N       FACTUM_MAX_LONG_LIVED_REQUESTS
                                       subscriptions and long polls served at once (default 1000); then 503
              --max-long-lived-requests-per-client N   FACTUM_MAX_LONG_LIVED_REQUESTS_PER_CLIENT
                                       of them from one address (default 100); then 429. Behind a proxy,
                                       set it to --max-long-lived-requests
              --help                   this text

            The server refuses to start without a key unless --insecure-anonymous is given. Prefer the
            environment variables for keys: flags show in the process list.
            """;

    private static final Set<String> VALUED = Set.of(
            "data-dir",
            "jdbc-url",
            "jdbc-user",
            "host",
            "port",
            "api-key",
            "write-key",
            "read-key",
            "shutdown-timeout",
            "min-request-data-rate",
            "max-long-lived-requests",
            "max-long-lived-requests-per-client");
    private static final Set<String> SWITCHES = Set.of("allow-anonymous-read", "insecure-anonymous", "help");

    /**
     * Reads the flags over the environment.
     *
     * @throws ServerUsageException if a flag is unknown, lacks its value, or a value is malformed
     */
    static ServerSettings parse(List<String> args, Map<String, String> env) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new ServerUsageException("unexpected argument '" + arg + "'; options start with --");
            }
            String name = arg.substring(2);
            String value = null;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            if (SWITCHES.contains(name)) {
                flags.put(name, value == null ? "true" : value);
            } else if (VALUED.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new ServerUsageException("--" + name + " needs a value");
                    }
                    value = args.get(++i);
                }
                flags.put(name, value);
            } else {
                throw new ServerUsageException("unknown option --" + name + "; --help lists them");
            }
        }
        Lookup lookup = new Lookup(flags, env);
        return new ServerSettings(
                Path.of(lookup.get("data-dir").orElse("data")),
                lookup.get("jdbc-url"),
                lookup.get("jdbc-user"),
                Optional.ofNullable(env.get("FACTUM_JDBC_PASSWORD")).filter(p -> !p.isEmpty()),
                lookup.get("host").orElse("127.0.0.1"),
                port(lookup.get("port").orElse("2113")),
                lookup.get("api-key"),
                lookup.get("write-key"),
                lookup.get("read-key"),
                lookup.flag("allow-anonymous-read"),
                lookup.flag("insecure-anonymous"),
                Duration.ofSeconds(seconds(lookup.get("shutdown-timeout").orElse("30"))),
                httpLimits(lookup),
                lookup.flag("help"));
    }

    private static HttpLimits httpLimits(Lookup lookup) {
        HttpLimits defaults = HttpLimits.defaults();
        return defaults.withMinRequestDataRate(
                        number(lookup, "min-request-data-rate", 0, defaults.minRequestDataRate()))
                .withMaxLongLivedRequests(
                        (int) number(lookup, "max-long-lived-requests", 1, defaults.maxLongLivedRequests()))
                .withMaxLongLivedRequestsPerClient((int) number(
                        lookup, "max-long-lived-requests-per-client", 1, defaults.maxLongLivedRequestsPerClient()));
    }

    /** A whole number from {@code min} to {@link Integer#MAX_VALUE}, or {@code otherwise} when not given. */
    private static long number(Lookup lookup, String name, long min, long otherwise) {
        Optional<String> text = lookup.get(name);
        if (text.isEmpty()) {
            return otherwise;
        }
        try {
            long value = Long.parseLong(text.get());
            if (value >= min && value <= Integer.MAX_VALUE) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ServerUsageException("--" + name + " must be a whole number from " + min + " to " + Integer.MAX_VALUE
                + ", got '" + text.get() + "'");
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ServerUsageException("the port must be a number from 0 to 65535, got '" + text + "'");
    }

    private static long seconds(String text) {
        try {
            long seconds = Long.parseLong(text);
            if (seconds >= 0) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ServerUsageException("the shutdown timeout must be a whole number of seconds, got '" + text + "'");
    }

    boolean postgres() {
        return jdbcUrl.isPresent();
    }

    boolean anyKey() {
        return adminKey.isPresent() || writeKey.isPresent() || readKey.isPresent();
    }

    @Override
    public String toString() {
        return "ServerSettings[" + (postgres() ? "postgres " + jdbcUrl.get() : "sqlite " + dataDir) + ", " + host + ":"
                + port + ", keys:" + (adminKey.isPresent() ? " admin" : "") + (writeKey.isPresent() ? " write" : "")
                + (readKey.isPresent() ? " read" : "") + ", anonymous read " + allowAnonymousRead
                + ", insecure anonymous " + insecureAnonymous + ", " + httpLimits + "]";
    }

    /** A flag, else its environment variable ({@code --data-dir} → {@code FACTUM_DATA_DIR}); blank is absent. */
    private record Lookup(Map<String, String> flags, Map<String, String> env) {

        Optional<String> get(String name) {
            String value = flags.get(name);
            if (value == null) {
                value = env.get("FACTUM_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
            }
            return Optional.ofNullable(value).map(String::trim).filter(v -> !v.isEmpty());
        }

        boolean flag(String name) {
            Optional<String> value = get(name);
            if (value.isEmpty()) {
                return false;
            }
            return switch (value.get().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "1" -> true;
                case "false", "no", "0" -> false;
                default -> throw new ServerUsageException("--" + name + " is true or false, got '" + value.get() + "'");
            };
        }
    }
}
