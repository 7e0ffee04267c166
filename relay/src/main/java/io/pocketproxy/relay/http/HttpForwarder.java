package io.pocketproxy.relay.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.pocketproxy.link.stream.InboundHold;
import io.pocketproxy.link.stream.Pipe;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.tunnel.Refusal;
import io.pocketproxy.relay.tunnel.Tunnels;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * Plain {@code http://} requests in absolute form: each is rewritten to origin form and sent through a
 * device stream to its origin; the response comes back as it arrives. Requests go one at a time; while
 * they go to the same origin the stream is kept, so keep-alive works end to end. Bodies stream both ways
 * (chunked or not) and never faster than the other side can take them.
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
    private final Queue<HttpObject> waiting = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Http2StreamChannel stream;
    private String streamOrigin;
    private boolean streamReady;
    private boolean requestInProgress;
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
        String origin = authority(target);
        rewrite(request, target);
        requestInProgress = true;
        closeAfterResponse = !HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(request, true);
        if (stream != null && stream.isActive() && origin.equals(streamOrigin)) {
            send(request);
            return;
        }
        if (stream != null) {
            stream.close(); // another origin: its stream is of no use now
        }
        streamOrigin = origin;
        streamReady = false;
        stream = null;
        waiting.add(request);
        ctx.channel().config().setAutoRead(false);
        tunnels.open(connection, origin, ctx.channel(), this::opened);
    }

    private void opened(Http2StreamChannel opened, Refusal refusal) {
        if (refusal != null) {
            waiting.forEach(ReferenceCountUtil::release);
            waiting.clear();
            ProxyResponses.refuse(ctx, refusal);
            return;
        }
        stream = opened;
        Channel customer = ctx.channel();
        Runnable setUp = () -> {
            opened.pipeline().addLast("http", new HttpClientCodec());
            opened.pipeline().addLast("response", new ResponseRelay(customer));
            opened.pipeline().remove(InboundHold.class);
            opened.config().setAutoRead(customer.isWritable());
            opened.read();
        };
        // Set up before anything is written to the stream: at once when we share its event loop, else as
        // its next task, which runs ahead of the writes below.
        if (opened.eventLoop().inEventLoop()) {
            setUp.run();
        } else {
            opened.eventLoop().execute(setUp);
        }
        opened.closeFuture().addListener(closed -> customer.pipeline().fireUserEventTriggered(new StreamEnded(opened)));
        streamReady = true;
        for (HttpObject object = waiting.poll(); object != null; object = waiting.poll()) {
            write(object);
        }
        flushStream();
        resumeReadingIfPossible();
    }

    private void send(HttpRequest request) {
        write(request);
        flushStream();
        resumeReadingIfPossible();
    }

    private void forwardBody(HttpContent content) {
        if (!requestInProgress) {
            content.release();
            return;
        }
        if (!streamReady) {
            waiting.add(content);
        } else {
            write(content);
            if (!stream.isWritable()) {
                Pipe.stopReadingUntilWritable(ctx.channel(), stream);
            }
        }
        if (content instanceof LastHttpContent) {
            requestInProgress = false;
            if (streamReady) {
                flushStream();
            }
            // The next request waits until this response is complete: one at a time.
            ctx.channel().config().setAutoRead(false);
        }
    }

    /**
     * Writes on the stream's own event loop: Netty picks the handler a write enters when it is issued,
     * so a write issued from here before the stream's HTTP codec was added would skip the codec.
     */
    private void write(HttpObject object) {
        Http2StreamChannel target = stream;
        if (target.eventLoop().inEventLoop()) {
            target.write(object, target.voidPromise());
        } else {
            target.eventLoop().execute(() -> target.write(object, target.voidPromise()));
        }
    }

    private void flushStream() {
        Http2StreamChannel target = stream;
        if (target.eventLoop().inEventLoop()) {
            target.flush();
        } else {
            target.eventLoop().execute(target::flush);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (streamReady && stream != null) {
            flushStream();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ResponseComplete) {
            if (closeAfterResponse) {
                Pipe.closeOnFlush(ctx.channel());
            } else {
                ctx.channel().config().setAutoRead(true);
            }
        } else if (event instanceof ResponseStopped) {
            // Back-pressure from the customer's side: the stream reads again when we can write.
            stream.config().setAutoRead(ctx.channel().isWritable());
        } else if (event instanceof StreamWritable) {
            resumeReadingIfPossible();
        } else if (event instanceof StreamEnded ended && ended.stream() == stream) {
            stream = null;
            streamReady = false;
            if (requestInProgress || ended.midResponse()) {
                Pipe.closeOnFlush(ctx.channel());
            }
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (stream != null) {
            stream.config().setAutoRead(ctx.channel().isWritable());
            if (ctx.channel().isWritable()) {
                stream.read();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (stream != null) {
            stream.close();
        }
        waiting.forEach(ReferenceCountUtil::release);
        waiting.clear();
        ctx.fireChannelInactive();
    }

    private void resumeReadingIfPossible() {
        if (requestInProgress && streamReady && stream.isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private static String authority(URI target) {
        int port = target.getPort() > 0 ? target.getPort() : 80;
        String host = target.getHost();
        return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Absolute form to origin form, and the proxy's headers removed. */
    private static void rewrite(HttpRequest request, URI target) {
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        request.setUri(target.getRawQuery() == null ? path : path + "?" + target.getRawQuery());
        HttpHeaders headers = request.headers();
        String connection = headers.get(HttpHeaderNames.CONNECTION);
        if (connection != null) {
            for (String listed : connection.split(",")) {
                headers.remove(listed.strip());
            }
        }
        HOP_BY_HOP.forEach(headers::remove);
        if (!headers.contains(HttpHeaderNames.HOST)) {
            headers.set(HttpHeaderNames.HOST, target.getRawAuthority());
        }
    }

    /** The response's last part went to the customer. */
    record ResponseComplete() {}

    /** The customer cannot take more response for now. */
    record ResponseStopped() {}

    /** The stream can take more request body again. */
    record StreamWritable() {}

    /** The device stream closed; {@code midResponse} if a response was still arriving. */
    record StreamEnded(Http2StreamChannel stream, boolean midResponse) {
        StreamEnded(Http2StreamChannel stream) {
            this(stream, stream.attr(ResponseRelay.MID_RESPONSE).get() == Boolean.TRUE);
        }
    }

    /** On the stream: passes the origin's response to the customer as it arrives, and reports its end. */
    private static final class ResponseRelay extends ChannelInboundHandlerAdapter {
        static final io.netty.util.AttributeKey<Boolean> MID_RESPONSE =
                io.netty.util.AttributeKey.valueOf("pocketproxy.midResponse");

        private final Channel customer;
        private boolean informational;

        ResponseRelay(Channel customer) {
            this.customer = customer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpResponse response) {
                int code = response.status().code();
                informational = code >= 100 && code < 200 && code != 101;
                ctx.channel().attr(MID_RESPONSE).set(!informational);
            }
            boolean last = msg instanceof LastHttpContent;
            customer.write(msg, customer.voidPromise());
            if (last) {
                customer.flush();
                if (!informational) {
                    ctx.channel().attr(MID_RESPONSE).set(false);
                    customer.pipeline().fireUserEventTriggered(new ResponseComplete());
                }
            }
            if (!customer.isWritable()) {
                ctx.channel().config().setAutoRead(false);
                customer.pipeline().fireUserEventTriggered(new ResponseStopped());
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            customer.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                customer.pipeline().fireUserEventTriggered(new StreamWritable());
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
