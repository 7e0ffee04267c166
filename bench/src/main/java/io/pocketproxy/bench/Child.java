package io.pocketproxy.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A part of the benchmark in a JVM of its own (relay, agent, targets), so that each process stays under
 * the machine's open-file limit and its heap can be measured alone. It talks one line at a time:
 * the bench sends a command on stdin, the child answers on stdout.
 */
final class Child implements AutoCloseable {

    private static final Duration QUIT_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final BufferedReader out;
    private final PrintWriter in;

    private Child(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    static Child start(Class<?> main, String heap, String... args) {
        return start(main, heap, Map.of(), args);
    }

    /** With {@code environment} added to the child's: where secrets go, never on its command line. */
    static Child start(Class<?> main, String heap, Map<String, String> environment, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx" + heap);
        command.add("-XX:+UseParallelGC");
        // Netty's native transport and direct buffers are what we run in production: no warnings about them.
        command.add("--enable-native-access=ALL-UNNAMED");
        if (Runtime.version().feature() >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(environment);
        try {
            return new Child(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + main.getSimpleName(), e);
        }
    }

    /** The next line the child prints. */
    String readLine() {
        try {
            String line = out.readLine();
            if (line == null) {
                throw new IllegalStateException(
                        "child exited: " + process.info().commandLine().orElse("?"));
            }
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ProcessHandle process() {
        return process.toHandle();
    }

    String ask(String command) {
        in.println(command);
        return readLine();
    }

    /** Heap in use after a full collection, in bytes. */
    long heapUsed() {
        return Long.parseLong(ask("heap"));
    }

    /**
     * Asks the child to quit; one that has not within {@link #QUIT_TIMEOUT} gets SIGTERM, which runs the same
     * clean-up from its shutdown hook (the relay's embedded PostgreSQL runs in a session of its own and would
     * outlive a killed JVM), and only then SIGKILL.
     */
    @Override
    public void close() {
        in.println("quit");
        try {
            if (!process.waitFor(QUIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(QUIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /**
     * The child side: answers "heap" and "quit" on stdin until told to quit or stdin ends (the bench is
     * gone). {@code onQuit} runs once, then, or from a shutdown hook on SIGTERM or Ctrl-C.
     */
    static void serveCommands(Runnable onQuit) throws IOException {
        AtomicBoolean done = new AtomicBoolean();
        Runnable quitOnce = () -> {
            if (done.compareAndSet(false, true)) {
                onQuit.run();
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(quitOnce, "child shutdown"));
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String command = commands.readLine(); command != null; command = commands.readLine()) {
            switch (command.strip()) {
                case "heap" -> System.out.println(heapAfterGc());
                case "quit" -> {
                    quitOnce.run();
                    System.exit(0);
                }
                default -> System.out.println("unknown command " + command);
            }
            System.out.flush();
        }
        quitOnce.run();
        System.exit(0);
    }

    private static long heapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
