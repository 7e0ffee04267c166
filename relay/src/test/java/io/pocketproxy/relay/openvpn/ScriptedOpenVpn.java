package io.pocketproxy.relay.openvpn;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Plays OpenVPN's side of the management interface over a real Unix socket: connects to our socket as
 * {@code --management-client} does, sends notifications as OpenVPN 2.6 words them, and collects the commands we
 * send.
 */
final class ScriptedOpenVpn implements AutoCloseable {

    private final SocketChannel channel;
    private final BlockingQueue<String> commands = new LinkedBlockingQueue<>();
    private final Thread reader;

    private ScriptedOpenVpn(SocketChannel channel) {
        this.channel = channel;
        this.reader = Thread.ofVirtual().start(this::read);
    }

    /** Connects and greets, as OpenVPN does. */
    static ScriptedOpenVpn connect(Path socket) {
        ScriptedOpenVpn openvpn = connectSilently(socket);
        openvpn.send(">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info");
        return openvpn;
    }

    /** Connects without a word: for a peer that is to be turned away, which may happen before it could speak. */
    static ScriptedOpenVpn connectSilently(Path socket) {
        try {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            return new ScriptedOpenVpn(channel);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void read() {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                commands.add(line);
            }
        } catch (IOException e) {
            // closed
        }
        commands.add("<closed>");
    }

    void send(String... lines) {
        try {
            for (String line : lines) {
                ByteBuffer bytes = ByteBuffer.wrap((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What OpenVPN 2.6 says once initialized, in answer to "state on all". */
    void initialized() {
        send(
                "SUCCESS: real-time state notification set to ON",
                "1796159521,CONNECTING,,,,,,",
                "1796159521,ASSIGN_IP,,10.8.0.1,,,,",
                "1796159521,CONNECTED,SUCCESS,10.8.0.1,,,127.0.0.1,1194",
                "END");
    }

    void connect(long clientId, long keyId, String username, String password) {
        send(
                ">CLIENT:CONNECT," + clientId + "," + keyId,
                ">CLIENT:ENV,n_clients=0",
                ">CLIENT:ENV,password=" + password,
                ">CLIENT:ENV,untrusted_port=46072",
                ">CLIENT:ENV,untrusted_ip=198.51.100.9",
                ">CLIENT:ENV,username=" + username,
                ">CLIENT:ENV,IV_VER=2.6.14",
                ">CLIENT:ENV,END");
    }

    void established(long clientId, String poolAddress, String username) {
        send(
                ">CLIENT:ADDRESS," + clientId + "," + poolAddress + ",1",
                ">CLIENT:ESTABLISHED," + clientId,
                ">CLIENT:ENV,n_clients=1",
                ">CLIENT:ENV,ifconfig_pool_remote_ip=" + poolAddress,
                ">CLIENT:ENV,common_name=" + username,
                ">CLIENT:ENV,username=" + username,
                ">CLIENT:ENV,END");
    }

    void disconnected(long clientId) {
        send(">CLIENT:DISCONNECT," + clientId, ">CLIENT:ENV,bytes_received=100", ">CLIENT:ENV,END");
    }

    /** The next command we sent, waiting up to 5 s for it. */
    String nextCommand() {
        try {
            String command = commands.poll(5, TimeUnit.SECONDS);
            if (command == null) {
                throw new AssertionError("no command from the relay within 5 s");
            }
            return command;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
        try {
            reader.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
