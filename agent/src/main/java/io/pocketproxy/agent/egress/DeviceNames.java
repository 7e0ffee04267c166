package io.pocketproxy.agent.egress;

import io.netty.channel.EventLoopGroup;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.pocketproxy.link.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * How the device resolves the names customers ask for. By default with the system's resolver (the JDK's, on resolver
 * threads: it blocks). When the agent is bound to an egress path or given {@code --dns} servers, the JDK cannot do it
 * (it cannot choose the address its queries leave from), so Netty's DNS client asks those servers (default: the
 * host's, from {@code /etc/resolv.conf}) from the path's current address.
 */
public abstract class DeviceNames implements AutoCloseable {

    /**
     * The addresses {@code host} resolves to; fails with {@link UnknownHostException} when it does not resolve, with
     * another exception when it cannot be resolved now.
     */
    public abstract CompletableFuture<List<InetAddress>> resolve(String host);

    @Override
    public void close() {}

    /** The JDK's resolver on these threads. */
    public static DeviceNames system(ExecutorService resolverThreads) {
        return new SystemNames(resolverThreads);
    }

    /** Netty's DNS client, its queries leaving from {@code path} to {@code servers} (empty: the host's). */
    public static DeviceNames bound(EventLoopGroup loops, EgressPath path, List<InetSocketAddress> servers) {
        return new BoundNames(loops, path, servers);
    }

    private static final class SystemNames extends DeviceNames {
        private final ExecutorService threads;

        SystemNames(ExecutorService threads) {
            this.threads = threads;
        }

        @Override
        public CompletableFuture<List<InetAddress>> resolve(String host) {
            CompletableFuture<List<InetAddress>> answer = new CompletableFuture<>();
            try {
                threads.execute(() -> {
                    try {
                        answer.complete(Arrays.asList(InetAddress.getAllByName(host)));
                    } catch (UnknownHostException | RuntimeException e) {
                        answer.completeExceptionally(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                answer.completeExceptionally(e); // the agent is stopping
            }
            return answer;
        }
    }

    private static final class BoundNames extends DeviceNames {
        private final EventLoopGroup loops;
        private final EgressPath path;
        private final DnsServerAddressStreamProvider servers;
        private final InetAddress serverFamily;
        private InetAddress boundTo;
        private DnsNameResolver resolver;

        BoundNames(EventLoopGroup loops, EgressPath path, List<InetSocketAddress> servers) {
            this.loops = loops;
            this.path = path;
            this.servers = servers.isEmpty()
                    ? DnsServerAddressStreamProviders.platformDefault()
                    : new SequentialDnsServerAddressStreamProvider(servers.toArray(new InetSocketAddress[0]));
            // The family of the first server decides the family of the address queries leave from.
            this.serverFamily = servers.isEmpty()
                    ? this.servers.nameServerAddressStream("").next().getAddress()
                    : servers.get(0).getAddress();
        }

        @Override
        public CompletableFuture<List<InetAddress>> resolve(String host) {
            CompletableFuture<List<InetAddress>> answer = new CompletableFuture<>();
            DnsNameResolver current;
            try {
                current = resolverForNow();
            } catch (IOException e) {
                answer.completeExceptionally(e);
                return answer;
            }
            current.resolveAll(host).addListener(done -> {
                if (done.isSuccess()) {
                    @SuppressWarnings("unchecked")
                    List<InetAddress> addresses = (List<InetAddress>) done.getNow();
                    answer.complete(addresses);
                } else {
                    Throwable cause = done.cause();
                    answer.completeExceptionally(
                            cause instanceof UnknownHostException ? cause : new UnknownHostException(host));
                }
            });
            return answer;
        }

        /** One resolver per local address: a modem that reconnected gets a new one, bound to its new address. */
        private synchronized DnsNameResolver resolverForNow() throws IOException {
            InetAddress local = path.localAddressFor(serverFamily);
            if (resolver != null && (local == null ? boundTo == null : local.equals(boundTo))) {
                return resolver;
            }
            if (resolver != null) {
                resolver.close();
            }
            DnsNameResolverBuilder builder = new DnsNameResolverBuilder(loops.next())
                    .datagramChannelType(Transport.datagramChannel())
                    .socketChannelType(Transport.socketChannel())
                    .nameServerProvider(servers)
                    .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                    .queryTimeoutMillis(5000);
            if (local != null) {
                builder.localAddress(new InetSocketAddress(local, 0));
            }
            resolver = builder.build();
            boundTo = local;
            return resolver;
        }

        @Override
        public synchronized void close() {
            if (resolver != null) {
                resolver.close();
            }
        }
    }
}
