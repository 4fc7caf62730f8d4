package io.factum.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Collects the windows of a {@link WritePathBenchmark} run and writes them as Markdown tables. */
final class WritePathReport {

    private static final String SERVER = "factum-server";
    private static final String ORDERS = "orders";
    private static final List<String> ORDER_REQUESTS =
            List.of("create", "add-item", "confirm", WritePathLoad.OrderCommands.CONFIRM_TO_READ_MODEL);

    private final WritePathBenchmark.WritePathOptions options;
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, List<String>> verified = new LinkedHashMap<>();
    private final Map<String, Map<String, Map<String, Long>>> stored = new LinkedHashMap<>();
    private final Map<String, Map<String, Map<String, Long>>> scanned = new LinkedHashMap<>();

    WritePathReport(WritePathBenchmark.WritePathOptions options) {
        this.options = options;
    }

    /**
     * The CPU a system used over a window and its drain: its JVM's, and the database server's (PostgreSQL;
     * 0 on SQLite, whose work is inside the JVM).
     */
    record Cpu(long jvmMillis, long databaseMillis) {}

    private record Row(
            String store,
            int repetition,
            WritePathBenchmark.Window window,
            WritePathLoad.Drain drain,
            WritePathStores.Counters counters,
            Cpu cpu) {

        /** CPU milliseconds per operation of the window (JVM + database), the drain's work included. */
        double cpuPerOperation() {
            return (cpu.jvmMillis() + cpu.databaseMillis())
                    / (double) Math.max(1, window.figures().operations());
        }

        /** Operations per second over the window and the drain after it: what the system absorbed fully. */
        double sustained() {
            return window.figures().operations() / (window.seconds() + drain.seconds());
        }
    }

    void add(
            String store,
            int repetition,
            WritePathBenchmark.Window window,
            WritePathLoad.Drain drain,
            WritePathStores.Counters counters,
            Cpu cpu) {
        rows.add(new Row(store, repetition, window, drain, counters, cpu));
    }

    /** The measured windows so far, in order. */
    List<WritePathBenchmark.Window> windows() {
        return rows.stream().map(Row::window).toList();
    }

    void verified(String store, String line) {
        verified.computeIfAbsent(store, s -> new ArrayList<>()).add(line);
    }

    void scanned(String store, Map<String, Map<String, Long>> rowsByTable) {
        scanned.put(store, rowsByTable);
    }

    void stored(String store, Map<String, Map<String, Long>> eventsByCategory) {
        stored.put(store, eventsByCategory);
    }

    String environment() {
        return String.format(
                Locale.ROOT,
                "Run on %d cores, Java %s; clients %s, %d s per window after %d s of warm-up per system,"
                        + " %d repetitions; child JVMs %s",
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                options.clients(),
                options.seconds(),
                options.warmupSeconds(),
                options.repetitions(),
                String.join(" ", options.childJvmOptions()));
    }

    String progressLine(String store, int repetition, WritePathBenchmark.Window window, WritePathLoad.Drain drain) {
        return String.format(
                Locale.ROOT,
                "  %s, repetition %d, %s, %d clients: %,.0f %s/s over %.1f s%s%s",
                store,
                repetition,
                window.system(),
                window.clients(),
                window.perSecond(),
                window.system().equals(SERVER) ? "appends" : "commands",
                window.seconds(),
                window.figures().conflictCount() == 0
                        ? ""
                        : ", 409s: " + window.figures().conflicts(),
                drain.backlog() == 0
                        ? ""
                        : "; " + drain.backlog() + " orders to ship, shipped after " + drained(drain));
    }

    /** Every table: throughput per window, latencies, the issue's targets, then verification and profile. */
    String tables() {
        StringBuilder out = new StringBuilder();
        throughput(out);
        latencies(out);
        targets(out);
        if (options.profile()) {
            profile(out);
        }
        out.append('\n');
        verified.forEach((store, lines) -> lines.forEach(
                line -> out.append("- ").append(store).append(", ").append(line).append('\n')));
        return out.toString();
    }

    private void throughput(StringBuilder out) {
        out.append("\n| store | clients | repetition | factum-server appends/s | orders commands/s | orders / server"
                + " | orders unshipped at the end | all shipped after | orders commands/s with the drain"
                + " | with the drain / server | CPU ms per append / per command | 409s (server / orders) |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row server : rowsOf(SERVER)) {
            Row orders = pairOf(server);
            if (orders == null) {
                continue;
            }
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %d | %,.0f | %,.0f | **%.2fx** | %,d | %s | %,.0f | **%.2fx** | %.2f / %.2f | %d / %d |%n",
                    server.store(),
                    server.window().clients(),
                    server.repetition(),
                    server.window().perSecond(),
                    orders.window().perSecond(),
                    orders.window().perSecond() / server.window().perSecond(),
                    orders.drain().backlog(),
                    drained(orders.drain()),
                    orders.sustained(),
                    orders.sustained() / server.window().perSecond(),
                    server.cpuPerOperation(),
                    orders.cpuPerOperation(),
                    server.window().figures().conflictCount(),
                    orders.window().figures().conflictCount()));
        }
        out.append(
                "\nEach client loops over one order: 5 single-event appends to a new stream of its own (factum-server),"
                        + " or create, 3 add-items, confirm (orders). When an orders window ends, the harness waits (at most"
                        + " --drain-limit) until the read model shows no order CONFIRMED or PAID, i.e. the fulfilment"
                        + " process has paid and shipped every confirmed order; \"with the drain\" divides the window's"
                        + " commands by the window and that wait together. CPU per append or command: what the system's"
                        + " JVM (and, on PostgreSQL, the database server's processes) used over the window and its"
                        + " drain, divided by the window's requests; the clients' own CPU is not in it.\n");
    }

    private static String ratiosText(List<Double> ratios) {
        return ratios.stream().map(r -> String.format(Locale.ROOT, "%.2fx", r)).collect(Collectors.joining(", "));
    }

    private static String drained(WritePathLoad.Drain drain) {
        if (drain.left() > 0) {
            return String.format(Locale.ROOT, "> %.0f s (%,d left)", drain.seconds(), drain.left());
        }
        return String.format(Locale.ROOT, "%.1f s", drain.seconds());
    }

    private void latencies(StringBuilder out) {
        out.append("\n| store | clients | append p50 / p99 | create p50 / p99 | add-item p50 / p99 | confirm p50 / p99"
                + " | confirm → OrderSummary p50 / p99 |\n|---|---|---|---|---|---|---|\n");
        for (String store : stores()) {
            for (int clients : options.clients()) {
                StringBuilder line = new StringBuilder("| " + store + " | " + clients + " | ");
                line.append(percentiles(store, clients, SERVER, "append")).append(" | ");
                for (String kind : ORDER_REQUESTS) {
                    line.append(percentiles(store, clients, ORDERS, kind)).append(" | ");
                }
                out.append(line.toString().stripTrailing()).append('\n');
            }
        }
        out.append("\nLatencies in ms, over all repetitions. The confirm → OrderSummary read runs beside the client's"
                + " loop (GET /api/orders/{id}?minPosition=<the confirm's position>), timed from sending the"
                + " confirm until the read model answered with the confirmed order.\n");
    }

    private void targets(StringBuilder out) {
        out.append("\n| store | issue 10 target | measured | |\n|---|---|---|---|\n");
        for (String store : stores()) {
            List<Double> ratios = new ArrayList<>();
            List<Double> drained = new ArrayList<>();
            for (Row server : rowsOf(SERVER)) {
                Row orders = pairOf(server);
                if (server.store().equals(store) && server.window().clients() == 8 && orders != null) {
                    ratios.add(orders.window().perSecond() / server.window().perSecond());
                    drained.add(orders.sustained() / server.window().perSecond());
                }
            }
            if (!ratios.isEmpty()) {
                out.append(String.format(
                        Locale.ROOT,
                        "| %s | orders commands/s with 8 clients ≥ 0.8x factum-server appends/s | %s (each"
                                + " repetition); with the fulfilment's drain %s | %s |%n",
                        store,
                        ratiosText(ratios),
                        ratiosText(drained),
                        ratios.stream().allMatch(r -> r >= 0.8) ? "met" : "missed"));
            }
            Latencies confirm = merged(store, 16, ORDERS, WritePathLoad.OrderCommands.CONFIRM_TO_READ_MODEL);
            if (confirm.size() > 0) {
                double p99 = confirm.percentileMillis(99);
                out.append(String.format(
                        Locale.ROOT,
                        "| %s | confirm → OrderSummary p99 < 50 ms with 16 clients | %.1f ms (p50 %.1f ms, %,d"
                                + " orders) | %s |%n",
                        store,
                        p99,
                        confirm.percentileMillis(50),
                        confirm.size(),
                        p99 < 50 ? "met" : "missed"));
            }
            List<String> scaling = new ArrayList<>();
            double one = Double.NaN;
            double previous = 0;
            boolean rising = true;
            for (int clients : options.clients()) {
                if (clients > 8) {
                    continue;
                }
                double rate = meanRate(store, clients, ORDERS);
                if (clients == 1) {
                    one = rate;
                }
                rising &= rate > previous;
                previous = rate;
                scaling.add(String.format(Locale.ROOT, "%d: %,.0f", clients, rate));
            }
            if (scaling.size() > 1) {
                out.append(String.format(
                        Locale.ROOT,
                        "| %s | commands/s rise from 1 to 8 clients | %s%s | %s |%n",
                        store,
                        String.join(", ", scaling),
                        Double.isNaN(one) ? "" : String.format(Locale.ROOT, " (%.1fx of 1 client)", previous / one),
                        rising ? "rising" : "not rising"));
            }
        }
    }

    private void profile(StringBuilder out) {
        out.append("\nPer operation (an append, or a command), PostgreSQL server-side counters over the measured"
                + " windows (commits of the system's database from pg_stat_database, WAL flushes from pg_stat_wal, WAL bytes from"
                + " pg_current_wal_lsn, statements from pg_stat_statements):\n");
        out.append("\n| store | system | clients | operations | commits / op | WAL flushes / op | WAL bytes / op"
                + " | statements / op |\n|---|---|---|---|---|---|---|---|\n");
        Map<String, WritePathStores.Counters> totals = new LinkedHashMap<>();
        for (Row row : rows) {
            if (row.counters() == WritePathStores.Counters.NONE) {
                continue;
            }
            long operations = row.window().figures().operations();
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %,d | %.2f | %.2f | %,.0f | %.2f |%n",
                    row.store(),
                    row.window().system(),
                    row.window().clients(),
                    operations,
                    row.counters().commits() / (double) operations,
                    row.counters().walFlushes() / (double) operations,
                    row.counters().walBytes() / (double) operations,
                    row.counters().statementCalls().values().stream()
                                    .mapToLong(Long::longValue)
                                    .sum()
                            / (double) operations));
            totals.merge(
                    row.window().system() + "@" + row.window().clients() + "@" + row.store(),
                    row.counters().withOperations(operations),
                    WritePathStores.Counters::plus);
        }
        totals.forEach((key, counters) -> {
            if (!key.startsWith(ORDERS + "@8@")) {
                return;
            }
            out.append("\nStatements per command, orders system, 8 clients (" + key.substring(key.lastIndexOf('@') + 1)
                    + "), calls per command and the statement (pg_stat_statements):\n\n| calls / command | statement |\n"
                    + "|---|---|\n");
            counters.statementCalls().entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(25)
                    .forEach(e -> out.append(String.format(
                            Locale.ROOT,
                            "| %.3f | `%s` |%n",
                            e.getValue() / (double) counters.operations(),
                            e.getKey().replaceAll("\\s+", " ").replace("|", "\\|"))));
        });
        stored.forEach((store, systems) -> {
            out.append("\nWhat the stores hold after the run (" + store + "), events by stream category:\n\n"
                    + "| system | category | events | streams | events per order stream |\n|---|---|---|---|---|\n");
            systems.forEach((system, categories) -> {
                long orders = categories.getOrDefault(system.equals(ORDERS) ? "order#streams" : "bench#streams", 0L);
                categories.forEach((category, count) -> {
                    if (category.endsWith("#streams")) {
                        return;
                    }
                    out.append(String.format(
                            Locale.ROOT,
                            "| %s | %s | %,d | %,d | %.2f |%n",
                            system,
                            category,
                            count,
                            categories.getOrDefault(category + "#streams", 0L),
                            orders == 0 ? Double.NaN : count / (double) orders));
                });
            });
        });
        sequentialScans(out);
    }

    private void sequentialScans(StringBuilder out) {
        scanned.forEach((store, systems) -> {
            if (systems.isEmpty()) {
                return; // SQLite keeps no such counters
            }
            out.append("\nRows read by sequential scans during the whole run (" + store
                    + ", pg_stat_user_tables; the events and streams tables should show none, small tables such as the"
                    + " checkpoints are scanned by design):\n\n"
                    + "| system | table | rows read by sequential scans |\n|---|---|---|\n");
            systems.forEach((system, tables) -> {
                if (tables.isEmpty()) {
                    out.append("| " + system + " | (none) | 0 |\n");
                }
                tables.forEach((table, rows) ->
                        out.append(String.format(Locale.ROOT, "| %s | %s | %,d |%n", system, table, rows)));
            });
        });
    }

    private List<String> stores() {
        return rows.stream().map(Row::store).distinct().toList();
    }

    private List<Row> rowsOf(String system) {
        return rows.stream().filter(r -> r.window().system().equals(system)).toList();
    }

    private Row pairOf(Row server) {
        return rows.stream()
                .filter(r -> r.window().system().equals(ORDERS)
                        && r.store().equals(server.store())
                        && r.repetition() == server.repetition()
                        && r.window().clients() == server.window().clients())
                .findFirst()
                .orElse(null);
    }

    private double meanRate(String store, int clients, String system) {
        return rows.stream()
                .filter(r -> r.store().equals(store)
                        && r.window().clients() == clients
                        && r.window().system().equals(system))
                .mapToDouble(r -> r.window().perSecond())
                .average()
                .orElse(Double.NaN);
    }

    private Latencies merged(String store, int clients, String system, String kind) {
        List<Latencies> all = new ArrayList<>();
        for (Row row : rows) {
            if (row.store().equals(store)
                    && row.window().clients() == clients
                    && row.window().system().equals(system)) {
                Latencies values = row.window().figures().latencies().get(kind);
                if (values != null) {
                    all.add(values);
                }
            }
        }
        return Latencies.merge(all);
    }

    private String percentiles(String store, int clients, String system, String kind) {
        Latencies values = merged(store, clients, system, kind);
        if (values.size() == 0) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.1f / %.1f", values.percentileMillis(50), values.percentileMillis(99));
    }
}
