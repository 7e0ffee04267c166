package io.pocketproxy.relay.openvpn;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the host's networking tools ({@code nft}, {@code ip}, {@code openvpn --version}) with a bounded wait. Called
 * only while the endpoint starts or stops, never on an event loop.
 */
final class Commands {

    static final Duration TIMEOUT = Duration.ofSeconds(15);

    private Commands() {}

    /** What a command printed (stdout and stderr together) and how it ended. */
    record Result(int exitCode, String output) {
        boolean succeeded() {
            return exitCode == 0;
        }
    }

    /** Runs {@code command} with {@code input} on its stdin (or none); fails only when it cannot run or hangs. */
    static Result run(List<String> command, String input) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        }
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        try (OutputStream stdin = process.getOutputStream()) {
            if (input != null) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // The command exited before reading its input; its exit code and output say why.
        }
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(
                        String.join(" ", command) + " did not finish within " + TIMEOUT.toSeconds() + " s");
            }
            return new Result(
                    process.exitValue(),
                    output.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).strip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the output of " + String.join(" ", command), e);
        }
    }

    static Result run(String... command) {
        return run(List.of(command), null);
    }

    /** Runs {@code command} and fails, with its output, unless it succeeds. */
    static String require(String what, List<String> command, String input) {
        Result result = run(command, input);
        if (!result.succeeded()) {
            throw new IllegalStateException(what + ": " + String.join(" ", command) + " exited with "
                    + result.exitCode() + (result.output().isEmpty() ? "" : ": " + result.output()));
        }
        return result.output();
    }

    private static String readAll(InputStream stream) {
        try (stream) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            stream.transferTo(bytes);
            return bytes.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
