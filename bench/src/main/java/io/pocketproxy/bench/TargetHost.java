package io.pocketproxy.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The destinations, in their own process: a source (reads an 8-byte count, then sends that many bytes),
 * an echo server, and a minimal HTTP/1.1 server (answers every request with the number of body bytes it
 * read and discarded: "0" to a GET, the length to an upload). Prints "ports SOURCE ECHO HTTP" when ready.
 */
public final class TargetHost {

    private TargetHost() {}

    public static void main(String[] args) throws IOException {
        ServerSocket source = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        ServerSocket echo = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        ServerSocket http = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> accept(source, TargetHost::serveSource));
        Thread.ofPlatform().daemon().start(() -> accept(echo, TargetHost::serveEcho));
        Thread.ofPlatform().daemon().start(() -> accept(http, HttpTarget::serve));
        System.out.println("ports " + source.getLocalPort() + " " + echo.getLocalPort() + " " + http.getLocalPort());
        System.out.flush();
        Child.serveCommands(() -> {});
    }

    interface Service {
        void serve(Socket socket) throws IOException;
    }

    private static void accept(ServerSocket listener, Service service) {
        while (true) {
            try {
                Socket socket = listener.accept();
                socket.setTcpNoDelay(true);
                Thread.ofVirtual().start(() -> {
                    try (socket) {
                        service.serve(socket);
                    } catch (IOException e) {
                        // the client left
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void serveSource(Socket socket) throws IOException {
        long remaining = new DataInputStream(socket.getInputStream()).readLong();
        OutputStream out = socket.getOutputStream();
        byte[] chunk = new byte[64 * 1024];
        while (remaining > 0) {
            int n = (int) Math.min(chunk.length, remaining);
            out.write(chunk, 0, n);
            remaining -= n;
        }
        out.flush();
        socket.shutdownOutput();
        socket.getInputStream().read(); // wait for the client to finish
    }

    private static void serveEcho(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buffer = new byte[16 * 1024];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            out.write(buffer, 0, n);
        }
    }
}
