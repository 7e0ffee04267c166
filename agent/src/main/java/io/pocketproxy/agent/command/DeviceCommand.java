package io.pocketproxy.agent.command;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A command the operator gave the agent on its own command line ({@code --status-command}, a rotate command), run by
 * {@code sh -c} so that it may be a pipeline, with a timeout. Nothing from the relay or the API ever reaches it.
 * Its output goes to a file rather than a pipe, so a command that writes much and never ends cannot block us; only
 * the first {@link #OUTPUT_LIMIT} bytes are read.
 */
public final class DeviceCommand {

    public static final int OUTPUT_LIMIT = 64 * 1024;

    private final String command;
    private final Duration timeout;

    /** {@code name} says which option the command came from ({@code --status-command}), for the error if it is empty. */
    public DeviceCommand(String name, String command, Duration timeout) {
        if (command == null || command.trim().isEmpty()) {
            throw new IllegalArgumentException(name + ": empty (expected: a command to run)");
        }
        this.command = command;
        this.timeout = timeout;
    }

    /** What the command printed and how it ended. */
    public record Result(int exitCode, String stdout, String stderr) {

        /** The first {@code count} non-empty lines of both outputs, for a log line. */
        public String firstLines(int count) {
            List<String> lines = Arrays.stream((stdout + "\n" + stderr).split("\n"))
                    .map(String::trim)
                    .filter(line -> !line.isEmpty())
                    .limit(count)
                    .collect(Collectors.toList());
            return String.join(" | ", lines);
        }
    }

    /**
     * Runs the command and waits for it, at most the timeout.
     *
     * @throws CommandFailed when it cannot start, times out (it is then killed), or is interrupted
     */
    public Result run() throws CommandFailed {
        File stdout = null;
        File stderr = null;
        Process process = null;
        try {
            stdout = File.createTempFile("pocketproxy-command", ".out");
            stderr = File.createTempFile("pocketproxy-command", ".err");
            process = new ProcessBuilder("sh", "-c", command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(stdout)
                    .redirectError(stderr)
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new CommandFailed("did not finish within " + timeout.getSeconds() + " s (stopped it)");
            }
            return new Result(process.exitValue(), head(stdout), head(stderr));
        } catch (IOException e) {
            throw new CommandFailed("cannot run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailed("was interrupted");
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
            delete(stdout);
            delete(stderr);
        }
    }

    private static String head(File file) throws IOException {
        byte[] bytes = new byte[OUTPUT_LIMIT];
        int length = 0;
        try (var in = Files.newInputStream(file.toPath())) {
            for (int read; length < bytes.length && (read = in.read(bytes, length, bytes.length - length)) > 0; ) {
                length += read;
            }
        }
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    private static void delete(File file) {
        if (file != null && !file.delete() && file.exists()) {
            file.deleteOnExit();
        }
    }

    /** Why a command did not give a result, as the end of a sentence that names the command. */
    public static final class CommandFailed extends Exception {
        public CommandFailed(String message) {
            super(message);
        }
    }
}
