package io.pocketproxy.agent;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.ReferenceCountUtil;
import io.pocketproxy.agent.egress.DeviceNames;
import io.pocketproxy.link.LinkProtocol;
import io.pocketproxy.link.NameLookup;
import io.pocketproxy.link.ProxyStatusError;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Serves one {@code GET /v1/resolve?name=NAME} stream ({@link NameLookup}): resolves the name with the device's
 * own resolver, on a resolver thread, and answers in HEADERS alone. Every address is returned as the device's
 * DNS gave it; whether a connection to one is allowed is decided when it is dialled.
 */
final class ResolveRequest extends ChannelInboundHandlerAdapter {

    private final DeviceNames names;
    private final CharSequence path;

    ResolveRequest(DeviceNames names, CharSequence path) {
        this.names = names;
        this.path = path;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Optional<String> name = NameLookup.nameOf(path);
        if (!name.isPresent()) {
            answer(ctx, new DefaultHttp2Headers().status("400"));
            return;
        }
        names.resolve(name.get()).whenComplete((addresses, failure) -> {
            Http2Headers headers;
            if (failure == null) {
                headers = new DefaultHttp2Headers().status("200");
                headers.set(LinkProtocol.ADDRESSES, NameLookup.format(addresses));
            } else if (failure instanceof UnknownHostException) {
                headers = error(ProxyStatusError.DNS_ERROR);
            } else {
                headers = error(ProxyStatusError.PROXY_INTERNAL_ERROR); // the agent is stopping, the path is gone
            }
            ctx.executor().execute(() -> answer(ctx, headers));
        });
    }

    private static Http2Headers error(ProxyStatusError error) {
        Http2Headers headers = new DefaultHttp2Headers().status(Integer.toString(error.httpStatus()));
        headers.set(LinkProtocol.PROXY_STATUS, error.headerValue(LinkProtocol.AGENT_PROXY_NAME));
        return headers;
    }

    private static void answer(ChannelHandlerContext ctx, Http2Headers headers) {
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg); // the request has no body
    }
}
