package io.pocketproxy.app;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged {@code pocketproxy.jar} running as a real process, as an operator runs it: its output
 * is collected line by line, and it can be stopped with SIGTERM or killed outright.
 */
public final class PocketProxyProcess implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("API at (http://\\S+?)/?$");
    private static final Pattern EMBEDDED_POSTGRES =
            Pattern.compile("embedded PostgreSQL is up on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern RELAY_UP = Pattern.compile(
            "relay is up: HTTP proxy on \\S+:(\\d+), SOCKS5 on \\S+:(\\d+), device links on \\S+:(\\d+)");

    /** The ports a server's relay listens on, as its log says: the way to find them when they were 0. */
    public record RelayPorts(int httpProxy, int socks, int link) {}

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private PocketProxyProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * The arguments of {@code command} ({@code server} or {@code relay}) with {@code options}, every port it listens on
     * (a server's API too) one the system picks: tests run side by side, and the process's log says which it got.
     */
    public static String[] onAnyPorts(String command, String... options) {
        List<String> arguments = new ArrayList<>(List.of(command));
        List<String> ports = new ArrayList<>(List.of("--http-proxy-port", "--socks-port", "--link-port"));
        if (command.equals("server")) {
            ports.add(0, "--api-port");
        }
        for (String port : ports) {
            arguments.add(port);
            arguments.add("0");
        }
        arguments.addAll(List.of(options));
        return arguments.toArray(String[]::new);
    }

    static PocketProxyProcess start(Map<String, String> environment, String... args) {
        return start(List.of(), List.of(), environment, args);
    }

    /**
     * Runs {@code launcher} (such as {@code ip netns exec NAME}, which becomes the JVM itself) then the JVM with
     * {@code jvmOptions}.
     */
    public static PocketProxyProcess start(
            List<String> launcher, List<String> jvmOptions, Map<String, String> environment, String... args) {
        List<String> command = new ArrayList<>(launcher);
        // Every signal as a terminal leaves it: a build started in the background of a non-interactive shell
        // ignores SIGINT, children inherit that, and a JVM that starts with SIGINT ignored never runs its shutdown
        // hooks on Ctrl-C. The tests that send it would then test the harness, not the product.
        command.addAll(List.of("env", "--default-signal"));
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        // As ./pocketproxy runs it (the child is this JVM's own java): native access comes from the jar's
        // manifest, the Unsafe option only where the JDK knows it.
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("POCKETPROXY_"));
        // A root CI machine with openvpn installed would turn OpenVPN on everywhere: only its own tests ask for it.
        builder.environment().put("POCKETPROXY_OPENVPN", "off");
        builder.environment().putAll(environment);
        try {
            // Files, not pipes: the whole output stays readable after the process has gone.
            Path stdout = Files.createTempFile("pocketproxy-stdout", ".txt");
            Path stderr = Files.createTempFile("pocketproxy-stderr", ".txt");
            builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            return new PocketProxyProcess(builder.start(), stdout, stderr);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    public static Path jar() {
        return Path.of(System.getProperty("pocketproxy.jar", "target/pocketproxy.jar"));
    }

    /** Waits until the server says it is ready and returns its API base URL (no trailing slash). */
    public String awaitReady() {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("pocketproxy exited with " + process.exitValue() + ":\n" + stderr());
                    }
                    return readyUrl() != null;
                });
        return readyUrl();
    }

    /** Waits until {@code pocketproxy relay} (or a server's relay) says it is up, and returns its ports. */
    public RelayPorts awaitRelayUp() {
        awaitLog(log -> RELAY_UP.matcher(log).find());
        return relayPorts();
    }

    /** Waits until the log has {@code text} (such as {@code relay is ready}); fails at once if the process exits. */
    public void awaitLog(String text) {
        awaitLog(log -> log.contains(text));
    }

    private void awaitLog(Predicate<String> found) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("pocketproxy exited with " + process.exitValue() + ":\n" + stderr());
                    }
                    return found.test(stderr());
                });
    }

    /** The relay's ports, from its log line; call after {@link #awaitReady()}. */
    public RelayPorts relayPorts() {
        Matcher matcher = RELAY_UP.matcher(stderr());
        if (!matcher.find()) {
            throw new AssertionError("no \"relay is up\" line in the server's log:\n" + stderr());
        }
        return new RelayPorts(
                Integer.parseInt(matcher.group(1)),
                Integer.parseInt(matcher.group(2)),
                Integer.parseInt(matcher.group(3)));
    }

    private String readyUrl() {
        for (String line : stderr().split("\n")) {
            Matcher matcher = READY.matcher(line.strip());
            if (matcher.find()) {
                return matcher.group(1);
            }
        }
        return null;
    }

    /**
     * The embedded PostgreSQL of this server, whose data directory is {@code dataDir}, as a relay of its farm reaches
     * it by URL: the port from the server's log, the password from its file. Give it in the environment
     * ({@code POCKETPROXY_DATABASE_URL}), never on a command line.
     */
    public String embeddedDatabaseUrl(Path dataDir) {
        Matcher port = EMBEDDED_POSTGRES.matcher(stderr());
        if (!port.find()) {
            throw new AssertionError("the server's log does not say where its PostgreSQL is:\n" + stderr());
        }
        try {
            String password = Files.readString(dataDir.resolve("postgres.password"), StandardCharsets.UTF_8)
                    .strip();
            return "postgresql://postgres:" + password + "@127.0.0.1:" + port.group(1) + "/pocketproxy";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM, then the exit code; fails if the process does not end within 30 s. */
    public int terminate() {
        process.destroy();
        return awaitExit();
    }

    /** SIGKILL: the process gets no chance to clean up, as in a power cut or an OOM kill. */
    public void kill() {
        process.destroyForcibly();
        awaitExit();
    }

    public int awaitExit() {
        return awaitExit(Duration.ofSeconds(30));
    }

    /** The exit code; fails if the process does not end within {@code within} (a whole import, say). */
    public int awaitExit(Duration within) {
        try {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("pocketproxy did not exit within " + within.toSeconds() + " s:\n" + stderr());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String stdout() {
        return read(stdout);
    }

    public String stderr() {
        return read(stderr);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        try {
            stopIfAlive();
        } finally {
            try {
                Files.deleteIfExists(stdout);
                Files.deleteIfExists(stderr);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void stopIfAlive() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
