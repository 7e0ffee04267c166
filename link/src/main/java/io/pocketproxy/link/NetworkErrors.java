package io.pocketproxy.link;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.unix.Errors;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;

/**
 * Sorts network failures into the expected (a peer went away: debug level) and the rest (worth a
 * warning). Customers and phones drop connections all day; that is not news for an operator's log.
 */
public final class NetworkErrors {

    private NetworkErrors() {}

    /** Logs {@code cause} at the level it deserves, saying what ended or failed, and closes the channel. */
    public static void closeOnError(Logger log, ChannelHandlerContext ctx, Object what, Throwable cause) {
        if (isExpected(cause)) {
            log.debug("{} ended: {}", what, cause.toString());
        } else {
            log.warn("{} failed", what, cause);
        }
        ctx.close();
    }

    public static boolean isExpected(Throwable cause) {
        if (cause instanceof ClosedChannelException
                || cause instanceof Errors.NativeIoException
                || cause instanceof ReadTimeoutException) {
            return true;
        }
        if (cause instanceof Http2Exception.StreamException
                || cause instanceof Http2Exception.ClosedStreamCreationException) {
            return true;
        }
        if (cause instanceof SSLException) {
            return true; // scanners and broken clients; the handshake failure says enough at debug level
        }
        if (cause instanceof SocketException || cause instanceof IOException) {
            String message = String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT);
            return message.contains("connection reset")
                    || message.contains("broken pipe")
                    || message.contains("connection timed out")
                    || message.contains("forcibly closed")
                    || message.contains("stream closed");
        }
        return false;
    }
}
