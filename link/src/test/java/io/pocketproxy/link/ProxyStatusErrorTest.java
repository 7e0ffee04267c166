package io.pocketproxy.link;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProxyStatusErrorTest {

    @Test
    void writesAndReadsRfc9209Values() {
        String value = ProxyStatusError.DNS_ERROR.headerValue("pocketproxy-agent");

        assertThat(value).isEqualTo("pocketproxy-agent; error=dns_error");
        assertThat(ProxyStatusError.parse(value)).contains(ProxyStatusError.DNS_ERROR);
        assertThat(ProxyStatusError.parse("proxy; details=\"x\"; error=\"connection_refused\""))
                .contains(ProxyStatusError.CONNECTION_REFUSED);
    }

    @Test
    void ignoresWhatItDoesNotKnow() {
        assertThat(ProxyStatusError.parse(null)).isEmpty();
        assertThat(ProxyStatusError.parse("proxy; error=http_protocol_error")).isEmpty();
    }

    @Test
    void answersATimeoutWith504AndTheRestWith502() {
        assertThat(ProxyStatusError.CONNECTION_TIMEOUT.httpStatus()).isEqualTo(504);
        assertThat(ProxyStatusError.CONNECTION_REFUSED.httpStatus()).isEqualTo(502);
    }
}
