package io.factum.examples.orders.app;

import io.factum.examples.orders.api.OrdersApi;
import io.factum.examples.orders.web.OrdersWeb;
import io.factum.http.FactumHttp;
import io.factum.http.HttpSecurity;
import io.factum.http.ProblemErrorHandler;
import io.factum.http.ReadSideRegistry;
import io.factum.http.Role;
import io.javalin.Javalin;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the order-management system: the app on the embedded store (a SQLite file in the data directory)
 * or on PostgreSQL, and one Javalin application with the JSON API under {@code /api}, the web UI at
 * {@code /} and Factum's admin pages under {@code /admin}. Stops gracefully on Ctrl-C (the HTTP server
 * first, then the subscriptions and the store).
 *
 * <pre>
 * --port N          or ORDERS_PORT        (8080)
 * --host NAME       or ORDERS_HOST        (127.0.0.1)
 * --data-dir DIR    or ORDERS_DATA_DIR    (./data; the store is DIR/orders.db)
 * --jdbc-url URL    or ORDERS_JDBC_URL    (PostgreSQL instead of SQLite), with ORDERS_JDBC_USER and
 *                                         ORDERS_JDBC_PASSWORD
 * --demo-data                             (a few customers and orders, unless loaded before)
 * </pre>
 *
 * <p>The admin pages (and Factum's feeds under {@code /streams}) are open to anyone who can reach the port
 * with the admin role: this is a local demo, bound to 127.0.0.1 by default. Give it real {@link
 * HttpSecurity} before binding it to any other address.
 */
public final class OrdersMain {

    private static final String USAGE = """
            usage: OrdersMain [--port N] [--host NAME] [--data-dir DIR] [--jdbc-url URL] [--demo-data]
              env: ORDERS_PORT, ORDERS_HOST, ORDERS_DATA_DIR, ORDERS_JDBC_URL, ORDERS_JDBC_USER, ORDERS_JDBC_PASSWORD""";

    private OrdersMain() {}

    public static void main(String[] args) {
        Settings settings;
        try {
            settings = Settings.parse(List.of(args), System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
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
            web = serve(app, settings.host(), settings.port());
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
     * {@code /} ({@code /customers...}, {@code /orders/...}) and
     * Factum's admin pages, feeds, metrics and health, the admin role given to anonymous callers (a local
     * demo). {@code port} 0 takes any free port.
     */
    public static Javalin serve(OrdersApp app, String host, int port) {
        ReadSideRegistry readSide = new ReadSideRegistry().checkpoints(app.checkpoints());
        app.subscriptions().forEach(readSide::subscription);
        FactumHttp factum = FactumHttp.builder(app.store())
                .readSide(readSide)
                .personalData(app.subjectKeys())
                .security(HttpSecurity.builder().anonymous(Role.ADMIN).build())
                .build();
        OrdersApi api = OrdersApi.of(app);
        OrdersWeb ui = OrdersWeb.of(app);
        return Javalin.create(config -> {
                    config.jetty.host = host;
                    config.jetty.port = port;
                    config.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler()));
                    // Factum first: the API's error handlers, registered after, answer for its routes
                    // (and for unexpected failures anywhere) in the API's problem format
                    factum.configure(config);
                    api.configure(config);
                    ui.configure(config);
                })
                .start();
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

        /** Flags win over environment variables; an unknown flag or a bad value is refused with the reason. */
        static Settings parse(List<String> args, Map<String, String> env) {
            String host = env.getOrDefault("ORDERS_HOST", "127.0.0.1");
            String port = env.getOrDefault("ORDERS_PORT", "8080");
            String dataDir = env.getOrDefault("ORDERS_DATA_DIR", "data");
            Optional<String> jdbcUrl =
                    Optional.ofNullable(env.get("ORDERS_JDBC_URL")).filter(s -> !s.isBlank());
            boolean demoData = false;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
                if (name.equals("--demo-data")) {
                    demoData = true;
                    continue;
                }
                String value;
                if (arg.contains("=")) {
                    value = arg.substring(arg.indexOf('=') + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new IllegalArgumentException(
                            name.startsWith("--") && isKnown(name)
                                    ? name + " needs a value"
                                    : "unknown argument '" + arg + "'");
                }
                switch (name) {
                    case "--host" -> host = value;
                    case "--port" -> port = value;
                    case "--data-dir" -> dataDir = value;
                    case "--jdbc-url" -> jdbcUrl = Optional.of(value);
                    default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
                }
            }
            int portNumber;
            try {
                portNumber = Integer.parseInt(port.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--port must be a number from 0 to 65535, got '" + port + "'");
            }
            if (portNumber < 0 || portNumber > 65535) {
                throw new IllegalArgumentException("--port must be a number from 0 to 65535, got " + portNumber);
            }
            if (jdbcUrl.isPresent() && !jdbcUrl.get().toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException(
                        "--jdbc-url must be a PostgreSQL URL like jdbc:postgresql://localhost:5432/orders, got '"
                                + jdbcUrl.get() + "'");
            }
            return new Settings(
                    host,
                    portNumber,
                    Path.of(dataDir),
                    jdbcUrl,
                    Optional.ofNullable(env.get("ORDERS_JDBC_USER")),
                    Optional.ofNullable(env.get("ORDERS_JDBC_PASSWORD")),
                    demoData);
        }

        private static boolean isKnown(String name) {
            return List.of("--host", "--port", "--data-dir", "--jdbc-url").contains(name);
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
