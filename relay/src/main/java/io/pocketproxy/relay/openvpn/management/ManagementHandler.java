package io.pocketproxy.relay.openvpn.management;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.NetUtil;
import io.pocketproxy.link.NetworkErrors;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads OpenVPN's management protocol, one line at a time, into {@link ManagementListener} events.
 *
 * <p>A {@code >CLIENT:} notification spans several lines: its head ({@code >CLIENT:CONNECT,cid,kid}), one
 * {@code >CLIENT:ENV,name=value} line per variable and {@code >CLIENT:ENV,END}; OpenVPN keeps such a block
 * together. Only the variables we use are kept; the password among them lives only until the request is
 * handed on, and nothing here ever logs a line that may carry it.
 */
final class ManagementHandler extends SimpleChannelInboundHandler<String> {

    private static final Logger log = LoggerFactory.getLogger(ManagementHandler.class);

    private static final String CLIENT = ">CLIENT:";
    private static final String ENV = ">CLIENT:ENV,";
    private static final String ENV_END = ">CLIENT:ENV,END";
    private static final Set<String> KEPT =
            Set.of("username", "password", "untrusted_ip", "ifconfig_pool_remote_ip", "common_name");

    /** The notification whose ENV lines are being read. */
    private enum Block {
        NONE,
        CONNECT,
        REAUTH,
        ESTABLISHED,
        DISCONNECT,
        OTHER
    }

    private final ManagementListener listener;
    private Block block = Block.NONE;
    private long clientId;
    private long keyId;
    private final Map<String, String> environment = new HashMap<>();
    private boolean ready;

    ManagementHandler(ManagementListener listener) {
        this.listener = listener;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Added once the connection is admitted. The history answers at once if OpenVPN is already up; otherwise
        // a real-time >STATE line follows when it is.
        ctx.writeAndFlush("state on all\n");
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) {
        if (line.startsWith(ENV)) {
            environment(line);
        } else if (line.startsWith(CLIENT)) {
            clientHead(line.substring(CLIENT.length()));
        } else if (line.startsWith(">STATE:")) {
            state(line.substring(">STATE:".length()));
        } else if (line.startsWith(">INFO:")) {
            log.debug("OpenVPN management: {}", line);
        } else if (line.startsWith(">FATAL:")) {
            log.warn("OpenVPN: {}", line.substring(">FATAL:".length()));
        } else if (line.startsWith("ERROR:")) {
            // A client-kill for a client that left meanwhile, most often: worth a look only when debugging.
            log.debug("OpenVPN management answered: {}", line);
        } else if (line.startsWith("SUCCESS:") || line.equals("END") || line.startsWith(">")) {
            log.trace("OpenVPN management: {}", line);
        } else {
            state(line); // a line of the state history that "state on all" asked for
        }
    }

    private void clientHead(String head) {
        String[] fields = head.split(",");
        environment.clear();
        block = switch (fields[0]) {
            case "CONNECT" -> Block.CONNECT;
            case "REAUTH" -> Block.REAUTH;
            case "ESTABLISHED" -> Block.ESTABLISHED;
            case "DISCONNECT" -> Block.DISCONNECT;
            case "ADDRESS" -> Block.NONE; // one line; ESTABLISHED carries the same address
            default -> Block.OTHER; // CR_RESPONSE and whatever comes later: its ENV lines are skipped
        };
        if (block == Block.NONE || block == Block.OTHER) {
            return;
        }
        try {
            clientId = Long.parseLong(fields[1]);
            keyId = fields.length > 2 ? Long.parseLong(fields[2]) : -1;
        } catch (RuntimeException e) {
            log.warn(
                    "OpenVPN management: unreadable client notification {} (expected: >CLIENT:{},CID[,KID])",
                    head,
                    fields[0]);
            block = Block.OTHER;
        }
    }

    private void environment(String line) {
        if (line.equals(ENV_END)) {
            finishBlock();
            return;
        }
        if (block == Block.NONE || block == Block.OTHER) {
            return;
        }
        String variable = line.substring(ENV.length());
        int equals = variable.indexOf('=');
        if (equals > 0) {
            String name = variable.substring(0, equals);
            if (KEPT.contains(name)) {
                environment.put(name, variable.substring(equals + 1));
            }
        }
    }

    private void finishBlock() {
        Block finished = block;
        block = Block.NONE;
        try {
            switch (finished) {
                case CONNECT, REAUTH ->
                    listener.clientRequest(new ClientRequest(
                            finished == Block.CONNECT ? ClientRequest.Kind.CONNECT : ClientRequest.Kind.REAUTH,
                            clientId,
                            keyId,
                            environment.getOrDefault("username", environment.getOrDefault("common_name", "")),
                            environment.getOrDefault("password", ""),
                            environment.getOrDefault("untrusted_ip", "")));
                case ESTABLISHED -> {
                    InetAddress address =
                            NetUtil.createInetAddressFromIpAddressString(environment.get("ifconfig_pool_remote_ip"));
                    if (address == null) {
                        log.warn(
                                "OpenVPN client {} is up without a pool address (ifconfig_pool_remote_ip); its"
                                        + " traffic cannot be told apart, so it is not carried",
                                clientId);
                    } else {
                        listener.clientEstablished(clientId, address);
                    }
                }
                case DISCONNECT -> listener.clientDisconnected(clientId);
                case NONE, OTHER -> {}
            }
        } finally {
            environment.clear(); // the password goes with it
        }
    }

    private void state(String line) {
        // "<time>,CONNECTED,SUCCESS,<address>,..." once the server's initialization is complete.
        String[] fields = line.split(",", 3);
        if (!ready && fields.length >= 2 && fields[1].equals("CONNECTED")) {
            ready = true;
            listener.up();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        environment.clear();
        listener.closed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        NetworkErrors.closeOnError(log, ctx, ctx.channel(), cause);
    }
}
