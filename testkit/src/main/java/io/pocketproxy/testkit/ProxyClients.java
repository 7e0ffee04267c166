package io.pocketproxy.testkit;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Minimal proxy clients over plain sockets, for assertions a full client would hide: the exact status
 * line and headers of an HTTP proxy's answer, the exact SOCKS5 reply code, and the exact bytes through.
 * Every socket has a read timeout, so no test can hang on a silent peer.
 */
public final class ProxyClients {

    private static final int TIMEOUT_MILLIS = 15_000;

    private ProxyClients() {}

    /** An HTTP answer's head: status, headers (lower-cased names), and the socket positioned at the body. */
    public record HttpHead(int status, Map<String, String> headers, Socket socket, InputStream in) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** Reads exactly a Content-Length body. */
        public byte[] body() throws IOException {
            int length = Integer.parseInt(header("content-length"));
            byte[] body = new byte[length];
            new DataInputStream(in).readFully(body);
            return body;
        }
    }

    public static Socket open(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        return socket;
    }

    public static String basic(String username, String password) {
        return "Basic "
                + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Sends {@code CONNECT target} with the credentials and reads the proxy's answer head. */
    public static HttpHead connect(int proxyPort, String username, String password, String target) throws IOException {
        return connect(proxyPort, username, password, target, Duration.ofMillis(TIMEOUT_MILLIS));
    }

    /** As {@link #connect(int, String, String, String)}, waiting up to {@code answerWithin} for the answer. */
    public static HttpHead connect(
            int proxyPort, String username, String password, String target, Duration answerWithin) throws IOException {
        Socket socket = open(proxyPort);
        socket.setSoTimeout(Math.toIntExact(answerWithin.toMillis()));
        String request = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
                + (username == null ? "" : "Proxy-Authorization: " + basic(username, password) + "\r\n") + "\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return readHead(socket, socket.getInputStream());
    }

    /** Sends an absolute-URI request to the proxy and reads the answer head. */
    public static HttpHead forward(
            int proxyPort, String username, String password, String method, String url, byte[] body)
            throws IOException {
        Socket socket = open(proxyPort);
        StringBuilder request = new StringBuilder(method + " " + url + " HTTP/1.1\r\n")
                .append("Host: ")
                .append(java.net.URI.create(url).getRawAuthority())
                .append("\r\n")
                .append("Proxy-Authorization: ")
                .append(basic(username, password))
                .append("\r\n");
        if (body != null) {
            request.append("Content-Length: ").append(body.length).append("\r\n");
        }
        request.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
        if (body != null) {
            out.write(body);
        }
        out.flush();
        return readHead(socket, socket.getInputStream());
    }

    /**
     * A plain {@code GET url} through the HTTP proxy; the answer's body (it must carry a Content-Length), or an
     * {@link IOException} naming the status when it is not 200.
     */
    public static String get(int proxyPort, String username, String password, String url) throws IOException {
        HttpHead answer = forward(proxyPort, username, password, "GET", url, null);
        try (Socket socket = answer.socket()) {
            if (answer.status() != 200) {
                throw new IOException(
                        "GET " + url + " through the proxy answered " + answer.status() + " " + answer.headers());
            }
            int length = Integer.parseInt(answer.header("Content-Length"));
            return new String(answer.in().readNBytes(length), StandardCharsets.UTF_8);
        }
    }

    /** Reads an HTTP/1.1 status line and headers, byte by byte so the body stays unread. */
    public static HttpHead readHead(Socket socket, InputStream in) throws IOException {
        String statusLine = readLine(in);
        if (statusLine == null) {
            throw new IOException("connection closed before an answer");
        }
        String[] parts = statusLine.split(" ", 3);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            headers.put(
                    line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    line.substring(colon + 1).strip());
        }
        return new HttpHead(Integer.parseInt(parts[1]), headers, socket, in);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    /** A SOCKS5 session after the CONNECT reply: the reply code, and the socket when it succeeded (code 0). */
    public record SocksResult(int authStatus, int reply, Socket socket) {}

    /**
     * RFC 1928 + 1929: greeting offering username/password, the credentials, then {@code CONNECT} to a
     * domain name (resolved by the proxy's side) or an IP literal.
     */
    public static SocksResult socks5(int proxyPort, String username, String password, String host, int port)
            throws IOException {
        Socket socket = open(proxyPort);
        OutputStream out = socket.getOutputStream();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        out.write(new byte[] {5, 1, 2});
        out.flush();
        if (in.readByte() != 5 || in.readByte() != 2) {
            socket.close();
            return new SocksResult(-1, -1, null);
        }
        out.write(socks5PasswordRequest(username, password));
        out.flush();
        in.readByte();
        int authStatus = in.readUnsignedByte();
        if (authStatus != 0) {
            socket.close();
            return new SocksResult(authStatus, -1, null);
        }
        out.write(socks5ConnectRequest(host, port));
        out.flush();
        in.readByte();
        int reply = in.readUnsignedByte();
        in.readByte();
        int addressType = in.readUnsignedByte();
        int addressLength = addressType == 1 ? 4 : addressType == 4 ? 16 : in.readUnsignedByte();
        in.readFully(new byte[addressLength + 2]);
        if (reply != 0) {
            socket.close();
            return new SocksResult(authStatus, reply, null);
        }
        return new SocksResult(authStatus, reply, socket);
    }

    /**
     * RFC 1928's greeting and RFC 1929's sign-in, and no more: the status the proxy answered the credentials with
     * (0 = accepted), or -1 when it closed the connection without answering them.
     */
    public static int socks5SignIn(int proxyPort, String username, String password) throws IOException {
        try (Socket socket = open(proxyPort)) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(new byte[] {5, 1, 2});
            out.flush();
            if (in.read() != 5 || in.read() != 2) {
                return -1;
            }
            out.write(socks5PasswordRequest(username, password));
            out.flush();
            int version = in.read();
            int status = in.read();
            return version == 1 ? status : -1;
        }
    }

    /** RFC 1929's username/password request. */
    public static byte[] socks5PasswordRequest(String username, String password) {
        byte[] user = username.getBytes(StandardCharsets.UTF_8);
        byte[] pass = password.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream auth = new ByteArrayOutputStream();
        auth.write(1);
        auth.write(user.length);
        auth.writeBytes(user);
        auth.write(pass.length);
        auth.writeBytes(pass);
        return auth.toByteArray();
    }

    /** RFC 1928's {@code CONNECT} to a domain name (resolved by the proxy's side) or an IP literal. */
    public static byte[] socks5ConnectRequest(String host, int port) {
        ByteArrayOutputStream command = new ByteArrayOutputStream();
        command.writeBytes(new byte[] {5, 1, 0});
        InetAddress literal = literal(host);
        if (literal == null) {
            byte[] name = host.getBytes(StandardCharsets.US_ASCII);
            command.write(3);
            command.write(name.length);
            command.writeBytes(name);
        } else {
            command.write(literal.getAddress().length == 4 ? 1 : 4);
            command.writeBytes(literal.getAddress());
        }
        command.write(port >> 8);
        command.write(port & 0xff);
        return command.toByteArray();
    }

    private static InetAddress literal(String host) {
        if (!host.matches("[0-9.]+") && !host.contains(":")) {
            return null;
        }
        try {
            return InetAddress.getByName(host);
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads until the peer closes (or {@code max} bytes), returning what came. */
    public static byte[] readAll(InputStream in, long max) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        try {
            for (int n = in.read(buffer); n >= 0 && all.size() < max; n = in.read(buffer)) {
                all.write(buffer, 0, n);
            }
        } catch (java.net.SocketException e) {
            // reset by the proxy after the cut-off: what arrived before is the answer
        }
        return all.toByteArray();
    }

    /**
     * Reads until the end or the cut-off, adding every byte that arrived to {@code received} as it arrives: what a
     * customer got before a relay cut it off, even when the cut-off is a reset.
     */
    public static void readCounting(InputStream in, AtomicLong received) {
        byte[] buffer = new byte[16 * 1024];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                received.addAndGet(n);
            }
        } catch (IOException e) {
            // cut off with a reset: what arrived before it counted
        }
    }

    /**
     * Writes {@code length} bytes into {@code tunnel} while reading what comes back into {@code received}, until the
     * far end ends it: a customer wanting more than its connection's limit, cut off by the relay. Bytes that arrived
     * before a reset count.
     */
    public static void exchangeUntilCut(Socket tunnel, int length, AtomicLong received)
            throws InterruptedException, IOException {
        OutputStream out = tunnel.getOutputStream();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                out.write(LocalHttpTarget.patternBytes(length));
            } catch (IOException e) {
                // cut off mid-write: expected
            }
        });
        readCounting(tunnel.getInputStream(), received);
        writer.join(10_000);
    }
}
