package io.pocketproxy.link;

import io.netty.util.NetUtil;
import java.util.Objects;
import java.util.Optional;

/**
 * A destination or listener address, {@code host:port}: the one parser and formatter of the project, so
 * the relay, the agent, pairing strings and the endpoints the API shows all follow the same rules.
 *
 * <ul>
 *   <li>{@code host} is a DNS name, an IPv4 literal or an IPv6 literal, kept without brackets;
 *   <li>in text an IPv6 literal is always bracketed ({@code [2001:db8::1]:443}): {@code ::1:80} is refused,
 *       because nobody can tell where its address ends;
 *   <li>{@code port} is 1 to 65535, written in plain decimal digits.
 * </ul>
 *
 * <p>A name is only checked for the characters a host name can have; whether it resolves, and to which
 * addresses, is decided where it is dialled ({@link PrivateAddresses} judges the addresses).
 */
public record HostAndPort(String host, int port) {

    /** The longest DNS name (RFC 1035), which also bounds what a SOCKS5 domain can carry. */
    private static final int MAX_NAME_LENGTH = 255;

    private static final byte SOCKS5_IPV4 = 0x01;
    private static final byte SOCKS5_DOMAIN = 0x03;
    private static final byte SOCKS5_IPV6 = 0x04;

    /** Refuses a host or port that {@link #parse} would refuse; an IPv6 host may come bracketed or bare. */
    public HostAndPort {
        Objects.requireNonNull(host, "host");
        host = checkHost(unbracketed(host));
        checkPort(port);
    }

    /**
     * Reads {@code host:port} or {@code [ipv6]:port}, as a CONNECT request target or a command-line option
     * carries it.
     *
     * @throws IllegalArgumentException naming the text and what was expected
     */
    public static HostAndPort parse(String authority) {
        if (authority == null || authority.isEmpty()) {
            throw new IllegalArgumentException("address: missing (expected: host:port)");
        }
        String shown = printable(authority);
        String host;
        String port;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("address: " + shown + " has no closing ']' (expected: [ipv6]:port)");
            }
            if (close + 1 >= authority.length() || authority.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("address: " + shown + " has no port (expected: [ipv6]:port)");
            }
            host = authority.substring(1, close);
            if (!NetUtil.isValidIpV6Address(host)) {
                throw new IllegalArgumentException(
                        "address: " + shown + " has no IPv6 address in its brackets (expected: [ipv6]:port)");
            }
            port = authority.substring(close + 2);
        } else {
            int colon = authority.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("address: " + shown + " has no port (expected: host:port)");
            }
            host = authority.substring(0, colon);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("address: " + shown
                        + " is ambiguous (expected: an IPv6 address in brackets, such as [2001:db8::1]:443)");
            }
            port = authority.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("address: " + shown + " has no host (expected: host:port)");
        }
        return new HostAndPort(host, parsePort(port, shown));
    }

    /** {@link #parse}, empty instead of an exception: for protocol input, where the caller answers 400. */
    public static Optional<HostAndPort> tryParse(String authority) {
        try {
            return Optional.of(parse(authority));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * A SOCKS5 request's destination (RFC 1928): its address type byte ({@code 0x01} IPv4, {@code 0x03}
     * domain, {@code 0x04} IPv6), address as text and port. Netty's {@code Socks5AddressType.byteValue()},
     * {@code dstAddr()} and {@code dstPort()} fit as they are.
     */
    public static HostAndPort ofSocks5(byte addressType, String address, int port) {
        Objects.requireNonNull(address, "address");
        boolean fits = switch (addressType) {
            case SOCKS5_IPV4 -> NetUtil.isValidIpV4Address(address);
            case SOCKS5_IPV6 -> NetUtil.isValidIpV6Address(unbracketed(address));
            case SOCKS5_DOMAIN -> !address.isEmpty();
            default ->
                throw new IllegalArgumentException(
                        "SOCKS5 address type: " + hex(addressType) + " (expected: 0x01, 0x03 or 0x04)");
        };
        if (!fits) {
            throw new IllegalArgumentException("SOCKS5 address: " + printable(address) + " does not match its type "
                    + hex(addressType) + " (expected: 0x01 with IPv4, 0x03 with a name, 0x04 with IPv6)");
        }
        return new HostAndPort(address, port);
    }

    /** {@code host:port}, with brackets around an IPv6 host, for any port including 0 (ask the system). */
    public static String format(String host, int port) {
        return bracketed(host) + ":" + port;
    }

    /** The host as it goes in a URL or before a port: an IPv6 literal in brackets, anything else as it is. */
    public static String bracketed(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** The host without the brackets a URL puts around an IPv6 literal. */
    public static String unbracketed(String host) {
        return host.length() >= 2 && host.startsWith("[") && host.endsWith("]")
                ? host.substring(1, host.length() - 1)
                : host;
    }

    /** Whether the host is an IP address rather than a name. */
    public boolean isIpLiteral() {
        return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
    }

    /** {@code host:port}, the form {@link #parse} reads back. */
    @Override
    public String toString() {
        return format(host, port);
    }

    private static String checkHost(String host) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host: empty (expected: a host name or an IP address)");
        }
        if (host.indexOf(':') >= 0) {
            // Netty's check takes anything after '%' as the zone (interface) id, control characters included;
            // such a host would travel on to logs and the device's CONNECT. A zone is an interface's name.
            int zone = host.indexOf('%');
            if (!NetUtil.isValidIpV6Address(host)
                    || (zone >= 0 && (zone == host.length() - 1 || forbiddenIn(host.substring(zone + 1)) >= 0))) {
                throw new IllegalArgumentException(
                        "host: " + printable(host) + " (expected: a host name or an IP address)");
            }
            return host;
        }
        if (host.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(
                    "host: " + host.length() + " characters (expected: at most " + MAX_NAME_LENGTH + ")");
        }
        int forbidden = forbiddenIn(host);
        if (forbidden >= 0) {
            throw new IllegalArgumentException("host: " + printable(host) + " has the character '"
                    + printable(String.valueOf(host.charAt(forbidden)))
                    + "' (expected: letters, digits, '-', '.' and '_')");
        }
        return host;
    }

    /** Where {@code name} has its first character that no host name has, or -1. */
    private static int forbiddenIn(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_';
            if (!allowed) {
                return i;
            }
        }
        return -1;
    }

    private static String hex(byte value) {
        return String.format("0x%02x", value & 0xff);
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
    }

    private static int parsePort(String text, String shown) {
        // Digits only: Integer.parseInt would also take "+80", and a long run of zeros is no port either.
        boolean digits = !text.isEmpty() && text.length() <= 5;
        for (int i = 0; digits && i < text.length(); i++) {
            digits = text.charAt(i) >= '0' && text.charAt(i) <= '9';
        }
        if (!digits) {
            throw new IllegalArgumentException(
                    "address: " + shown + " has no valid port (expected: host:port, port 1-65535)");
        }
        return Integer.parseInt(text);
    }

    /** Control characters shown escaped, so a hostile value cannot forge log lines or answers. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 300));
        for (int i = 0; i < text.length() && i < 300; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return text.length() > 300 ? out + "..." : out.toString();
    }
}
