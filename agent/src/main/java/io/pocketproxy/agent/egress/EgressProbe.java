package io.pocketproxy.agent.egress;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.NetUtil;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Asks a "what is my IP" service which address it sees: one short HTTP/1.1 {@code GET} on a connection of its own,
 * opened like the device's customer connections, so the answer is the address websites see. The service is the
 * relay's link port ({@code GET /v1/address}, over the link's pinned TLS) or an operator's {@code --egress-ip-url}
 * (any plain-text echo, such as {@code https://api.ipify.org}). The answer must be one IP address and nothing else.
 */
public final class EgressProbe {

    private static final InetAddress IPV4_ANY = NetUtil.LOCALHOST4;

    /** An answer longer than this is not an address. */
    private static final int MAX_ANSWER = 256;

    private final EventLoopGroup group;
    private final EgressPath path;
    private final Duration timeout;

    /** Measures from {@code path}: the answer is the address customers' connections leave from. */
    public EgressProbe(EventLoopGroup group, EgressPath path, Duration timeout) {
        this.group = group;
        this.path = path;
        this.timeout = timeout;
    }

    /** Where to ask: {@code host:port}, the request path, and TLS for it ({@code null} for plain HTTP). */
    public record Service(HostAndPort address, String path, SslContext tls) {

        /**
         * An {@code http://} or {@code https://} URL (the latter checked against the system's certificate
         * authorities).
         *
         * @throws IllegalArgumentException saying what is wrong with it
         */
        public static Service ofUrl(String url) {
            URI uri;
            try {
                uri = new URI(url.trim());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(url + " is not a URL (" + e.getReason() + ")");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException(url + ": expected an http:// or https:// URL");
            }
            if (uri.getHost() == null || uri.getUserInfo() != null) {
                throw new IllegalArgumentException(url + ": expected a host and no user name (http://host/path)");
            }
            boolean tls = scheme.equals("https");
            int port = uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort();
            String host = uri.getHost().startsWith("[")
                    ? uri.getHost().substring(1, uri.getHost().length() - 1)
                    : uri.getHost();
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            if (uri.getRawQuery() != null) {
                path += "?" + uri.getRawQuery();
            }
            try {
                return new Service(
                        new HostAndPort(host, port),
                        path,
                        tls
                                ? SslContextBuilder.forClient()
                                        .endpointIdentificationAlgorithm("HTTPS")
                                        .build()
                                : null);
            } catch (SSLException e) {
                throw new IllegalStateException("cannot set up TLS for " + url, e);
            }
        }
    }

    /** The IP address the service saw this connection come from; fails with a sentence saying why not. */
    public CompletableFuture<String> measure(Service service) {
        CompletableFuture<String> answer = new CompletableFuture<>();
        HostAndPort address = service.address();
        Bootstrap bootstrap = new Bootstrap();
        try {
            // A name is looked up by the system as it connects; its family, IPv4 unless it is an IPv6 literal.
            InetAddress literal = NetUtil.createInetAddressFromIpAddressString(address.host());
            InetAddress local = path.localAddressFor(literal != null ? literal : IPV4_ANY);
            if (local != null) {
                bootstrap.localAddress(new InetSocketAddress(local, 0));
            }
        } catch (IOException e) {
            answer.completeExceptionally(e);
            return answer;
        }
        bootstrap
                .group(group)
                .channel(Transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (service.tls() != null) {
                            channel.pipeline()
                                    .addLast(service.tls().newHandler(channel.alloc(), address.host(), address.port()));
                        }
                        channel.pipeline()
                                .addLast(new ReadTimeoutHandler(timeout.toMillis(), TimeUnit.MILLISECONDS))
                                .addLast(new HttpClientCodec())
                                .addLast(new HttpObjectAggregator(MAX_ANSWER))
                                .addLast(new AnswerReader(answer));
                    }
                });
        bootstrap.connect(address.host(), address.port()).addListener((ChannelFutureListener) connected -> {
            if (!connected.isSuccess()) {
                answer.completeExceptionally(new IllegalStateException(
                        "cannot reach " + address + ": " + connected.cause().getMessage()));
                return;
            }
            Channel channel = connected.channel();
            DefaultFullHttpRequest request =
                    new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, service.path());
            request.headers()
                    .set(HttpHeaderNames.HOST, address.toString())
                    .set(HttpHeaderNames.ACCEPT, "text/plain")
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            channel.writeAndFlush(request);
            channel.closeFuture()
                    .addListener(closed -> answer.completeExceptionally(
                            new IllegalStateException(address + " closed the connection without an answer")));
        });
        return answer;
    }

    /** Reads the one answer, checks it is an IP address, closes. */
    private static final class AnswerReader extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final CompletableFuture<String> answer;

        AnswerReader(CompletableFuture<String> answer) {
            this.answer = answer;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            String body = response.content().toString(StandardCharsets.UTF_8).trim();
            if (response.status().code() != 200) {
                answer.completeExceptionally(new IllegalStateException("answered " + response.status()));
            } else {
                InetAddress ip = NetUtil.createInetAddressFromIpAddressString(body);
                if (ip == null) {
                    answer.completeExceptionally(new IllegalStateException("answered something that is not an IP"
                            + " address: " + (body.length() > 40 ? body.substring(0, 40) + "…" : body)));
                } else {
                    answer.complete(NetUtil.toAddressString(ip));
                }
            }
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            String why = cause instanceof ReadTimeoutException
                    ? "no answer in time"
                    : cause.getMessage() == null ? cause.toString() : cause.getMessage();
            answer.completeExceptionally(new IllegalStateException(why, cause));
            ctx.close();
        }
    }
}
