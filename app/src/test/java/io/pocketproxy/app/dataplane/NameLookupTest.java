package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketproxy.link.ProxyStatusError;
import io.pocketproxy.relay.link.DeviceLink;
import io.pocketproxy.relay.link.DeviceRefusal;
import io.pocketproxy.testkit.NettyLeakDetection;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The link's name lookup ({@code GET /v1/resolve}) between the relay and a real agent. */
class NameLookupTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system = new RunningSystem();

    @Test
    void resolvesANameWithTheDevicesResolver() throws Exception {
        List<InetAddress> addresses = link().resolve("localhost").get(10, TimeUnit.SECONDS);

        assertThat(addresses).contains(InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void saysDnsErrorForANameTheDeviceCannotResolve() {
        assertThatThrownBy(() -> link().resolve("no-such-host.invalid").join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOfSatisfying(DeviceRefusal.class, refusal -> {
                    assertThat(refusal.reason()).isEqualTo(DeviceRefusal.Reason.REFUSED);
                    assertThat(refusal.error()).contains(ProxyStatusError.DNS_ERROR);
                });
    }

    @Test
    void refusesToAskForWhatIsNotAHostName() {
        assertThatThrownBy(() -> link().resolve("not a name/../x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: a DNS host name");
    }

    private static DeviceLink link() {
        return system.server()
                .relay()
                .links()
                .find(system.device().device().id())
                .orElseThrow();
    }
}
