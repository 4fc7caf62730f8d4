package io.factum.server;

import io.factum.http.HttpLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The server's settings, from flags ({@code --port 2113} or {@code --port=2113}) over environment
 * variables ({@code FACTUM_PORT}) over defaults, read by picocli ({@link Flags}). {@code toString} never
 * shows a key or password.
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

    /**
     * The flags, read by picocli. Each has an environment variable, {@code FACTUM_} and its name ({@code
     * --data-dir} as {@code FACTUM_DATA_DIR}), that stands in when the flag is not given.
     */
    @Command(
            name = "java -jar factum-server.jar",
            mixinStandardHelpOptions = true,
            version = "Factum event store server",
            sortOptions = false,
            usageHelpWidth = 110,
            description = "Runs one Factum event store behind its HTTP surfaces (feeds, appends, subscriptions,"
                    + " admin pages, /metrics, /health).",
            footer = {
                "",
                "Every flag has an environment variable: FACTUM_ and its name, e.g. FACTUM_DATA_DIR, FACTUM_API_KEY;",
                "FACTUM_JDBC_PASSWORD (environment only) is the database password. A flag wins over its variable.",
                "The server refuses to start without a key unless --insecure-anonymous is given. Prefer the",
                "environment variables for keys: flags show in the process list.",
                "Exit status: 0 after a clean stop, 1 if it failed to start or to close the store, 2 for a bad flag."
            })
    static final class Flags {

        @Option(
                names = "--data-dir",
                paramLabel = "DIR",
                defaultValue = "data",
                description = "SQLite store in DIR/factum.db (default ${DEFAULT-VALUE})")
        Path dataDir = Path.of("data");

        @Option(
                names = "--jdbc-url",
                paramLabel = "URL",
                description = "PostgreSQL store instead, e.g. jdbc:postgresql://db:5432/factum")
        @Nullable
        String jdbcUrl;

        @Option(names = "--jdbc-user", paramLabel = "NAME", description = "its user")
        @Nullable
        String jdbcUser;

        @Option(
                names = "--host",
                paramLabel = "HOST",
                defaultValue = "127.0.0.1",
                description = "address to listen on (default ${DEFAULT-VALUE})")
        String host = "127.0.0.1";

        @Option(
                names = "--port",
                paramLabel = "PORT",
                defaultValue = "2113",
                converter = Port.class,
                description = "port (default ${DEFAULT-VALUE}; 0 picks a free one)")
        int port;

        @Option(
                names = "--api-key",
                paramLabel = "KEY",
                description = "key with the ADMIN role (read, write, admin, metrics)")
        @Nullable
        String apiKey;

        @Option(names = "--write-key", paramLabel = "KEY", description = "key with the WRITE role (read and write)")
        @Nullable
        String writeKey;

        @Option(names = "--read-key", paramLabel = "KEY", description = "key with the READ role")
        @Nullable
        String readKey;

        @Option(
                names = "--allow-anonymous-read",
                arity = "0..1",
                fallbackValue = "true",
                converter = Switch.class,
                description = "requests without a key may read")
        boolean allowAnonymousRead;

        @Option(
                names = "--insecure-anonymous",
                arity = "0..1",
                fallbackValue = "true",
                converter = Switch.class,
                description = "no key needed for anything (local experiments only)")
        boolean insecureAnonymous;

        @Option(
                names = "--shutdown-timeout",
                paramLabel = "SECS",
                defaultValue = "30",
                converter = FromZero.class,
                description = "how long in-flight requests may finish on SIGTERM (default ${DEFAULT-VALUE})")
        int shutdownTimeout;

        @Option(
                names = "--min-request-data-rate",
                paramLabel = "BYTES",
                converter = FromZero.class,
                description =
                        "the slowest an append's body may arrive, bytes per second after 5 s (default 1024; 0 for any pace); a slower one gets 408")
        @Nullable
        Integer minRequestDataRate;

        @Option(
                names = "--max-long-lived-requests",
                paramLabel = "N",
                converter = FromOne.class,
                description = "subscriptions and long polls served at once (default 1000); then 503")
        @Nullable
        Integer maxLongLivedRequests;

        @Option(
                names = "--max-long-lived-requests-per-client",
                paramLabel = "N",
                converter = FromOne.class,
                description =
                        "of them from one address (default 100); then 429. Behind a proxy, set it to --max-long-lived-requests")
        @Nullable
        Integer maxLongLivedRequestsPerClient;
    }

    /** A port: 0 to 65535. */
    static final class Port implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            return wholeNumber(text, 0, 65535);
        }
    }

    /** A whole number from 0. */
    static final class FromZero implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            return wholeNumber(text, 0, Integer.MAX_VALUE);
        }
    }

    /** A whole number from 1. */
    static final class FromOne implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            return wholeNumber(text, 1, Integer.MAX_VALUE);
        }
    }

    /** On or off: true, yes, 1 or false, no, 0. */
    static final class Switch implements ITypeConverter<Boolean> {
        @Override
        public Boolean convert(String text) {
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "1" -> true;
                case "false", "no", "0" -> false;
                default -> throw new TypeConversionException("is true or false, got '" + text + "'");
            };
        }
    }

    private static int wholeNumber(String text, int min, int max) {
        try {
            long value = Long.parseLong(text.strip());
            if (value >= min && value <= max) {
                return (int) value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new TypeConversionException("must be a whole number from " + min + " to " + max + ", got '" + text + "'");
    }

    /** The usage text {@code --help} prints. */
    static String usage() {
        return new CommandLine(new Flags()).getUsageMessage();
    }

    /**
     * Reads the flags over the environment.
     *
     * @throws ServerUsageException if a flag is unknown, lacks its value, or a value is malformed, with
     *     picocli's message naming it
     */
    static ServerSettings parse(List<String> args, Map<String, String> env) {
        Flags flags = new Flags();
        CommandLine command = new CommandLine(flags)
                .setDefaultValueProvider(option -> option instanceof OptionSpec named
                        ? Optional.ofNullable(env.get("FACTUM_"
                                        + named.longestName()
                                                .substring(2)
                                                .replace('-', '_')
                                                .toUpperCase(Locale.ROOT)))
                                .map(String::strip)
                                .filter(value -> !value.isEmpty())
                                .orElse(null)
                        : null);
        try {
            command.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new ServerUsageException(e.getMessage());
        }
        HttpLimits defaults = HttpLimits.defaults();
        HttpLimits limits = defaults.withMinRequestDataRate(
                        flags.minRequestDataRate == null ? defaults.minRequestDataRate() : flags.minRequestDataRate)
                .withMaxLongLivedRequests(
                        flags.maxLongLivedRequests == null
                                ? defaults.maxLongLivedRequests()
                                : flags.maxLongLivedRequests)
                .withMaxLongLivedRequestsPerClient(
                        flags.maxLongLivedRequestsPerClient == null
                                ? defaults.maxLongLivedRequestsPerClient()
                                : flags.maxLongLivedRequestsPerClient);
        return new ServerSettings(
                flags.dataDir,
                present(flags.jdbcUrl),
                present(flags.jdbcUser),
                present(env.get("FACTUM_JDBC_PASSWORD")),
                flags.host,
                flags.port,
                present(flags.apiKey),
                present(flags.writeKey),
                present(flags.readKey),
                flags.allowAnonymousRead,
                flags.insecureAnonymous,
                Duration.ofSeconds(flags.shutdownTimeout),
                limits,
                command.isUsageHelpRequested() || command.isVersionHelpRequested());
    }

    private static Optional<String> present(@Nullable String value) {
        return Optional.ofNullable(value).map(String::strip).filter(v -> !v.isEmpty());
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
}
