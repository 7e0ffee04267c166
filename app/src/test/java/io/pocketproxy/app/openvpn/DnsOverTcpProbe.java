package io.pocketproxy.app.openvpn;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks one {@code A} question over TCP (RFC 1035 4.2.2, as resolvers do for large answers) and prints the
 * response code and the addresses: {@code rcode=0 10.250.3.1}. Run in the customer's namespace by the tests.
 */
public final class DnsOverTcpProbe {

    private DnsOverTcpProbe() {}

    public static void main(String[] args) throws Exception {
        ByteArrayOutputStream query = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(query);
        out.writeShort(0x1234); // id
        out.writeShort(0x0100); // recursion desired
        out.writeShort(1); // one question
        out.writeShort(0);
        out.writeShort(0);
        out.writeShort(0);
        for (String label : args[1].split("\\.")) {
            out.writeByte(label.length());
            out.write(label.getBytes(StandardCharsets.US_ASCII));
        }
        out.writeByte(0);
        out.writeShort(1); // A
        out.writeShort(1); // IN
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(args[0], 53), 5000);
            socket.setSoTimeout(5000);
            DataOutputStream request = new DataOutputStream(socket.getOutputStream());
            request.writeShort(query.size());
            request.write(query.toByteArray());
            request.flush();
            DataInputStream response = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[response.readUnsignedShort()];
            response.readFully(answer);
            System.out.println(describe(ByteBuffer.wrap(answer)));
        }
    }

    private static String describe(ByteBuffer answer) throws Exception {
        int id = answer.getShort() & 0xffff;
        int flags = answer.getShort() & 0xffff;
        int questions = answer.getShort() & 0xffff;
        int answers = answer.getShort() & 0xffff;
        answer.getShort();
        answer.getShort();
        for (int i = 0; i < questions; i++) {
            skipName(answer);
            answer.getInt(); // type, class
        }
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < answers; i++) {
            skipName(answer);
            int type = answer.getShort() & 0xffff;
            answer.getShort(); // class
            answer.getInt(); // ttl
            byte[] data = new byte[answer.getShort() & 0xffff];
            answer.get(data);
            if (type == 1) {
                addresses.add(InetAddress.getByAddress(data).getHostAddress());
            }
        }
        return "id=" + Integer.toHexString(id) + " rcode=" + (flags & 0xf) + " " + String.join(" ", addresses);
    }

    private static void skipName(ByteBuffer buffer) {
        while (true) {
            int length = buffer.get() & 0xff;
            if (length == 0) {
                return;
            }
            if ((length & 0xc0) == 0xc0) {
                buffer.get(); // a pointer ends the name
                return;
            }
            buffer.position(buffer.position() + length);
        }
    }
}
