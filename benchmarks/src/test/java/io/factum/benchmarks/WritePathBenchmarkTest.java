package io.factum.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WritePathBenchmarkTest {

    @Nested
    class A_short_run_on_SQLite {

        @Test
        void measures_both_systems_as_child_processes_and_reads_back_what_they_acknowledged(@TempDir Path dir)
                throws Exception {
            // given
            WritePathBenchmark.WritePathOptions options = WritePathBenchmark.WritePathOptions.parse(List.of(
                    "--stores", "sqlite", "--clients", "2", "--seconds", "1", "--warmup", "0", "--repetitions", "1"));
            WritePathReport report = new WritePathReport(options);

            // when
            WritePathBenchmark.runStore("sqlite", options, dir, report);

            // then
            assertThat(report.windows())
                    .extracting(WritePathBenchmark.Window::system, WritePathBenchmark.Window::clients)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("factum-server", 2),
                            org.assertj.core.groups.Tuple.tuple("orders", 2));
            assertThat(report.windows())
                    .allSatisfy(window -> assertThat(window.figures().operations())
                            .as("operations of %s", window.system())
                            .isPositive());
            WritePathBenchmark.Window orders = report.windows().get(1);
            assertThat(orders.figures().latencies())
                    .containsKeys("create", "add-item", "confirm", WritePathLoad.OrderCommands.CONFIRM_TO_READ_MODEL);
            assertThat(orders.figures().latencies().get("add-item").size())
                    .isEqualTo(3 * orders.figures().latencies().get("create").size());
            String tables = report.tables();
            assertThat(tables)
                    .contains("| SQLite | 2 | 1 | ")
                    .contains("every append answered the version it expected")
                    .containsPattern(
                            "orders: all [1-9][0-9]* orders the clients confirmed are listed by the read model");
        }
    }

    @Nested
    class Its_command_line {

        @Test
        void takes_the_stores_clients_and_times() {
            var options = WritePathBenchmark.WritePathOptions.parse(List.of(
                    "--stores", "postgres", "--clients", "1,8", "--seconds", "3", "--warmup", "0", "--profile"));

            assertThat(options.stores()).containsExactly("postgres");
            assertThat(options.clients()).containsExactly(1, 8);
            assertThat(options.seconds()).isEqualTo(3);
            assertThat(options.warmupSeconds()).isZero();
            assertThat(options.profile()).isTrue();
        }

        @Test
        void refuses_an_unknown_argument_and_a_client_count_below_one() {
            assertThatThrownBy(() -> WritePathBenchmark.WritePathOptions.parse(List.of("--threads", "8")))
                    .hasMessageStartingWith("unknown argument '--threads'; usage: WritePathBenchmark");
            assertThatThrownBy(() -> WritePathBenchmark.WritePathOptions.parse(List.of("--clients", "1,0")))
                    .hasMessage("--clients takes whole numbers of 1 or more, got '0'");
        }
    }
}
