package io.pocketproxy.agent;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.ReferenceCountUtil;
import io.pocketproxy.link.LinkProtocol;
import io.pocketproxy.link.NameLookup;
import io.pocketproxy.link.ProxyStatusError;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * Serves one {@code GET /v1/resolve?name=NAME} stream ({@link NameLookup}): resolves the name with the device's
 * own resolver, on a resolver thread, and answers in HEADERS alone. Every address is returned as the device's
 * DNS gave it; whether a connection to one is allowed is decided when it is dialled.
 */
final class ResolveRequest extends ChannelInboundHandlerAdapter {

    private final ExecutorService resolver;
    private final CharSequence path;

    ResolveRequest(ExecutorService resolver, CharSequence path) {
        this.resolver = resolver;
        this.path = path;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Optional<String> name = NameLookup.nameOf(path);
        if (!name.isPresent()) {
            answer(ctx, new DefaultHttp2Headers().status("400"));
            return;
        }
        try {
            resolver.execute(() -> {
                Http2Headers headers;
                try {
                    List<InetAddress> addresses = Arrays.asList(InetAddress.getAllByName(name.get()));
                    headers = new DefaultHttp2Headers().status("200");
                    headers.set(LinkProtocol.ADDRESSES, NameLookup.format(addresses));
                } catch (UnknownHostException e) {
                    headers = error(ProxyStatusError.DNS_ERROR);
                }
                Http2Headers answer = headers;
                ctx.executor().execute(() -> answer(ctx, answer));
            });
        } catch (RejectedExecutionException e) {
            answer(ctx, error(ProxyStatusError.PROXY_INTERNAL_ERROR)); // the agent is stopping
        }
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
