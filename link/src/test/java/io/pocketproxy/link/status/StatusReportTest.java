package io.pocketproxy.link.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

class StatusReportTest {

    @Test
    void roundTripsThroughHeaders() {
        StatusReport report = new StatusReport("1.2.3", "203.0.113.7", 81, -97, "LTE");
        Http2Headers headers = new DefaultHttp2Headers();

        report.writeTo(headers);

        assertThat(StatusReport.readFrom(headers)).isEqualTo(report);
    }

    @Test
    void leavesWhatThePlatformDoesNotKnowEmpty() {
        Http2Headers headers = new DefaultHttp2Headers();
        new StatusReport("1.0", null, null, null, null).writeTo(headers);

        StatusReport read = StatusReport.readFrom(headers);

        assertThat(read.agentVersion()).isEqualTo("1.0");
        assertThat(read.egressIp()).isNull();
        assertThat(read.battery()).isNull();
    }

    @Test
    void dropsNonsenseRatherThanFailingTheHeartbeat() {
        Http2Headers headers =
                new DefaultHttp2Headers().set("pp-battery", "250").set("pp-signal", "strong");

        StatusReport read = StatusReport.readFrom(headers);

        assertThat(read.battery()).isNull();
        assertThat(read.signal()).isNull();
    }
}
