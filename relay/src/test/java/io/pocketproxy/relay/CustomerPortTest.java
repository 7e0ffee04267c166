package io.pocketproxy.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.pocketproxy.link.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CustomerPortTest {

    private final EventLoopGroup acceptor = Transport.eventLoops(1, "test-accept");
    private final EventLoopGroup workers = Transport.eventLoops(2, "test-io");
    private final List<Channel> accepted = new CopyOnWriteArrayList<>();
    private final ChannelInitializer<Channel> recorder = new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel channel) {
            accepted.add(channel);
        }
    };

    @AfterEach
    void stop() {
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void acceptsCustomersOnThePortItGot() throws IOException {
        try (CustomerPort port = CustomerPort.bind(acceptor, workers, "127.0.0.1", 0, recorder)) {
            for (int i = 0; i < 8; i++) {
                new Socket(InetAddress.getLoopbackAddress(), port.port()).close();
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() == 8);
        }
    }

    @Test
    void refusesAPortAnotherRelayListensOnRatherThanSharingIt() {
        try (CustomerPort first = CustomerPort.bind(acceptor, workers, "127.0.0.1", 0, recorder)) {
            assertThatThrownBy(() -> CustomerPort.bind(acceptor, workers, "127.0.0.1", first.port(), recorder))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + first.port())
                    .hasMessageContaining("in use");
        }
    }

    @Test
    void refusesAPortAnyOtherProgramListensOn() throws IOException {
        try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> CustomerPort.bind(acceptor, workers, "127.0.0.1", other.getLocalPort(), recorder))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use");
        }
        assertThat(accepted).isEmpty();
    }
}
