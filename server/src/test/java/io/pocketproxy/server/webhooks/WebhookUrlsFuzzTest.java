package io.pocketproxy.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.PrivateAddresses;
import io.pocketproxy.server.errors.InvalidInputException;
import io.pocketproxy.testkit.OfflineNames;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the webhook URLs an operator may save, on a server that calls only public addresses: a URL is refused
 * with a 400-type error, or it is http(s), has a host, carries no credentials, and its host resolves to public
 * addresses only, as the JDK reads it (so {@code http://2130706433/}, {@code http://0177.0.0.1/} and
 * {@code http://[::ffff:127.0.0.1]/} are refused). The same holds for the check made on every connection. Names
 * resolve from {@link OfflineNames} only.
 */
class WebhookUrlsFuzzTest {

    private static final WebhookUrls urls = new WebhookUrls(false);

    @BeforeAll
    static void offline() {
        OfflineNames.close();
    }

    @AfterAll
    static void online() {
        OfflineNames.open();
    }

    @FuzzTest
    void acceptsOnlyPublicHttpUrls(FuzzedDataProvider data) throws UnknownHostException {
        String url = data.consumeRemainingAsString();
        URI accepted;
        try {
            accepted = urls.check(url);
        } catch (InvalidInputException refused) {
            assertThat(refused.code()).isEqualTo("invalid_webhook_url");
            return;
        }
        assertThat(accepted.getScheme().toLowerCase(java.util.Locale.ROOT)).isIn("http", "https");
        assertThat(accepted.getRawUserInfo()).isNull();
        InetAddress[] addresses = InetAddress.getAllByName(HostAndPort.unbracketed(accepted.getHost()));
        assertThat(addresses).as("the addresses of %s", url).noneMatch(PrivateAddresses::isPrivate);
    }

    @FuzzTest
    void neverResolvesAHostToAPrivateAddress(FuzzedDataProvider data) {
        String host = data.consumeRemainingAsString();
        InetAddress[] addresses;
        try {
            addresses = urls.resolve(host);
        } catch (UnknownHostException refused) {
            return;
        }
        assertThat(addresses)
                .as("%s resolves to %s", host, Arrays.toString(addresses))
                .isNotEmpty()
                .noneMatch(PrivateAddresses::isPrivate);
    }
}
