package io.factum.kafka;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test's child JVM on the test class path whose standard output reports progress as lines {@code <word>
 * <number> ...}; killed with SIGKILL, as the testkit's crash tests do.
 */
final class ChildProcess {

    private final Process process;
    private final Pattern progress;
    private volatile long last = -1;
    private volatile String lastLine = "";

    private ChildProcess(Process process, String word) {
        this.process = process;
        this.progress = Pattern.compile("^" + word + " (\\d+).*");
        Thread.ofPlatform().daemon(true).name("child-output").start(this::read);
    }

    static ChildProcess start(Class<?> main, String word, Path log, List<String> args) throws IOException {
        List<String> command = KafkaTestBroker.javaCommand(main.getName(), args);
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        return new ChildProcess(process, word);
    }

    private void read() {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                lastLine = line;
                Matcher matcher = progress.matcher(line);
                if (matcher.matches()) {
                    last = Long.parseLong(matcher.group(1));
                }
            }
        } catch (IOException e) {
            // the child was killed
        }
    }

    /** Waits until the reported number satisfies {@code condition}. */
    void awaitProgress(String what, Duration timeout, LongPredicate condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(last)) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("waited for " + what + "; the child's last line: " + lastLine
                        + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")"));
            }
            Thread.sleep(20);
        }
    }

    long progress() {
        return last;
    }

    /** SIGKILL: no shutdown hook, no flush, no last batch. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }
}
