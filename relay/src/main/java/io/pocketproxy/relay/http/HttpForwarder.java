package io.pocketproxy.relay.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.stream.InboundHold;
import io.pocketproxy.link.stream.Pipe;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.tunnel.Completions;
import io.pocketproxy.relay.tunnel.Refusal;
import io.pocketproxy.relay.tunnel.Tunnel;
import io.pocketproxy.relay.tunnel.Tunnels;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Optional;

/**
 * Plain {@code http://} requests in absolute form: each is rewritten to origin form and sent through a
 * device stream to its origin; the response comes back as it arrives. Requests go one at a time; while
 * they go to the same origin the stream is kept, so keep-alive works end to end. Bodies stream both ways
 * (chunked or not) and never faster than the other side can take them. The customer's channel and the
 * stream share the device link's event loop, so both halves are plain calls on one thread.
 */
final class HttpForwarder extends ChannelInboundHandlerAdapter {

    /** Hop-by-hop headers (RFC 9110 7.6.1) and the proxy's own: they end here. */
    private static final List<CharSequence> HOP_BY_HOP = List.of(
            HttpHeaderNames.PROXY_AUTHORIZATION,
            "proxy-connection",
            HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER,
            HttpHeaderNames.UPGRADE,
            HttpHeaderNames.PROXY_AUTHENTICATE);

    private final Tunnels tunnels;
    private final ConnectionRecord connection;
    private final String authorization;
    private ChannelHandlerContext ctx;
    private Http2StreamChannel stream;
    private HostAndPort streamOrigin;
    private boolean requestInProgress;
    /** From a request's head until its final response's head: while nothing of the answer went out yet. */
    private boolean awaitingResponse;

    private boolean closeAfterResponse;

    HttpForwarder(Tunnels tunnels, ConnectionRecord connection, String authorization) {
        this.tunnels = tunnels;
        this.connection = connection;
        this.authorization = authorization;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            startRequest(request);
        }
        if (msg instanceof HttpContent content) {
            forwardBody(content);
        } else if (!(msg instanceof HttpRequest)) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void startRequest(HttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            ProxyResponses.badRequest(ctx, HttpResponseStatus.BAD_REQUEST, "malformed request");
            return;
        }
        if (!authorization.equals(request.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION))) {
            // One identity per customer connection: a different one must sign in on a connection of its own.
            ProxyResponses.requireCredentials(ctx);
            return;
        }
        Optional<String> framing = framingHeaderNamedByConnection(request.headers());
        if (framing.isPresent()) {
            ProxyResponses.badRequest(
                    ctx,
                    HttpResponseStatus.BAD_REQUEST,
                    "Connection names " + framing.get()
                            + " (expected: Connection never names Content-Length or Transfer-Encoding)");
            return;
        }
        URI target;
        try {
            target = new URI(request.uri());
        } catch (URISyntaxException e) {
            ProxyResponses.badRequest(ctx, HttpResponseStatus.BAD_REQUEST, "request target is not a URI");
            return;
        }
        if (HttpMethod.CONNECT.equals(request.method())
                || !"http".equalsIgnoreCase(target.getScheme())
                || target.getHost() == null) {
            ProxyResponses.badRequest(
                    ctx,
                    HttpResponseStatus.BAD_REQUEST,
                    "this is a proxy: send http://host/path requests, or CONNECT host:port for anything else");
            return;
        }
        HostAndPort origin;
        try {
            origin = new HostAndPort(target.getHost(), target.getPort() > 0 ? target.getPort() : 80);
        } catch (IllegalArgumentException e) {
            ProxyResponses.badRequest(ctx, HttpResponseStatus.BAD_REQUEST, "request target " + e.getMessage());
            return;
        }
        rewrite(request, target);
        requestInProgress = true;
        awaitingResponse = true;
        closeAfterResponse = !HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(request, true);
        if (stream != null && stream.isActive() && origin.equals(streamOrigin)) {
            stream.write(request, stream.voidPromise());
            return; // flushed with the body, at read-complete
        }
        if (stream != null) {
            stream.close(); // another origin: its stream is of no use now
            stream = null;
        }
        streamOrigin = origin;
        // The body that follows waits in the tunnel's hold until the stream is there.
        Completions.then(ctx, tunnels.open(connection, ConnectionType.HTTP, origin, ctx), (tunnel, refusal) -> {
            if (refusal != null) {
                ProxyResponses.refuse(ctx, Refusal.from(refusal));
            } else {
                opened(tunnel, request);
            }
        });
    }

    private void opened(Tunnel tunnel, HttpRequest request) {
        Http2StreamChannel opened = tunnel.stream();
        stream = opened;
        opened.pipeline().addLast("http", new HttpClientCodec());
        opened.pipeline().addLast("response", new ResponseRelay());
        opened.pipeline().remove(InboundHold.class);
        opened.closeFuture().addListener(closed -> streamEnded(opened));
        opened.write(request, opened.voidPromise());
        // The body read meanwhile follows its head through channelRead; the hold's read-complete flushes it.
        ctx.pipeline().remove(InboundHold.class);
        opened.flush();
        opened.config().setAutoRead(ctx.channel().isWritable());
        opened.read();
        resumeReadingIfPossible();
    }

    private void forwardBody(HttpContent content) {
        if (!requestInProgress || stream == null) {
            content.release();
            return;
        }
        stream.write(content, stream.voidPromise());
        if (!stream.isWritable()) {
            ctx.channel().config().setAutoRead(false); // the stream's writability turns it on again
        }
        if (content instanceof LastHttpContent) {
            requestInProgress = false;
            stream.flush();
            // The next request waits until this response is complete: one at a time.
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (stream != null) {
            stream.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (stream != null) {
            // The response reads only while the customer can take it.
            stream.config().setAutoRead(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (stream != null) {
            stream.close();
        }
        ctx.fireChannelInactive();
    }

    private void resumeReadingIfPossible() {
        if (requestInProgress && stream != null && stream.isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void responseComplete() {
        if (closeAfterResponse) {
            Pipe.closeOnFlush(ctx.channel());
        } else {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void streamEnded(Http2StreamChannel ended) {
        if (ended != stream) {
            return;
        }
        stream = null;
        ResponseRelay relay = ended.pipeline().get(ResponseRelay.class);
        boolean midResponse = relay != null && relay.midResponse;
        if (awaitingResponse) {
            // Nothing of the answer reached the customer yet, so it can still be told why there will be none,
            // rather than be left waiting for its idle timeout.
            awaitingResponse = false;
            requestInProgress = false;
            if (ended.parent() != null && !ended.parent().isActive()) {
                ProxyResponses.refuse(ctx, Refusal.of(Refusal.Reason.DEVICE_OFFLINE));
            } else {
                ProxyResponses.noAnswer(ctx);
            }
        } else if (requestInProgress || midResponse) {
            Pipe.closeOnFlush(ctx.channel());
        }
    }

    /**
     * The framing header ({@code Content-Length}, {@code Transfer-Encoding}) a {@code Connection} header names, if
     * any. Removing it as hop-by-hop would forward the body without its framing, and the origin would read it as
     * a request of its own (request smuggling).
     */
    private static Optional<String> framingHeaderNamedByConnection(HttpHeaders headers) {
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String listed : connection.split(",")) {
                String name = listed.strip();
                if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)) {
                    return Optional.of("Content-Length");
                }
                if (HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)) {
                    return Optional.of("Transfer-Encoding");
                }
            }
        }
        return Optional.empty();
    }

    /** Absolute form to origin form, and the proxy's headers removed. */
    private static void rewrite(HttpRequest request, URI target) {
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        request.setUri(target.getRawQuery() == null ? path : path + "?" + target.getRawQuery());
        HttpHeaders headers = request.headers();
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String listed : connection.split(",")) {
                headers.remove(listed.strip());
            }
        }
        HOP_BY_HOP.forEach(headers::remove);
        // RFC 9112 3.2.2: the request target, not the customer's Host header, says which origin this is. Its
        // userinfo (http://user:secret@host/) is the customer's business and never goes into Host.
        headers.set(
                HttpHeaderNames.HOST,
                target.getPort() == -1 ? target.getHost() : target.getHost() + ":" + target.getPort());
    }

    /** On the stream: passes the origin's response to the customer as it arrives, and tells the forwarder its end. */
    private final class ResponseRelay extends ChannelInboundHandlerAdapter {
        private boolean informational;
        private boolean midResponse;

        @Override
        public void channelRead(ChannelHandlerContext streamCtx, Object msg) {
            Channel customer = ctx.channel();
            if (msg instanceof HttpResponse response) {
                int code = response.status().code();
                informational = code >= 100 && code < 200 && code != 101;
                midResponse = !informational;
                awaitingResponse = informational;
            }
            customer.write(msg, customer.voidPromise());
            if (msg instanceof LastHttpContent) {
                customer.flush();
                if (!informational) {
                    midResponse = false;
                    responseComplete();
                }
            }
            if (!customer.isWritable()) {
                streamCtx.channel().config().setAutoRead(false); // the customer's writability turns it on again
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext streamCtx) {
            ctx.channel().flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext streamCtx) {
            if (streamCtx.channel().isWritable()) {
                resumeReadingIfPossible();
            }
            streamCtx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext streamCtx, Throwable cause) {
            streamCtx.close();
        }
    }
}
