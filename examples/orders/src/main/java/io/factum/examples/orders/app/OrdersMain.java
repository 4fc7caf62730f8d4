package io.factum.examples.orders.app;

import io.factum.examples.orders.api.OrdersApi;
import io.factum.examples.orders.web.OrdersWeb;
import io.factum.http.FactumHttp;
import io.factum.http.HttpSecurity;
import io.factum.http.ReadSideRegistry;
import io.factum.http.Role;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
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
 * Runs the order-management system: the app on the embedded store (a SQLite file in the data directory)
 * or on PostgreSQL, and one Javalin application with the JSON API under {@code /api}, the web UI at
 * {@code /} and Factum's admin pages under {@code /admin}. Stops gracefully on Ctrl-C (the HTTP server
 * first, then the subscriptions and the store).
 *
 * <p>{@code --help} lists the flags ({@link Flags}), each with an environment variable.
 *
 * <p>The web UI and the JSON API are open to anyone who can reach the port: a local demo, bound to
 * 127.0.0.1 by default. Factum's admin pages, feeds, subscriptions and metrics need the user {@code admin}
 * and its password ({@link #adminPassword}); nothing is granted to anonymous callers but {@code /health}.
 */
public final class OrdersMain {

    private OrdersMain() {}

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
        OrdersApp app = settings.builder().start();
        Javalin web;
        try {
            if (settings.demoData()) {
                System.out.println(
                        DemoData.loadOnce(app) ? "demo data loaded" : "demo data was loaded before: left as it is");
            }
            web = serve(
                    app,
                    settings.host(),
                    settings.port(),
                    adminPassword(System.getenv(), settings.dataDir(), System.out));
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            web.stop();
                            app.close();
                        },
                        "orders-shutdown"));
        String base = "http://" + settings.host() + ":" + web.port();
        System.out.println("Factum orders is running on " + settings.storeDescription() + ":");
        System.out.println("  web UI   " + base + "/");
        System.out.println("  JSON API " + base + "/api/orders");
        System.out.println("  admin    " + base + "/admin");
        System.out.println("Ctrl-C stops it.");
    }

    /**
     * One started Javalin application serving {@code app}: the JSON API under {@code /api}, the web UI at
     * {@code /} ({@code /customers...}, {@code /orders/...}) and Factum's admin pages, feeds, metrics and
     * health, which need the user {@code admin} with {@code adminPassword} (HTTP Basic; the browser asks).
     * The UI and the API are the application's own routes, open on loopback as a local demo; Factum's
     * plugin guards only its own. {@code port} 0 takes any free port.
     */
    public static Javalin serve(OrdersApp app, String host, int port, String adminPassword) {
        ReadSideRegistry readSide = new ReadSideRegistry().checkpoints(app.checkpoints());
        app.subscriptions().forEach(readSide::subscription);
        FactumHttp factum = FactumHttp.builder(app.store())
                .readSide(readSide)
                .personalData(app.subjectKeys())
                .writeProblem(app.store()::writeProblem)
                .storeStats(app.store()::figures)
                .meterRegistry(app.meters())
                .observations(app.observations())
                .applicationLink("Orders app", "/")
                .security(HttpSecurity.builder()
                        .user(ADMIN_USER, adminPassword, Role.ADMIN)
                        .build())
                .build();
        OrdersApi api = OrdersApi.of(app);
        OrdersWeb ui = OrdersWeb.of(app);
        return Javalin.create(config -> {
                    config.jetty.host = host;
                    config.jetty.port = port;
                    // the whole application runs as Factum's server does: virtual threads, problem+json for
                    // requests Jetty refuses; the API's and UI's routes and error handlers are their own
                    factum.configureServer(config);
                    factum.configure(config);
                    api.configure(config);
                    ui.configure(config);
                })
                .start();
    }

    /** The user of Factum's admin pages. */
    public static final String ADMIN_USER = "admin";

    /**
     * The admin password: {@code ORDERS_ADMIN_PASSWORD} if set, else the one kept in {@code
     * DIR/admin-password}, made (random, readable by the owner only) and printed the first time.
     */
    static String adminPassword(Map<String, String> env, Path dataDir, PrintStream out) {
        String given = env.get("ORDERS_ADMIN_PASSWORD");
        if (given != null && !given.isBlank()) {
            return given;
        }
        Path file = dataDir.resolve("admin-password");
        try {
            if (Files.exists(file)) {
                out.println("admin pages: user " + ADMIN_USER + ", password in " + file.toAbsolutePath());
                return Files.readString(file).strip();
            }
            Files.createDirectories(dataDir);
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Files.writeString(file, password + "\n");
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // a file system without POSIX permissions keeps its own
            }
            out.println("admin pages: user " + ADMIN_USER + ", password " + password + " (made now, kept in "
                    + file.toAbsolutePath() + ")");
            return password;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the admin password " + file, e);
        }
    }

    /**
     * The flags, read by picocli: a flag wins over its environment variable ({@code ORDERS_} and the flag's
     * name, {@code --data-dir} as {@code ORDERS_DATA_DIR}), which wins over the default.
     */
    @Command(
            name = "orders",
            mixinStandardHelpOptions = true,
            version = "Factum orders",
            sortOptions = false,
            description = "Runs the order-management system: web UI, JSON API and Factum's admin pages on one port.",
            footer = {
                "",
                "Each flag has an environment variable: ORDERS_PORT, ORDERS_HOST, ORDERS_DATA_DIR, ORDERS_JDBC_URL;",
                "the database user and password are ORDERS_JDBC_USER and ORDERS_JDBC_PASSWORD (environment only).",
                "Exit status: 0 after a clean stop, 1 if it failed, 2 for a bad flag."
            })
    static final class Flags {

        @Option(
                names = "--port",
                paramLabel = "N",
                defaultValue = "8080",
                description = "HTTP port, 0 for any free one (${DEFAULT-VALUE})")
        int port;

        @Option(
                names = "--host",
                paramLabel = "NAME",
                defaultValue = "127.0.0.1",
                description = "address to listen on (${DEFAULT-VALUE})")
        String host = "";

        @Option(
                names = "--data-dir",
                paramLabel = "DIR",
                defaultValue = "data",
                description = "where the SQLite store lives, DIR/orders.db (${DEFAULT-VALUE})")
        Path dataDir = Path.of("data");

        @Option(
                names = "--jdbc-url",
                paramLabel = "URL",
                description = "PostgreSQL instead of SQLite, jdbc:postgresql://host:5432/db")
        @Nullable
        String jdbcUrl;

        @Option(names = "--demo-data", description = "a few customers and orders, unless loaded before")
        boolean demoData;
    }

    /** The command line and environment, read. */
    record Settings(
            String host,
            int port,
            Path dataDir,
            Optional<String> jdbcUrl,
            Optional<String> jdbcUser,
            Optional<String> jdbcPassword,
            boolean demoData) {

        /**
         * Flags win over environment variables; an unknown flag or a bad value is refused with the reason.
         *
         * @return empty if {@code --help} or {@code --version} was asked for (printed to {@code out})
         * @throws IllegalArgumentException naming the flag and what was wrong with it
         */
        static Optional<Settings> parse(List<String> args, Map<String, String> env, PrintStream out) {
            Flags flags = new Flags();
            CommandLine command = new CommandLine(flags)
                    .setDefaultValueProvider(option -> option instanceof OptionSpec named
                            ? env.get("ORDERS_"
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
            Optional<String> jdbcUrl = Optional.ofNullable(flags.jdbcUrl).filter(url -> !url.isBlank());
            if (jdbcUrl.isPresent() && !jdbcUrl.get().toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException(
                        "--jdbc-url must be a PostgreSQL URL like jdbc:postgresql://localhost:5432/orders, got '"
                                + jdbcUrl.get() + "'");
            }
            return Optional.of(new Settings(
                    flags.host,
                    flags.port,
                    flags.dataDir,
                    jdbcUrl,
                    Optional.ofNullable(env.get("ORDERS_JDBC_USER")),
                    Optional.ofNullable(env.get("ORDERS_JDBC_PASSWORD")),
                    flags.demoData));
        }

        OrdersApp.Builder builder() {
            OrdersApp.Builder builder = OrdersApp.builder();
            if (jdbcUrl.isEmpty()) {
                return builder.sqlite(dataDir.resolve("orders.db"));
            }
            if (jdbcUser.isPresent()) {
                return builder.postgres(jdbcUrl.get(), jdbcUser.get(), jdbcPassword.orElse(""));
            }
            return builder.postgres(jdbcUrl.get());
        }

        String storeDescription() {
            // the URL may carry a password as a parameter: show only what comes before the query
            return jdbcUrl.map(url -> "PostgreSQL " + url.replaceFirst("\\?.*", ""))
                    .orElseGet(() -> "SQLite " + dataDir.resolve("orders.db").toAbsolutePath());
        }
    }
}
