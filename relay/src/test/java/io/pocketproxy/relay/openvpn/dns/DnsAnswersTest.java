package io.pocketproxy.relay.openvpn.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.pocketproxy.relay.RelayParts;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.link.ScriptedDevice;
import io.pocketproxy.testkit.NettyLeakDetection;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How an OpenVPN customer's DNS question is answered when the device cannot resolve it, or the connection may not
 * be used. (Names resolved by a real agent are the end-to-end tests' part.)
 */
class DnsAnswersTest {

    @RegisterExtension
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    private final ScriptedDevice device = ScriptedDevice.start();
    private final RelayParts relay = new RelayParts(device.links(), 10, Duration.ofMinutes(5));
    private final DnsAnswers answers = new DnsAnswers(relay.tunnels());

    @AfterEach
    void close() {
        relay.close();
        device.close();
    }

    @Test
    void answersServfailWhenTheDevicesAgentPredatesNameLookups() {
        ConnectionRecord connection =
                relay.directory().add("ppold", "password", ConnectionType.OPENVPN, device.deviceId(), 0, 0);

        DnsAnswers.Answer answer = answers.answer(connection, question("example.com.", DnsRecordType.A))
                .orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
                .join();

        assertThat(answer.code()).isEqualTo(DnsResponseCode.SERVFAIL);
        assertThat(device.authorities()).containsExactly("/v1/resolve?name=example.com");
    }

    @Test
    void answersServfailWhileTheDeviceIsOffline() {
        ConnectionRecord connection =
                relay.directory().add("ppoffline", "password", ConnectionType.OPENVPN, UUID.randomUUID(), 0, 0);
        DnsAnswers offline = new DnsAnswers(relay.tunnels());

        assertThat(offline.answer(connection, question("example.com.", DnsRecordType.A))
                        .join()
                        .code())
                .isEqualTo(DnsResponseCode.SERVFAIL);
    }

    @Test
    void answersOtherTypesWithNoRecordsWithoutAskingTheDevice() {
        ConnectionRecord connection =
                relay.directory().add("ppsix", "password", ConnectionType.OPENVPN, device.deviceId(), 0, 0);

        DnsAnswers.Answer aaaa = answers.answer(connection, question("example.com.", DnsRecordType.AAAA))
                .join();

        assertThat(aaaa.code()).isEqualTo(DnsResponseCode.NOERROR);
        assertThat(aaaa.addresses()).isEmpty();
        assertThat(device.authorities()).isEmpty();
    }

    @Test
    void refusesForAConnectionAtItsLimit() {
        ConnectionRecord connection =
                relay.directory().add("ppfull", "password", ConnectionType.OPENVPN, device.deviceId(), 100, 100);

        assertThat(answers.answer(connection, question("example.com.", DnsRecordType.A))
                        .join()
                        .code())
                .isEqualTo(DnsResponseCode.REFUSED);
        assertThat(device.authorities()).isEmpty();
    }

    @Test
    void answersNxdomainForWhatIsNotAHostName() {
        ConnectionRecord connection =
                relay.directory().add("ppodd", "password", ConnectionType.OPENVPN, device.deviceId(), 0, 0);

        assertThat(answers.answer(connection, question("bad name!.", DnsRecordType.A))
                        .join()
                        .code())
                .isEqualTo(DnsResponseCode.NXDOMAIN);
        assertThat(device.authorities()).isEmpty();
    }

    @Test
    void aLookupTakesOneOfTheConnectionsStreamsUntilItIsAnswered() {
        RelayParts capped = new RelayParts(device.links(), 2, Duration.ofMinutes(5));
        try {
            DnsAnswers answers = new DnsAnswers(capped.tunnels());
            ConnectionRecord connection =
                    capped.directory().add("ppflood", "password", ConnectionType.OPENVPN, device.deviceId(), 0, 0);
            device.answer(ScriptedDevice.Answer.HOLD);

            var first = answers.answer(connection, question("one.example.", DnsRecordType.A));
            var second = answers.answer(connection, question("two.example.", DnsRecordType.A));
            await().atMost(Duration.ofSeconds(10)).until(() -> device.held() == 2);
            DnsAnswers.Answer third = answers.answer(connection, question("three.example.", DnsRecordType.A))
                    .orTimeout(10, TimeUnit.SECONDS)
                    .join();

            assertThat(third.code()).isEqualTo(DnsResponseCode.SERVFAIL);
            assertThat(device.authorities()).hasSize(2);
            device.resetHeld();
            assertThat(first.orTimeout(10, TimeUnit.SECONDS).join().code()).isEqualTo(DnsResponseCode.SERVFAIL);
            assertThat(second.orTimeout(10, TimeUnit.SECONDS).join().code()).isEqualTo(DnsResponseCode.SERVFAIL);
            device.answer(ScriptedDevice.Answer.ECHO);
            answers.answer(connection, question("four.example.", DnsRecordType.A))
                    .orTimeout(10, TimeUnit.SECONDS)
                    .join();
            assertThat(device.authorities()).as("slots given back").hasSize(3);
        } finally {
            capped.close();
        }
    }

    private static DefaultDnsQuestion question(String name, DnsRecordType type) {
        return new DefaultDnsQuestion(name, type);
    }
}
