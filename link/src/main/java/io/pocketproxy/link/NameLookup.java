package io.pocketproxy.link;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A name resolved on the device, over the link: the relay asks {@code GET /v1/resolve?name=example.com}
 * (HEADERS with END_STREAM), and the agent resolves it with the device's own resolver and answers in HEADERS
 * alone: {@code 200} with {@code pp-addresses: 93.184.215.14, 2606:2800:21f:cb07:6820:80da:af6b:8b2c},
 * or {@code 502} with {@code proxy-status: pocketproxy-agent; error=dns_error} when the name does not resolve
 * ({@code 400} for a name that is not one). This is how an OpenVPN customer's DNS is answered without a
 * query ever leaving the relay's own network.
 *
 * <p>Names are plain DNS host names (letters, digits, hyphens, underscores and dots), so they travel in the
 * path without escaping.
 */
public final class NameLookup {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,63}(\\.[A-Za-z0-9_-]{1,63})*\\.?");
    private static final int MAX_NAME = 253;
    private static final String QUERY = LinkProtocol.RESOLVE_PATH + "?name=";

    private NameLookup() {}

    public static boolean isValidName(String name) {
        return name != null
                && name.length() <= MAX_NAME + 1
                && NAME.matcher(name).matches();
    }

    /** The request's {@code :path} for {@code name}; call only with a {@link #isValidName valid} name. */
    public static String path(String name) {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("name: " + name + " (expected: a DNS host name)");
        }
        return QUERY + name;
    }

    /** The name a {@code :path} asks for, when it is a resolve request for a valid name. */
    public static Optional<String> nameOf(CharSequence path) {
        String text = String.valueOf(path);
        if (!text.startsWith(QUERY)) {
            return Optional.empty();
        }
        String name = text.substring(QUERY.length());
        return isValidName(name) ? Optional.of(name) : Optional.empty();
    }

    /** Whether a {@code :path} is a resolve request at all (valid name or not). */
    public static boolean isResolveRequest(CharSequence path) {
        String text = String.valueOf(path);
        return text.equals(LinkProtocol.RESOLVE_PATH) || text.startsWith(LinkProtocol.RESOLVE_PATH + "?");
    }

    /** The {@code pp-addresses} value: IP literals, comma-separated. */
    public static String format(List<InetAddress> addresses) {
        StringBuilder text = new StringBuilder();
        for (InetAddress address : addresses) {
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append(NetUtil.toAddressString(address));
        }
        return text.toString();
    }

    /** Reads a {@code pp-addresses} value; anything that is not an IP literal is left out. */
    public static List<InetAddress> parse(CharSequence value) {
        List<InetAddress> addresses = new ArrayList<>();
        if (value == null) {
            return addresses;
        }
        for (String part : value.toString().split(",")) {
            InetAddress address = NetUtil.createInetAddressFromIpAddressString(part.trim());
            if (address != null) {
                addresses.add(address);
            }
        }
        return addresses;
    }
}
