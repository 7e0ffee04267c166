package io.pocketproxy.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on 127.0.0.1 for traffic to go to, with the answers tests need:
 * <ul>
 *   <li>{@code GET /bytes/N}: N bytes of {@link #pattern} with a Content-Length;
 *   <li>{@code GET /chunked/N}: the same, chunked;
 *   <li>{@code POST /echo}: the request body back, chunked or not;
 *   <li>{@code POST /count}: the number of body bytes received, as text;
 *   <li>{@code GET /hello}: {@code hello};
 *   <li>{@code GET /ip}: the caller's IP address, as text (a "what is my IP" service).
 * </ul>
 * It records the headers of every request, so tests can see what reached the origin.
 */
public final class LocalHttpTarget implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Map<String, List<String>>> requestHeaders = new CopyOnWriteArrayList<>();
    private final List<InetAddress> clients = new CopyOnWriteArrayList<>();

    private LocalHttpTarget(HttpServer server) {
        this.server = server;
    }

    public static LocalHttpTarget start() {
        return start(InetAddress.getLoopbackAddress());
    }

    /** On {@code address} instead of loopback (a network namespace's link, for instance). */
    public static LocalHttpTarget start(InetAddress address) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(address, 0), 64);
            LocalHttpTarget target = new LocalHttpTarget(server);
            server.setExecutor(target.executor);
            server.createContext("/", target::handle);
            server.start();
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local HTTP target", e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code address:port} of where it listens ({@code 127.0.0.1:port} by default). */
    public String authority() {
        return server.getAddress().getAddress().getHostAddress() + ":" + port();
    }

    public String url(String path) {
        return "http://" + authority() + path;
    }

    public List<Map<String, List<String>>> requestHeaders() {
        return List.copyOf(requestHeaders);
    }

    /** Where each request came from: whose network reached this target. */
    public List<InetAddress> clientAddresses() {
        return List.copyOf(clients);
    }

    /** The byte at {@code index} of every body this target sends: recognizable, not repetitive in small windows. */
    public static byte pattern(long index) {
        return (byte) ((index * 31 + (index >>> 8) * 7) & 0xff);
    }

    public static byte[] patternBytes(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = pattern(i);
        }
        return bytes;
    }

    private void handle(HttpExchange exchange) throws IOException {
        requestHeaders.add(Map.copyOf(exchange.getRequestHeaders()));
        clients.add(exchange.getRemoteAddress().getAddress());
        String path = exchange.getRequestURI().getPath();
        try (exchange) {
            if (path.equals("/hello")) {
                send(exchange, 200, "hello".getBytes(StandardCharsets.US_ASCII));
            } else if (path.equals("/ip")) {
                String caller = exchange.getRemoteAddress().getAddress().getHostAddress();
                send(exchange, 200, (caller + "\n").getBytes(StandardCharsets.US_ASCII));
            } else if (path.startsWith("/bytes/")) {
                streamPattern(exchange, Long.parseLong(path.substring("/bytes/".length())), false);
            } else if (path.startsWith("/chunked/")) {
                streamPattern(exchange, Long.parseLong(path.substring("/chunked/".length())), true);
            } else if (path.equals("/echo")) {
                exchange.sendResponseHeaders(200, 0);
                try (InputStream in = exchange.getRequestBody();
                        OutputStream out = exchange.getResponseBody()) {
                    in.transferTo(out);
                }
            } else if (path.equals("/count")) {
                long count;
                try (InputStream in = exchange.getRequestBody()) {
                    count = in.transferTo(OutputStream.nullOutputStream());
                }
                send(exchange, 200, Long.toString(count).getBytes(StandardCharsets.US_ASCII));
            } else {
                send(exchange, 404, "not found".getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    private static void streamPattern(HttpExchange exchange, long length, boolean chunked) throws IOException {
        exchange.sendResponseHeaders(200, chunked ? 0 : (length == 0 ? -1 : length));
        try (OutputStream out = exchange.getResponseBody()) {
            byte[] buffer = new byte[16 * 1024];
            for (long sent = 0; sent < length; ) {
                int n = (int) Math.min(buffer.length, length - sent);
                for (int i = 0; i < n; i++) {
                    buffer[i] = pattern(sent + i);
                }
                out.write(buffer, 0, n);
                sent += n;
            }
        } catch (IOException e) {
            // the client went away mid-body: routine for tests that stop reading
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
