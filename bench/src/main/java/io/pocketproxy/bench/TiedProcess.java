package io.pocketproxy.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A native child of the bench (sshd, ssh) that cannot outlive it. Java has no parent-death signal, so the
 * command runs under a small shell that holds the bench's end of a pipe on its standard input: when the
 * bench closes it, or dies even by SIGKILL, the shell sees end-of-file and stops the command. The shell
 * also stops it on SIGINT/SIGTERM (Ctrl-C, {@link #close()}) and exits when the command exits by itself,
 * so {@link #isAlive()} tells whether the command still runs.
 *
 * <p>Its standard error is read line by line: a line the caller waits for ({@link #awaitLine}) is handed
 * over, every other line goes to the bench's standard error with the label in front, and the last few are
 * kept for error messages.
 */
final class TiedProcess implements AutoCloseable {

    private static final String TIE = String.join(
            "\n",
            "exec 3<&0", // the pipe from the bench; background commands would otherwise read /dev/null
            "\"$@\" 3<&- &",
            "child=$!",
            "{ read -r ignored; kill \"$child\" 2>/dev/null; } <&3 3<&- &",
            "exec 3<&-",
            "trap 'kill \"$child\" 2>/dev/null; exit 143' INT TERM HUP",
            "wait \"$child\"");
    private static final int KEPT_LINES = 20;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final String label;
    private final Process shell;
    private final Deque<String> lastLines = new ArrayDeque<>();
    private final List<Awaited> awaited = new ArrayList<>();

    private record Awaited(Pattern pattern, CompletableFuture<Matcher> match) {}

    private TiedProcess(String label, Process shell) {
        this.label = label;
        this.shell = shell;
    }

    static TiedProcess start(String label, List<String> command) {
        return start(label, command, Map.of());
    }

    /** With {@code environment} added to the command's (the bench's own less what {@code null} values remove). */
    static TiedProcess start(String label, List<String> command, Map<String, String> environment) {
        List<String> tied = new ArrayList<>(List.of("/bin/sh", "-c", TIE, label));
        tied.addAll(command);
        Process shell;
        try {
            ProcessBuilder builder = new ProcessBuilder(tied).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            environment.forEach((name, value) -> {
                if (value == null) {
                    builder.environment().remove(name);
                } else {
                    builder.environment().put(name, value);
                }
            });
            shell = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + label + ": " + String.join(" ", command), e);
        }
        TiedProcess process = new TiedProcess(label, shell);
        Thread.ofPlatform().daemon().name(label + " stderr").start(process::readErrors);
        return process;
    }

    boolean isAlive() {
        return shell.isAlive();
    }

    /** Waits for a line of its standard error that matches, e.g. ssh's "Allocated port N". */
    Matcher awaitLine(Pattern pattern, Duration timeout) {
        CompletableFuture<Matcher> match = new CompletableFuture<>();
        synchronized (this) {
            awaited.add(new Awaited(pattern, match));
        }
        shell.onExit()
                .thenRun(() -> match.completeExceptionally(new IllegalStateException(label + " exited with "
                        + shell.exitValue() + " before printing /" + pattern + "/; it said: " + lastLines())));
        try {
            return match.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(label + " printed no line matching /" + pattern + "/ within " + timeout
                    + "; it said: " + lastLines());
        } catch (java.util.concurrent.ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + label, e);
        }
    }

    synchronized String lastLines() {
        return lastLines.isEmpty() ? "(nothing)" : String.join(" / ", lastLines);
    }

    /** The command itself (the shell's child; a command that execs, as a launcher script does, keeps its id). */
    Optional<ProcessHandle> command() {
        return shell.children().findFirst();
    }

    /** Every process under the shell: the command and whatever it forked (sshd's per-connection sessions). */
    List<ProcessHandle> tree() {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(shell.toHandle());
        shell.descendants().forEach(tree::add);
        return tree;
    }

    private void readErrors() {
        try (BufferedReader errors =
                new BufferedReader(new InputStreamReader(shell.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line = errors.readLine(); line != null; line = errors.readLine()) {
                if (!handOver(line)) {
                    System.err.println(label + ": " + line);
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    private synchronized boolean handOver(String line) {
        if (lastLines.size() == KEPT_LINES) {
            lastLines.removeFirst();
        }
        lastLines.addLast(line);
        for (Awaited wanted : awaited) {
            Matcher matcher = wanted.pattern().matcher(line);
            if (matcher.find() && wanted.match().complete(matcher)) {
                awaited.remove(wanted);
                return true;
            }
        }
        return false;
    }

    /**
     * Ends the pipe (the shell's watcher stops the command) and sends SIGTERM to the shell for good measure;
     * whatever still runs after {@link #STOP_TIMEOUT} (a session the command forked, say) is killed.
     */
    @Override
    public void close() {
        List<ProcessHandle> tree = tree();
        try {
            shell.getOutputStream().close();
        } catch (IOException e) {
            // already closed
        }
        shell.destroy();
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        for (ProcessHandle process : tree) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                process.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                process.destroyForcibly();
            }
        }
    }
}
