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
import io.pocketproxy.link.stream.InboundHold;
import io.pocketproxy.relay.auth.AuthOutcome;
import io.pocketproxy.relay.auth.CustomerAuthenticator;
import io.pocketproxy.relay.auth.RetryAfter;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.tunnel.Completions;
import io.pocketproxy.relay.tunnel.HeadDeadline;
import io.pocketproxy.relay.tunnel.Tunnels;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The first step of an HTTP proxy customer: reads the request head, checks {@code Proxy-Authorization}
 * (off the event loop unless already known), then hands the request, and anything read after it, to the step
 * for its kind. What arrives during the check waits in an {@link InboundHold} in front of this step.
 */
final class HttpAuthorization extends ChannelInboundHandlerAdapter {

    private final CustomerAuthenticator authenticator;
    private final Tunnels tunnels;
    private HttpRequest head;

    HttpAuthorization(CustomerAuthenticator authenticator, Tunnels tunnels) {
        this.authenticator = authenticator;
        this.tunnels = tunnels;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (head != null || !(msg instanceof HttpRequest request)) {
            ReferenceCountUtil.release(msg); // nothing but the head reaches us: the hold keeps what follows it
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
        Optional<ProxyCredentials> credentials =
                ProxyCredentials.parse(request.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION));
        if (credentials.isEmpty()) {
            ProxyResponses.requireCredentials(ctx);
            return;
        }
        ctx.channel().config().setAutoRead(false);
        ctx.pipeline().addBefore(ctx.name(), Tunnels.HOLD, new InboundHold());
        if (HttpMethod.CONNECT.equals(request.method())) {
            // What follows a CONNECT head is the tunnel's first bytes, not HTTP: stop parsing now. The decoder hands
            // what it has left to the hold as it goes.
            ctx.pipeline().remove(HttpProxyInitializer.DECODER);
        }
        String address =
                ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
        Completions.then(
                ctx,
                authenticator.authenticate(
                        credentials.get().username(), credentials.get().password(), address, ctx.executor()),
                (outcome, never) -> decide(ctx, outcome));
    }

    private void decide(ChannelHandlerContext ctx, AuthOutcome<ConnectionRecord> outcome) {
        if (!ctx.channel().isActive()) {
            return;
        }
        switch (outcome) {
            case AuthOutcome.Accepted<ConnectionRecord> accepted -> {
                String authorization = head.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION);
                ChannelInboundHandlerAdapter next = HttpMethod.CONNECT.equals(head.method())
                        ? new ConnectTunnel(tunnels, accepted.account())
                        : new HttpForwarder(tunnels, accepted.account(), authorization);
                // The replaced context forwards to its replacement; what the hold kept follows when the next step
                // releases it.
                ctx.pipeline().replace(this, "proxy", next);
                ctx.fireChannelRead(head);
            }
            case AuthOutcome.Rejected<ConnectionRecord> rejected -> ProxyResponses.requireCredentials(discardHeld(ctx));
            case AuthOutcome.Throttled<ConnectionRecord> throttled ->
                ProxyResponses.throttled(discardHeld(ctx), RetryAfter.seconds(throttled.retryAfter()));
            case AuthOutcome.Busy<ConnectionRecord> busy ->
                ProxyResponses.busy(discardHeld(ctx), RetryAfter.seconds(busy.retryAfter()));
            case AuthOutcome.Unavailable<ConnectionRecord> unavailable -> ProxyResponses.unavailable(discardHeld(ctx));
        }
    }

    private static ChannelHandlerContext discardHeld(ChannelHandlerContext ctx) {
        InboundHold hold = ctx.pipeline().get(InboundHold.class);
        if (hold != null) {
            hold.discard();
            ctx.pipeline().remove(hold);
        }
        return ctx;
    }
}
