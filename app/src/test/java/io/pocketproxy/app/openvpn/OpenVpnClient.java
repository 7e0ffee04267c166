package io.pocketproxy.app.openvpn;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code openvpn} client in the lab's client namespace, started with a customer's profile as the API gave
 * it. The profile reaches it on its standard input ({@code --config /dev/stdin}), so the credentials it may carry
 * are never written to a file; its log is kept in a file to read.
 */
final class OpenVpnClient implements AutoCloseable {

    static final String CONNECTED = "Initialization Sequence Completed";

    private final Process process;
    private final Path log;

    private OpenVpnClient(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static OpenVpnClient start(NetworkLab lab, String profile) {
        try {
            Path log = Files.createTempFile("openvpn-client", ".log");
            Process process = new ProcessBuilder(NetworkLab.in(lab.client(), "openvpn", "--config", "/dev/stdin"))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(profile.getBytes(StandardCharsets.UTF_8));
            }
            return new OpenVpnClient(process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the openvpn client", e);
        }
    }

    /** Starts a client and waits until its tunnel is up. */
    static OpenVpnClient connect(NetworkLab lab, String profile) {
        OpenVpnClient client = start(lab, profile);
        try {
            client.awaitConnected();
            return client;
        } catch (RuntimeException | AssertionError e) {
            client.close();
            throw e;
        }
    }

    void awaitConnected() {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!process.isAlive() && !log().contains(CONNECTED)) {
                        throw new AssertionError(
                                "the openvpn client exited with " + process.exitValue() + ":\n" + log());
                    }
                    return log().contains(CONNECTED);
                });
    }

    /** Waits, up to {@code within}, for the client to print {@code text}. */
    void awaitLog(String text, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(20)).until(() -> log().contains(text));
    }

    /** Waits for the client to give up (it does after {@code AUTH_FAILED}); its exit code. */
    int awaitExit(Duration within) {
        try {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the openvpn client is still running after " + within + ":\n" + log());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How often the client's tunnel came up. */
    long connections() {
        return log().lines().filter(line -> line.contains(CONNECTED)).count();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM: it says goodbye to the server (explicit-exit-notify) and removes its tun
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a temporary file
        }
    }
}
