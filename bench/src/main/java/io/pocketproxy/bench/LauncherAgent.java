package io.pocketproxy.bench;

import io.pocketproxy.link.PairingString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An agent under test as an operator starts it, {@code ./pocketproxy agent}, so that the bench measures the JVM
 * settings the launcher gives a device (heap, direct memory, collector, threads) and not settings of its own. The
 * pairing string goes in the agent's environment ({@code POCKETPROXY_PAIR}), never on its command line; an agent
 * behind a delay line gets the token there instead and {@code --relay} pointing at the line. Its log goes to the
 * bench's standard error, where "linked to relay" says it is up. It dies with the bench ({@link TiedProcess}).
 */
final class LauncherAgent implements AutoCloseable {

    private static final Pattern LINKED = Pattern.compile("linked to relay");
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");
    private static final Duration LINK_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration JCMD_TIMEOUT = Duration.ofSeconds(60);

    /**
     * The launcher's own variables, kept from the bench's environment: the JDK, and the agent's JVM options, which
     * is how an experiment runs the bench with other settings. Every other {@code POCKETPROXY_} variable would
     * become an agent option, so it is removed.
     */
    private static final Set<String> LAUNCHER_VARIABLES =
            Set.of("POCKETPROXY_JAVA_HOME", "POCKETPROXY_AGENT_JAVA_OPTS");

    private final TiedProcess launcher;
    private final ProcessHandle jvm;

    private LauncherAgent(TiedProcess launcher, ProcessHandle jvm) {
        this.launcher = launcher;
        this.jvm = jvm;
    }

    /** Links straight to the relay the pairing string names. */
    static LauncherAgent start(String label, String pairing) {
        return start(label, pairing, null);
    }

    /** Links to {@code via} (host:port, a delay line in front of the relay) instead, when it is not null. */
    static LauncherAgent start(String label, String pairing, String via) {
        Path script = Path.of("pocketproxy").toAbsolutePath();
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException(
                    script + " not found (expected: the bench runs in the repository's root, as bench/run starts it)");
        }
        // env --default-signal: a background job of a non-interactive shell starts with SIGINT and SIGQUIT ignored,
        // and a JVM that inherits that ignores jcmd's attach request (SIGQUIT) and Ctrl-C.
        List<String> command = new ArrayList<>(
                List.of("env", "--default-signal", script.toString(), "agent", "--allow-private-targets"));
        Map<String, String> environment = new HashMap<>();
        System.getenv().keySet().stream()
                .filter(name -> name.startsWith("POCKETPROXY_") && !LAUNCHER_VARIABLES.contains(name))
                .forEach(name -> environment.put(name, null));
        if (via == null) {
            environment.put("POCKETPROXY_PAIR", pairing);
        } else {
            PairingString parsed = PairingString.parse(pairing);
            environment.put("POCKETPROXY_TOKEN", parsed.deviceToken());
            command.addAll(List.of("--relay", via, "--relay-fingerprint", parsed.relayFingerprint()));
        }
        TiedProcess launcher = TiedProcess.start(label, command, environment);
        try {
            launcher.awaitLine(LINKED, LINK_TIMEOUT);
            ProcessHandle jvm = launcher.command()
                    .orElseThrow(() -> new IllegalStateException(label + " linked but its process is gone"));
            return new LauncherAgent(launcher, jvm);
        } catch (RuntimeException e) {
            launcher.close();
            throw e;
        }
    }

    /** The agent's JVM: the launcher execs it, so it is the process the launcher started as. */
    ProcessHandle process() {
        return jvm;
    }

    /** Resident memory (VmRSS) of the agent's JVM, in bytes. */
    long residentBytes() {
        return ResidentMemory.of(List.of(jvm));
    }

    /**
     * Heap in use after a full collection, in bytes: the live objects {@code jcmd PID GC.class_histogram} counts
     * (it collects first). The same measure {@link Child#heapUsed()} takes inside the bench's own children.
     */
    long heapUsed() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Path output = Files.createTempFile("pocketproxy-bench-jcmd", ".txt");
            try {
                Process process = new ProcessBuilder(jcmd.toString(), Long.toString(jvm.pid()), "GC.class_histogram")
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
                if (!process.waitFor(JCMD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("jcmd GC.class_histogram on the agent took over " + JCMD_TIMEOUT);
                }
                String text = Files.readString(output, StandardCharsets.UTF_8);
                Matcher total = HISTOGRAM_TOTAL.matcher(text);
                if (process.exitValue() != 0 || !total.find()) {
                    throw new IllegalStateException("jcmd GC.class_histogram on the agent (pid " + jvm.pid()
                            + ") exited with " + process.exitValue() + " and no Total line; it said: "
                            + text.lines().limit(5).toList());
                }
                return Long.parseLong(total.group(1));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + jcmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for jcmd", e);
        }
    }

    @Override
    public void close() {
        launcher.close();
    }
}
