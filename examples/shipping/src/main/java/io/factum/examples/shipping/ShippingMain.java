package io.factum.examples.shipping;

import java.nio.file.Path;
import java.util.List;

/**
 * Runs the shipping service: {@code --kafka-bootstrap HOST:PORT} (the cluster the orders system publishes
 * to, {@code localhost:9092} by default) and {@code --data-dir DIR} (its store, {@code DIR/shipping.db},
 * {@code data} by default). Prints the inbox's status every 10 seconds; Ctrl-C stops it.
 */
public final class ShippingMain {

    private ShippingMain() {}

    public static void main(String[] args) throws InterruptedException {
        List<String> given = List.of(args);
        String bootstrap = flag(given, "--kafka-bootstrap", "localhost:9092");
        Path dataDir = Path.of(flag(given, "--data-dir", "data"));
        ShippingApp app = ShippingApp.start(dataDir.resolve("shipping.db"), bootstrap);
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "shipping-shutdown"));
        System.out.println("shipping consumes topic " + ShippingApp.TOPIC + " at " + bootstrap + " into "
                + dataDir.resolve("shipping.db").toAbsolutePath() + "; Ctrl-C stops it");
        while (true) {
            var status = app.inbox().status();
            System.out.println("inbox " + status.name() + ": " + status.state() + ", " + status.processed()
                    + " handled, " + status.parked() + " parked, lag " + status.lagEvents() + " records"
                    + status.lastError().map(error -> ", last error: " + error).orElse(""));
            Thread.sleep(10_000);
        }
    }

    private static String flag(List<String> args, String name, String fallback) {
        int at = args.indexOf(name);
        if (at < 0) {
            return fallback;
        }
        if (at + 1 >= args.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args.get(at + 1);
    }
}
