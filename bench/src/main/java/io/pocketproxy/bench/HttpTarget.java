package io.pocketproxy.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The smallest HTTP/1.1 exchange the upload and time-to-first-byte figures need, both ends: the target
 * (in {@link TargetHost}) reads one request, reads and discards its body, and answers the body's length
 * with {@code Connection: close}; the client side writes a GET or a POST head and reads the answer.
 */
final class HttpTarget {

    private static final int MAX_HEAD = 64 * 1024;
    private static final int BUFFER = 256 * 1024;

    private HttpTarget() {}

    /** The target's side of one connection. */
    static void serve(Socket socket) throws IOException {
        InputStream in = new BufferedInputStream(socket.getInputStream(), BUFFER);
        String head = readHead(in);
        long length = contentLength(head);
        byte[] buffer = new byte[BUFFER];
        long read = 0;
        while (read < length) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - read));
            if (n < 0) {
                throw new IOException("request body ended after " + read + " of " + length + " bytes");
            }
            read += n;
        }
        String body = Long.toString(read);
        OutputStream out = socket.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                        + "\r\nConnection: close\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    static byte[] get() {
        return "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] postHead(long length) {
        return ("POST /up HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                        + length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** The client's side: the answer's body, after checking its status. */
    static String readAnswer(InputStream in) throws IOException {
        String head = readHead(in);
        if (!head.startsWith("HTTP/1.1 200 ")) {
            throw new IOException("target answered '" + head.lines().findFirst().orElse("") + "' (expected: 200)");
        }
        byte[] body = in.readNBytes((int) contentLength(head));
        return new String(body, StandardCharsets.US_ASCII);
    }

    /** Up to the blank line, byte by byte so that nothing of the body is consumed from an unbuffered stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0; // of "\r\n\r\n"
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.size() + " bytes of an HTTP head");
            }
            if (head.size() == MAX_HEAD) {
                throw new IOException("HTTP head longer than " + MAX_HEAD + " bytes");
            }
            head.write(b);
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static long contentLength(String head) {
        return head.lines()
                .filter(line -> line.toLowerCase(Locale.ROOT).startsWith("content-length:"))
                .mapToLong(line ->
                        Long.parseLong(line.substring(line.indexOf(':') + 1).strip()))
                .findFirst()
                .orElse(0);
    }
}
