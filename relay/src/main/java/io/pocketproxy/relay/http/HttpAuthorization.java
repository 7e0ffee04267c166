package io.pocketproxy.relay.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.pocketproxy.relay.auth.AuthOutcome;
import io.pocketproxy.relay.auth.CustomerAuthenticator;
import io.pocketproxy.relay.tunnel.HeadDeadline;
import io.pocketproxy.relay.tunnel.Tunnels;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The first step of an HTTP proxy customer: reads the request head, checks {@code Proxy-Authorization}
 * (off the event loop), then hands the request, and anything read after it, to the step for its kind.
 */
final class HttpAuthorization extends ChannelInboundHandlerAdapter {

    private final CustomerAuthenticator authenticator;
    private final Tunnels tunnels;
    private final List<Object> held = new ArrayList<>();
    private HttpRequest head;

    HttpAuthorization(CustomerAuthenticator authenticator, Tunnels tunnels) {
        this.authenticator = authenticator;
        this.tunnels = tunnels;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (head != null) {
            held.add(msg); // body or tunnel bytes that came with the head: passed on after the check
            return;
        }
        if (!(msg instanceof HttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!request.decoderResult().isSuccess()) {
            Throwable cause = request.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongHttpLineException
                    ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongFrameException
                            ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                            : HttpResponseStatus.BAD_REQUEST;
            ReferenceCountUtil.release(msg);
            ProxyResponses.badRequest(ctx, status, "malformed or oversized request head");
            return;
        }
        head = request;
        HeadDeadline.met(ctx);
        if (HttpMethod.CONNECT.equals(request.method())) {
            // What follows a CONNECT head is the tunnel's first bytes, not HTTP: stop parsing now.
            ctx.pipeline().remove(HttpProxyInitializer.DECODER);
        }
        Optional<ProxyCredentials> credentials =
                ProxyCredentials.parse(request.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION));
        if (credentials.isEmpty()) {
            ProxyResponses.requireCredentials(ctx);
            return;
        }
        ctx.channel().config().setAutoRead(false);
        String address =
                ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
        authenticator
                .authenticate(credentials.get().username(), credentials.get().password(), address)
                .whenComplete((outcome, error) -> ctx.executor().execute(() -> decide(ctx, outcome, error)));
    }

    private void decide(ChannelHandlerContext ctx, AuthOutcome outcome, Throwable error) {
        if (!ctx.channel().isActive()) {
            release();
            return;
        }
        if (error != null || outcome instanceof AuthOutcome.Rejected) {
            release();
            ProxyResponses.requireCredentials(ctx);
        } else if (outcome instanceof AuthOutcome.Throttled throttled) {
            release();
            ProxyResponses.throttled(ctx, Math.max(1, throttled.retryAfter().toSeconds()));
        } else if (outcome instanceof AuthOutcome.Accepted accepted) {
            String authorization = head.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION);
            ChannelInboundHandlerAdapter next = HttpMethod.CONNECT.equals(head.method())
                    ? new ConnectTunnel(tunnels, accepted.connection())
                    : new HttpForwarder(tunnels, accepted.connection(), authorization);
            List<Object> after = new ArrayList<>(held);
            held.clear();
            // The replaced context forwards to its replacement: the request and what came with it go on, in order.
            ctx.pipeline().replace(this, "proxy", next);
            ctx.fireChannelRead(head);
            after.forEach(ctx::fireChannelRead);
        }
    }

    private void release() {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }
}
