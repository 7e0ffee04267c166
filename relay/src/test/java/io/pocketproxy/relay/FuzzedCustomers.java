package io.pocketproxy.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.link.DeviceLinks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The relay's customer side for fuzz targets, answering every sign-in on the caller's thread so that a whole
 * exchange runs on an {@code EmbeddedChannel}: one customer, {@value #USERNAME}, is signed in already (the
 * verified cache answers), and the directory is unreachable, so any other name is answered "try again later"
 * at once, as during a database outage. No device is linked. A wrong password for {@value #USERNAME} would
 * go to bcrypt on the hashing pool, off the channel's thread, which an {@code EmbeddedChannel} cannot wait
 * for: {@link #withoutTheKnownName} keeps fuzzed bytes from naming it.
 */
public final class FuzzedCustomers {

    public static final String USERNAME = "alice";
    public static final String PASSWORD = "correct horse";

    private static final byte[] NAME = USERNAME.getBytes(StandardCharsets.US_ASCII);

    private final RelayParts parts = new RelayParts(DeviceLinks.standalone(), 10, Duration.ofMinutes(5));
    private final List<ByteBuf> sent = new ArrayList<>();

    public FuzzedCustomers(ConnectionType type) {
        parts.directory().add(USERNAME, PASSWORD, type, UUID.randomUUID(), 0, 0);
        parts.signInOnce(USERNAME, PASSWORD);
        parts.directory().unreachable(true);
    }

    public RelayParts parts() {
        return parts;
    }

    /** A new customer connection through {@code initializer}. */
    public CustomerChannel connect(ChannelHandler initializer) {
        return new CustomerChannel(initializer);
    }

    /**
     * One whole exchange through {@code initializer}, untimed, for a fuzz target to run before its first input. The
     * first use of a path loads its classes, and while fuzzing Jazzer instruments each one as it loads: that took
     * 5.7 s for one input on a busy machine, and a target that times its inputs (no wait on the customer's thread)
     * must not blame the relay for it.
     */
    public void warmUp(ChannelHandler initializer, byte[]... reads) {
        CustomerChannel customer = connect(initializer);
        for (byte[] read : reads) {
            send(customer, read);
        }
        customer.answered();
        customer.finishAndReleaseAll();
        releasedAllSent();
    }

    /** Sends {@code bytes} as the customer's next read, if the relay is still listening; remembers the buffer. */
    public void send(CustomerChannel customer, byte[] bytes) {
        if (!customer.isOpen() || bytes.length == 0) {
            return;
        }
        ByteBuf buffer = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        sent.add(buffer);
        customer.writeInbound(buffer);
    }

    /** Whether every buffer sent so far has been released, by the relay or by closing the channel. */
    public boolean releasedAllSent() {
        boolean released = sent.stream().allMatch(buffer -> buffer.refCnt() == 0);
        sent.clear();
        return released;
    }

    /** {@code bytes} with every occurrence of {@code marker} altered, so they cannot name the signed-in customer. */
    public static byte[] withoutTheKnownName(byte[] bytes) {
        return without(bytes, NAME);
    }

    public static byte[] without(byte[] bytes, byte[] marker) {
        byte[] out = bytes.clone();
        for (int i = 0; i + marker.length <= out.length; i++) {
            boolean match = true;
            for (int j = 0; j < marker.length && match; j++) {
                match = out[i + j] == marker[j];
            }
            if (match) {
                out[i + marker.length - 1] ^= 0x01;
            }
        }
        return out;
    }
}
