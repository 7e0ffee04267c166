package io.pocketproxy.relay.tunnel;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.pocketproxy.link.NetworkErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a customer connection that moved no byte either way for the idle timeout, and is the last word
 * on its errors: a reset by the customer is routine, anything else is worth a warning.
 */
public final class IdleCloser extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(IdleCloser.class);

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            log.debug("{} idle; closing", ctx.channel());
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        NetworkErrors.closeOnError(log, ctx, ctx.channel(), cause);
    }
}
