package io.pocketproxy.relay.link;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.pocketproxy.link.NetworkErrors;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pings the device every interval and drops the link after too many pings go unanswered: a phone that
 * lost its network leaves a TCP connection that looks open for minutes, and its customers are better off
 * told at once.
 */
final class LinkKeepAlive extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(LinkKeepAlive.class);

    private final Duration interval;
    private final int missedAllowed;
    private final UUID deviceId;
    private ScheduledFuture<?> task;
    private int unanswered;

    LinkKeepAlive(Duration interval, int missedAllowed, UUID deviceId) {
        this.interval = interval;
        this.missedAllowed = missedAllowed;
        this.deviceId = deviceId;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        long millis = interval.toMillis();
        task = ctx.executor().scheduleAtFixedRate(() -> tick(ctx), millis, millis, TimeUnit.MILLISECONDS);
    }

    private void tick(ChannelHandlerContext ctx) {
        if (unanswered >= missedAllowed) {
            log.info("device {} missed {} pings; closing its link", deviceId, unanswered);
            ctx.close();
            return;
        }
        unanswered++;
        ctx.writeAndFlush(new DefaultHttp2PingFrame(System.nanoTime()));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2PingFrame ping && ping.ack()) {
            unanswered = 0;
        } else if (msg instanceof Http2GoAwayFrame goAway) {
            log.info(
                    "device {} is ending its link ({})",
                    deviceId,
                    goAway.errorCode() == 0 ? "going away" : "error " + goAway.errorCode());
        }
        // Connection-level frames (SETTINGS, PING, GOAWAY) are the codec's business once seen: nothing downstream wants
        // them.
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        NetworkErrors.closeOnError(log, ctx, "link of device " + deviceId, cause);
    }

    private void cancel() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
