package io.pocketproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.pocketproxy.agent.egress.DeviceNames;
import io.pocketproxy.agent.egress.EgressPath;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.LinkProtocol;
import io.pocketproxy.link.PrivateAddresses;
import io.pocketproxy.link.ProxyStatusError;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.OfflineNames;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fuzzes the agent's side of a CONNECT stream with any {@code :authority} the relay may pass on, on a device
 * that keeps customers off its own networks. The property that matters: no spelling of a private address
 * ({@code 0177.0.0.1}, {@code 2130706433}, {@code [::ffff:127.0.0.1]}, a name resolving inward) is ever dialled.
 * Whether a target may be dialled is judged independently of the agent: by the JDK's reading of the host and
 * {@link PrivateAddresses}. The stream lives on an {@code EmbeddedChannel}, whose loop no real socket can join,
 * so a dial that gets through the policy fails at once as an internal error and nothing leaves the machine;
 * names resolve from {@link OfflineNames} only.
 */
class ConnectRequestFuzzTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    private static final TargetDialer DIALER = new TargetDialer(
            new DestinationPolicy(false),
            DeviceNames.system(new InlineExecutor()),
            EgressPath.system(),
            Duration.ofSeconds(1));

    @BeforeAll
    static void offline() {
        OfflineNames.close();
    }

    @AfterAll
    static void online() {
        OfflineNames.open();
    }

    @FuzzTest
    void neverDialsWhatThePolicyRefuses(FuzzedDataProvider data) {
        String authority = data.consumeRemainingAsString();
        EmbeddedChannel stream = new EmbeddedChannel(new ConnectRequest(DIALER, authority));
        stream.runPendingTasks();

        Http2HeadersFrame answer = stream.readOutbound();
        assertThat(answer).as("an answer to CONNECT %s", authority).isNotNull();
        assertThat(answer.isEndStream()).as("the stream ends with a refusal").isTrue();
        Optional<HostAndPort> target = HostAndPort.tryParse(authority);
        if (target.isEmpty()) {
            assertThat(answer.headers().status()).hasToString("400");
        } else {
            Optional<ProxyStatusError> error =
                    ProxyStatusError.parse(answer.headers().get(LinkProtocol.PROXY_STATUS));
            assertThat(error).as("the refusal of %s", authority).isPresent();
            assertThat(answer.headers().status())
                    .hasToString(Integer.toString(error.get().httpStatus()));
            List<InetAddress> addresses = resolved(target.get().host());
            if (addresses.isEmpty()) {
                assertThat(error).contains(ProxyStatusError.DNS_ERROR);
            } else if (addresses.stream().allMatch(PrivateAddresses::isPrivate)) {
                assertThat(error)
                        .as("%s resolves to %s", authority, addresses)
                        .contains(ProxyStatusError.DESTINATION_IP_PROHIBITED);
            } else {
                // Let through: the dial itself failed on the embedded loop.
                assertThat(error).contains(ProxyStatusError.PROXY_INTERNAL_ERROR);
            }
        }
        assertThat((Object) stream.readOutbound()).isNull();
        stream.finishAndReleaseAll();
    }

    /** The addresses the JDK reads in {@code host}: a literal in any form it accepts, or an offline name. */
    private static List<InetAddress> resolved(String host) {
        try {
            return Arrays.asList(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            return List.of();
        }
    }

    /** The resolver pool, run on the caller's thread: the embedded stream's loop is that thread too. */
    private static final class InlineExecutor extends AbstractExecutorService {
        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public void shutdown() {}

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }
}
