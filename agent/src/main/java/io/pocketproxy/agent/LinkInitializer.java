package io.pocketproxy.agent;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.LinkFeature;
import io.pocketproxy.link.LinkProtocol;
import io.pocketproxy.link.NetworkErrors;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The agent's side of a link, from TCP to HTTP/2: TLS with the relay's pinned certificate, then
 * {@code GET /v1/link} with the device token, then, on {@code 101}, the HTTP/2 server that serves the
 * relay's streams.
 */
final class LinkInitializer extends ChannelInitializer<SocketChannel> {

    /** Why a link ended, as the agent tells the operator in its log. */
    record Outcome(String reason) {}

    static final AttributeKey<Outcome> OUTCOME = AttributeKey.valueOf("pocketproxy.link.outcome");

    private final AgentConfig config;
    private final HostAndPort relay;
    private final SslContext ssl;
    private final StreamRouter router;
    private final Consumer<Set<LinkFeature>> onLinked;

    /** {@code onLinked} hears what the relay agreed to use beyond the first protocol. */
    LinkInitializer(
            AgentConfig config,
            HostAndPort relay,
            SslContext ssl,
            StreamRouter router,
            Consumer<Set<LinkFeature>> onLinked) {
        this.config = config;
        this.relay = relay;
        this.ssl = ssl;
        this.router = router;
        this.onLinked = onLinked;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("tls", ssl.newHandler(channel.alloc(), relay.host(), relay.port()));
        // The relay pings every interval; silence for longer than the pings it may miss means the link is dead.
        long silence = config.link().pingInterval().toMillis() * (config.link().missedPingsAllowed() + 1);
        pipeline.addLast("idle", new IdleStateHandler(silence, 0, 0, TimeUnit.MILLISECONDS));
        pipeline.addLast("http", new HttpClientCodec());
        pipeline.addLast("handshake", new Handshake());
    }

    private final class Handshake extends SimpleChannelInboundHandler<HttpObject> {
        private HttpResponse response;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            FullHttpRequest request =
                    new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, LinkProtocol.LINK_PATH);
            request.headers()
                    .set(HttpHeaderNames.HOST, relay.toString())
                    .set(HttpHeaderNames.AUTHORIZATION, "Bearer " + config.deviceToken())
                    .set(HttpHeaderNames.UPGRADE, LinkProtocol.UPGRADE_TOKEN)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                    .set(HttpHeaderNames.USER_AGENT, "pocketproxy-agent/" + Agent.VERSION);
            if (!config.features().isEmpty()) {
                request.headers().set(LinkFeature.HEADER, LinkFeature.format(config.features()));
            }
            ctx.writeAndFlush(request);
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
            if (message instanceof HttpResponse head) {
                response = head;
            }
            if (!(message instanceof LastHttpContent) || response == null) {
                return;
            }
            if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()
                    && LinkProtocol.UPGRADE_TOKEN.equalsIgnoreCase(
                            response.headers().get(HttpHeaderNames.UPGRADE))) {
                // What the relay names and we offered: a relay never widens the list, and we never trust it to.
                upgrade(
                        ctx,
                        LinkFeature.agreed(
                                LinkFeature.parse(response.headers().get(LinkFeature.HEADER)), config.features()));
            } else {
                end(ctx, refusal(response.status()));
            }
        }

        private void upgrade(ChannelHandlerContext ctx, Set<LinkFeature> agreed) {
            ChannelPipeline pipeline = ctx.pipeline();
            // The HTTP/2 codec writes its preface as soon as it is added: the HTTP/1.1 encoder must let it through.
            ((HttpClientCodec) pipeline.get("http")).prepareUpgradeFrom(ctx);
            Http2FrameCodec codec = config.link().agentCodec();
            pipeline.addAfter(ctx.name(), "h2", codec);
            pipeline.addAfter("h2", "streams", new Http2MultiplexHandler(router));
            pipeline.addAfter("streams", "link-events", new LinkEvents());
            pipeline.remove(this);
            // Removing the HTTP/1.1 codec hands any bytes it already read (the relay's preface) to HTTP/2.
            pipeline.remove("http");
            config.link().widenLinkWindow(codec, ctx.channel());
            onLinked.accept(agreed);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent) {
                end(ctx, "relay did not answer the link request");
                return;
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            end(ctx, "link handshake with the relay failed: " + cause.getMessage());
        }
    }

    /** After the upgrade: notices a dead link and records why the link ended. */
    private static final class LinkEvents extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2GoAwayFrame) {
                ctx.channel().attr(OUTCOME).setIfAbsent(new Outcome("relay is closing the link"));
            }
            // SETTINGS, PING and GOAWAY were handled by the codec; nothing else reads connection-level frames.
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent) {
                end(ctx, "relay silent for too long (missed pings)");
                return;
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            end(
                    ctx,
                    NetworkErrors.isExpected(cause)
                            ? "link to relay lost: " + cause.getMessage()
                            : "link to relay failed: " + cause);
        }
    }

    private static String refusal(HttpResponseStatus status) {
        return switch (status.code()) {
            case 401 -> "relay refused the device token (401): the device was deleted, or the pairing string is wrong";
            case 403 -> "relay refused this device (403)";
            default -> "relay answered the link request with " + status;
        };
    }

    private static void end(ChannelHandlerContext ctx, String reason) {
        ctx.channel().attr(OUTCOME).setIfAbsent(new Outcome(reason));
        ctx.close();
    }
}
