package io.factum.examples.gateway;

import java.io.PrintStream;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * Runs the gateway in front of the orders system: everything to the orders instances ({@code /api/...},
 * the web UI, the admin pages), other services by path prefix ({@code --route}). {@code --help} lists the
 * flags, each with an environment variable ({@code GATEWAY_} and the flag's name).
 */
public final class GatewayMain {

    private GatewayMain() {}

    public static void main(String[] args) {
        Settings settings;
        try {
            Optional<Settings> parsed = Settings.parse(List.of(args), System.getenv(), System.out);
            if (parsed.isEmpty()) {
                return; // --help or --version printed
            }
            settings = parsed.get();
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("Run with --help for the flags and their environment variables.");
            System.exit(2);
            return;
        }
        String key = settings.apiKey().orElseGet(() -> {
            byte[] random = new byte[16];
            new SecureRandom().nextBytes(random);
            String made = HexFormat.of().formatHex(random);
            System.out.println("gateway key (made now, set GATEWAY_API_KEY to keep one): " + made);
            return made;
        });
        Gateway gateway = settings.builder().apiKey(key).start();
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "gateway-shutdown"));
        System.out.println("Factum gateway on http://" + settings.host() + ":" + gateway.port() + "/");
        settings.routes().forEach((prefix, instances) -> System.out.println("  " + prefix + " -> " + instances));
        System.out.println("/api/ needs the header " + EdgeHandler.KEY_HEADER + "; Ctrl-C stops it.");
    }

    /** The flags, read by picocli: a flag wins over its environment variable, which wins over the default. */
    @Command(
            name = "gateway",
            mixinStandardHelpOptions = true,
            version = "Factum gateway",
            sortOptions = false,
            description = "A small API gateway in front of the orders system (and other services).",
            footer = {
                "",
                "Each flag has an environment variable: GATEWAY_PORT, GATEWAY_HOST, GATEWAY_ORDERS, GATEWAY_API_KEY, ...",
                "Exit status: 0 after a clean stop, 1 if it failed, 2 for a bad flag."
            })
    static final class Flags {

        @Option(names = "--port", paramLabel = "N", defaultValue = "8000", description = "HTTP port (${DEFAULT-VALUE})")
        int port;

        @Option(
                names = "--host",
                paramLabel = "NAME",
                defaultValue = "127.0.0.1",
                description = "address to listen on (${DEFAULT-VALUE})")
        String host = "";

        @Option(
                names = "--orders",
                paramLabel = "URL[,URL...]",
                defaultValue = "http://127.0.0.1:8080",
                description = "the orders instances, taken in turn (${DEFAULT-VALUE})")
        String orders = "";

        @Option(
                names = "--route",
                paramLabel = "PREFIX=URL[,URL...]",
                description = "another service for paths under PREFIX, e.g. /api/shipping/=http://127.0.0.1:8082")
        List<String> routes = new ArrayList<>();

        @Option(
                names = "--api-key",
                paramLabel = "KEY",
                description = "the key for /api/ (header X-Gateway-Key); made and printed if not given")
        @Nullable
        String apiKey;

        @Option(
                names = "--requests-per-second",
                paramLabel = "N",
                defaultValue = "20",
                description = "per client address (${DEFAULT-VALUE})")
        int requestsPerSecond;

        @Option(
                names = "--max-request-bytes",
                paramLabel = "N",
                defaultValue = "1048576",
                description = "largest request body (${DEFAULT-VALUE})")
        long maxRequestBytes;

        @Option(
                names = "--request-timeout",
                paramLabel = "SECONDS",
                defaultValue = "30",
                description = "longest answer, event streams aside (${DEFAULT-VALUE})")
        int requestTimeoutSeconds;
    }

    /** The command line and environment, read. */
    record Settings(
            String host,
            int port,
            Map<String, List<URI>> routes,
            Optional<String> apiKey,
            int requestsPerSecond,
            long maxRequestBytes,
            Duration requestTimeout) {

        /**
         * @return empty if {@code --help} or {@code --version} was asked for (printed to {@code out})
         * @throws IllegalArgumentException naming the flag and what was wrong with it
         */
        static Optional<Settings> parse(List<String> args, Map<String, String> env, PrintStream out) {
            Flags flags = new Flags();
            CommandLine command = new CommandLine(flags)
                    .setDefaultValueProvider(option -> option instanceof OptionSpec named
                            ? env.get("GATEWAY_"
                                    + named.longestName()
                                            .substring(2)
                                            .replace('-', '_')
                                            .toUpperCase(Locale.ROOT))
                            : null);
            try {
                command.parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            if (command.isUsageHelpRequested()) {
                command.usage(out);
                return Optional.empty();
            }
            if (command.isVersionHelpRequested()) {
                command.printVersionHelp(out);
                return Optional.empty();
            }
            if (flags.port < 0 || flags.port > 65535) {
                throw new IllegalArgumentException("--port must be a number from 0 to 65535, got " + flags.port);
            }
            if (flags.requestsPerSecond < 1 || flags.maxRequestBytes < 1 || flags.requestTimeoutSeconds < 1) {
                throw new IllegalArgumentException(
                        "--requests-per-second, --max-request-bytes and --request-timeout must be at least 1, got "
                                + flags.requestsPerSecond + ", " + flags.maxRequestBytes + " and "
                                + flags.requestTimeoutSeconds);
            }
            Map<String, List<URI>> routes = new LinkedHashMap<>();
            for (String route : flags.routes) {
                int equals = route.indexOf('=');
                if (equals < 1 || !route.startsWith("/")) {
                    throw new IllegalArgumentException(
                            "--route must be PREFIX=URL[,URL...] like /api/shipping/=http://127.0.0.1:8082, got '"
                                    + route + "'");
                }
                routes.put(route.substring(0, equals), urls("--route " + route, route.substring(equals + 1)));
            }
            routes.putIfAbsent("/", urls("--orders", flags.orders));
            return Optional.of(new Settings(
                    flags.host,
                    flags.port,
                    routes,
                    Optional.ofNullable(flags.apiKey).filter(key -> !key.isBlank()),
                    flags.requestsPerSecond,
                    flags.maxRequestBytes,
                    Duration.ofSeconds(flags.requestTimeoutSeconds)));
        }

        private static List<URI> urls(String flag, String given) {
            List<URI> urls = new ArrayList<>();
            for (String url : given.split(",")) {
                URI uri;
                try {
                    uri = URI.create(url.strip());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(flag + ": '" + url + "' is not a URL", e);
                }
                if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new IllegalArgumentException(
                            flag + ": '" + url + "' must be an http URL like http://127.0.0.1:8080");
                }
                urls.add(uri);
            }
            return urls;
        }

        /** The gateway these settings describe. */
        Gateway.Builder builder() {
            Gateway.Builder builder = Gateway.builder()
                    .listen(host, port)
                    .requestsPerSecond(requestsPerSecond)
                    .maxRequestBytes(maxRequestBytes)
                    .requestTimeout(requestTimeout);
            routes.forEach(
                    (prefix, instances) -> builder.service(prefix, instances).route(prefix, prefix));
            return builder;
        }
    }
}
