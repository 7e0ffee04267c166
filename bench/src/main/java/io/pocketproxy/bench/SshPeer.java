package io.pocketproxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The do-it-yourself peer a buyer compares us with: OpenSSH reverse dynamic forwarding. This is its server
 * side, an sshd on 127.0.0.1 that plays the relay; each {@link SshPhone} ({@code ssh -N -R 0}) plays a phone,
 * and the port sshd opens for it is a SOCKS5 proxy whose connections leave through that ssh client. Same
 * architecture as ours: one encrypted, multiplexed, flow-controlled connection dialled out from the phone.
 *
 * <p>Everything sshd reads lives in a temporary directory made for the run: its configuration, a host
 * key, and the only authorized key, a client key made alongside. Public-key authentication only, loopback
 * only.
 */
final class SshPeer implements AutoCloseable {

    static final Path SSHD = Path.of("/usr/sbin/sshd");
    private static final String HOST_ALIAS = "pocketproxy-bench-sshd";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);
    private static final int START_ATTEMPTS = 3;
    private static final byte[] PROBE_BANNER =
            "SSH-2.0-pocketproxy-bench-probe\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Path directory;
    private final TiedProcess sshd;
    private final int port;

    private SshPeer(Path directory, TiedProcess sshd, int port) {
        this.directory = directory;
        this.sshd = sshd;
        this.port = port;
    }

    static SshPeer start() throws IOException {
        for (Path tool : List.of(SSHD, Path.of("/usr/bin/ssh"), Path.of("/usr/bin/ssh-keygen"))) {
            if (!Files.isExecutable(tool)) {
                throw new IllegalStateException(
                        tool + " not found: the ssh -R peer needs openssh-server and openssh-client (bench/run"
                                + " installs them with apt-get), or run with --no-peer");
            }
        }
        // sshd running as root insists on its privilege-separation directory, which only its service unit
        // would otherwise create.
        if ("root".equals(System.getProperty("user.name"))) {
            Files.createDirectories(Path.of("/run/sshd"));
        }
        Path directory = Files.createTempDirectory("pocketproxy-bench-ssh");
        try {
            generateKey(directory.resolve("host_key"));
            generateKey(directory.resolve("client_key"));
            Files.copy(directory.resolve("client_key.pub"), directory.resolve("authorized_keys"));
            Files.writeString(
                    directory.resolve("known_hosts"),
                    HOST_ALIAS + " " + Files.readString(directory.resolve("host_key.pub")));
            IllegalStateException lastFailure = null;
            for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
                int port = freePort(); // sshd cannot be told to pick one; another process may take it first
                Path config = writeConfig(directory, port);
                TiedProcess sshd =
                        TiedProcess.start("sshd", List.of(SSHD.toString(), "-D", "-e", "-f", config.toString()));
                try {
                    awaitBanner(sshd, port);
                    return new SshPeer(directory, sshd, port);
                } catch (IllegalStateException e) {
                    sshd.close();
                    lastFailure = e;
                }
            }
            throw lastFailure;
        } catch (IOException | RuntimeException e) {
            delete(directory);
            throw e;
        }
    }

    int port() {
        return port;
    }

    /** An ssh client that dials {@code sshPort} (sshd's, or a delay line's in front of it). */
    SshPhone connectPhone(int sshPort, String cipher) {
        List<String> command = new ArrayList<>(List.of(
                "/usr/bin/ssh",
                "-N",
                "-F",
                "/dev/null", // none of the machine's or user's settings
                "-p",
                Integer.toString(sshPort),
                "-i",
                directory.resolve("client_key").toString(),
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "BatchMode=yes",
                "-o",
                "UserKnownHostsFile=" + directory.resolve("known_hosts"),
                "-o",
                "HostKeyAlias=" + HOST_ALIAS, // one known_hosts line whichever port the phone dials
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "ExitOnForwardFailure=yes",
                "-o",
                "ConnectTimeout=10",
                "-o",
                "LogLevel=INFO")); // INFO is where ssh says which port it was given
        if (cipher != null) {
            command.addAll(List.of("-c", cipher));
        }
        command.addAll(List.of("-R", "0", System.getProperty("user.name") + "@127.0.0.1"));
        return SshPhone.start(TiedProcess.start("ssh", command));
    }

    /** sshd and every session it forked, for memory figures. */
    List<ProcessHandle> processes() {
        return sshd.tree();
    }

    /** Give the phones back first: closing sshd leaves their sessions to end with their connections. */
    @Override
    public void close() {
        sshd.close();
        delete(directory);
    }

    private static Path writeConfig(Path directory, int port) throws IOException {
        Path config = directory.resolve("sshd_config");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "Port " + port,
                        "ListenAddress 127.0.0.1",
                        "HostKey " + directory.resolve("host_key"),
                        "PidFile none",
                        "AuthorizedKeysFile " + directory.resolve("authorized_keys"),
                        "AuthenticationMethods publickey",
                        "PasswordAuthentication no",
                        "KbdInteractiveAuthentication no",
                        "PermitRootLogin prohibit-password",
                        // the temporary directory is ours, but sshd would refuse keys under /tmp's modes
                        "StrictModes no",
                        "UsePAM no",
                        // -R only: the forwarded port listens on loopback (GatewayPorts no)
                        "AllowTcpForwarding remote",
                        "GatewayPorts no",
                        "AllowAgentForwarding no",
                        "X11Forwarding no",
                        "PermitTTY no",
                        "PermitTunnel no",
                        "UseDNS no",
                        "LogLevel ERROR",
                        ""));
        return config;
    }

    private static void generateKey(Path file) throws IOException {
        // -N "" is the key's empty passphrase: a throw-away key in a private temporary directory
        Process keygen = new ProcessBuilder(
                        "/usr/bin/ssh-keygen",
                        "-q",
                        "-t",
                        "ed25519",
                        "-N",
                        "",
                        "-C",
                        "pocketproxy-bench",
                        "-f",
                        file.toString())
                .redirectErrorStream(true)
                .start();
        try (InputStream output = keygen.getInputStream()) {
            String said = new String(output.readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!keygen.waitFor(30, TimeUnit.SECONDS) || keygen.exitValue() != 0) {
                keygen.destroyForcibly();
                throw new IllegalStateException("ssh-keygen could not make " + file + ": " + said);
            }
        } catch (InterruptedException e) {
            keygen.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted making " + file, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** Ready when it greets a connection with its SSH banner; polled, within {@link #READY_TIMEOUT}. */
    private static void awaitBanner(TiedProcess sshd, int port) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!sshd.isAlive()) {
                throw new IllegalStateException("sshd on 127.0.0.1:" + port + " exited: " + sshd.lastLines());
            }
            try (Socket socket = Loopback.connect(port)) {
                socket.setSoTimeout(2_000);
                byte[] banner = socket.getInputStream().readNBytes(4);
                if (new String(banner, StandardCharsets.US_ASCII).equals("SSH-")) {
                    // Our own banner before leaving, or sshd reports a broken identification exchange as an error.
                    socket.getOutputStream().write(PROBE_BANNER);
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        throw new IllegalStateException("sshd on 127.0.0.1:" + port + " did not answer with an SSH banner within "
                + READY_TIMEOUT + "; it said: " + sshd.lastLines());
    }

    private static void delete(Path directory) {
        try (var paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + directory, e);
        }
    }
}
