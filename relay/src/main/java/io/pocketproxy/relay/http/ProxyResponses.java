package io.pocketproxy.relay.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.pocketproxy.relay.tunnel.Refusal;
import java.nio.charset.StandardCharsets;

/** The relay's own answers to HTTP proxy customers: always a short text body, always closing the connection. */
final class ProxyResponses {

    static final String PROXY_NAME = "pocketproxy";

    private ProxyResponses() {}

    static void refuse(ChannelHandlerContext ctx, Refusal refusal) {
        HttpResponseStatus status = switch (refusal.reason()) {
            case CONNECTION_TYPE_MISMATCH, CONNECTION_DISABLED, BANDWIDTH_LIMIT_REACHED -> HttpResponseStatus.FORBIDDEN;
            case TOO_MANY_STREAMS -> HttpResponseStatus.TOO_MANY_REQUESTS;
            case DEVICE_OFFLINE -> HttpResponseStatus.BAD_GATEWAY;
            case PROXY_INTERNAL_ERROR -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            case DEVICE_ERROR ->
                HttpResponseStatus.valueOf(
                        refusal.deviceError().map(e -> e.httpStatus()).orElse(502));
        };
        String text = switch (refusal.reason()) {
            case CONNECTION_TYPE_MISMATCH ->
                "this connection is not sold for the HTTP proxy; use it with the protocol and endpoint it was given";
            case CONNECTION_DISABLED -> "this proxy connection is disabled";
            case BANDWIDTH_LIMIT_REACHED -> "this proxy connection has used its bandwidth limit";
            case TOO_MANY_STREAMS -> "too many open connections for this proxy connection";
            case DEVICE_OFFLINE -> "the device behind this proxy connection is offline";
            case DEVICE_ERROR -> "the device could not reach the destination (" + refusal.proxyStatusType() + ")";
            case PROXY_INTERNAL_ERROR -> "the proxy cannot serve this request right now; try again later";
        };
        FullHttpResponse response = response(status, text);
        response.headers().set("Proxy-Status", PROXY_NAME + "; error=" + refusal.proxyStatusType());
        sendAndClose(ctx, response);
    }

    /**
     * The device stream of a forwarded request ended, its link still up, before any of the response came: the
     * origin (or the device's connection to it) closed without answering. RFC 9209 names it
     * {@code connection_terminated}.
     */
    static void noAnswer(ChannelHandlerContext ctx) {
        FullHttpResponse response =
                response(HttpResponseStatus.BAD_GATEWAY, "the destination closed the connection without answering");
        response.headers().set("Proxy-Status", PROXY_NAME + "; error=connection_terminated");
        sendAndClose(ctx, response);
    }

    /** The proxy cannot check credentials or open tunnels right now (its storage is unreachable): 503. */
    static void unavailable(ChannelHandlerContext ctx) {
        refuse(ctx, Refusal.of(Refusal.Reason.PROXY_INTERNAL_ERROR));
    }

    static void requireCredentials(ChannelHandlerContext ctx) {
        FullHttpResponse response =
                response(HttpResponseStatus.PROXY_AUTHENTICATION_REQUIRED, "proxy credentials required");
        response.headers().set(HttpHeaderNames.PROXY_AUTHENTICATE, "Basic realm=\"pocketproxy\"");
        sendAndClose(ctx, response);
    }

    static void throttled(ChannelHandlerContext ctx, long retryAfterSeconds) {
        FullHttpResponse response =
                response(HttpResponseStatus.TOO_MANY_REQUESTS, "too many failed sign-ins; try again later");
        response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        sendAndClose(ctx, response);
    }

    /**
     * Too many password checks are waiting: 429 with when to come back, and a {@code Proxy-Status} that tells
     * this apart from a throttled client (RFC 9209 has no error type of its own for it).
     */
    static void busy(ChannelHandlerContext ctx, long retryAfterSeconds) {
        FullHttpResponse response = response(
                HttpResponseStatus.TOO_MANY_REQUESTS, "the proxy is busy checking sign-ins; try again shortly");
        response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        response.headers().set("Proxy-Status", PROXY_NAME + "; error=proxy_internal_error; details=\"busy\"");
        sendAndClose(ctx, response);
    }

    static void badRequest(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
        sendAndClose(ctx, response(status, text));
    }

    private static FullHttpResponse response(HttpResponseStatus status, String text) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }

    private static void sendAndClose(ChannelHandlerContext ctx, FullHttpResponse response) {
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
