package io.pocketproxy.link.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

class StatusReportTest {

    @Test
    void roundTripsThroughHeaders() {
        StatusReport report =
                new StatusReport("1.2.3", "203.0.113.7", new DeviceHealth(81, true, -97, "LTE", "T-Mobile"));
        Http2Headers headers = new DefaultHttp2Headers();

        report.writeTo(headers);

        assertThat(StatusReport.readFrom(headers)).isEqualTo(report);
    }

    @Test
    void leavesWhatThePlatformDoesNotKnowEmpty() {
        Http2Headers headers = new DefaultHttp2Headers();
        new StatusReport("1.0", null, DeviceHealth.UNKNOWN).writeTo(headers);

        StatusReport read = StatusReport.readFrom(headers);

        assertThat(read.agentVersion()).isEqualTo("1.0");
        assertThat(read.egressIp()).isNull();
        assertThat(read.health().isUnknown()).isTrue();
        assertThat(headers.names()).extracting(CharSequence::toString).containsExactly("pp-agent-version");
    }

    @Test
    void dropsNonsenseRatherThanFailingTheHeartbeat() {
        Http2Headers headers = new DefaultHttp2Headers()
                .set("pp-battery", "250")
                .set("pp-signal", "strong")
                .set("pp-charging", "maybe")
                .set("pp-carrier", " ");

        StatusReport read = StatusReport.readFrom(headers);

        assertThat(read.health()).isEqualTo(DeviceHealth.UNKNOWN);
    }

    @Test
    void keepsHealthInItsRanges() {
        DeviceHealth health = new DeviceHealth(-1, null, 5, "x".repeat(40), "Carrier\u0007\n");

        assertThat(health.batteryPercent()).isNull();
        assertThat(health.signalDbm()).isNull();
        assertThat(health.networkType()).hasSize(32);
        assertThat(health.carrier()).isEqualTo("Carrier");
    }
}
