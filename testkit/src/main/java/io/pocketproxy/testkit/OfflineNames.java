package io.pocketproxy.testkit;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The JVM's name resolver for tests, which can be told to stay off the network: while {@link #close closed}
 * (a fuzz target feeding arbitrary names to code that resolves them), a name is answered from {@link #NAMES}
 * or not at all, so no fuzzed name becomes a DNS query. Open (the default), it is the system's resolver.
 * IP literals never reach a resolver: the JDK reads them itself, which is exactly what fuzz targets must see.
 */
public final class OfflineNames extends InetAddressResolverProvider {

    /** The names a closed resolver knows: one pointing inward, one outward, as a DNS name might. */
    public static final Map<String, String> NAMES = Map.of(
            "localhost", "127.0.0.1",
            "inward.pocketproxy.test", "10.0.0.7",
            "inward6.pocketproxy.test", "fd00::7",
            "outward.pocketproxy.test", "93.184.215.14");

    private static volatile boolean closed;

    /** From now on, names not in {@link #NAMES} do not resolve and no query leaves the JVM. */
    public static void close() {
        closed = true;
    }

    /** Back to the system's resolver. */
    public static void open() {
        closed = false;
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver system = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (!closed) {
                    return system.lookupByName(host, policy);
                }
                String address = NAMES.get(host.toLowerCase(Locale.ROOT));
                if (address == null) {
                    throw new UnknownHostException(host + " (offline resolver: not in OfflineNames.NAMES)");
                }
                return Stream.of(InetAddress.getByAddress(host, NetUtil.createByteArrayFromIpAddressString(address)));
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                if (closed) {
                    throw new UnknownHostException("offline resolver: no reverse lookups");
                }
                return system.lookupByAddress(address);
            }
        };
    }

    @Override
    public String name() {
        return "pocketproxy-offline-names";
    }
}
