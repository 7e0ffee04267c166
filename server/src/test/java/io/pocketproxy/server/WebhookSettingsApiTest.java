package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.testkit.ApiClient;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Webhook settings as an operator uses them, on a server that refuses private webhook targets (the default). */
class WebhookSettingsApiTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @Test
    void startsWithNoUrlAndAStandardWebhooksSecret() {
        JsonNode settings =
                server.newOperator().api().get("/api/settings/webhook").json();

        assertThat(settings.get("webhook_url").isNull()).isTrue();
        String secret = settings.get("webhook_secret").asText();
        assertThat(secret).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(secret.substring("whsec_".length())))
                .hasSize(32);
    }

    @Test
    void savesAPublicUrlAndClearsItWithAnEmptyOne() {
        ApiClient api = server.newOperator().api();

        ApiClient.Response saved = api.put("/api/settings/webhook", Map.of("webhook_url", "https://1.1.1.1/hooks"));
        assertThat(saved.status()).isEqualTo(200);
        assertThat(saved.json().get("webhook_url").asText()).isEqualTo("https://1.1.1.1/hooks");
        assertThat(api.get("/api/settings/webhook").json().get("webhook_url").asText())
                .isEqualTo("https://1.1.1.1/hooks");

        ApiClient.Response cleared = api.put("/api/settings/webhook", Map.of("webhook_url", ""));
        assertThat(cleared.status()).isEqualTo(200);
        assertThat(api.get("/api/settings/webhook").json().get("webhook_url").isNull())
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://127.0.0.1:9/hooks",
                "http://localhost:9/hooks", // a name that resolves to loopback
                "http://169.254.169.254/latest/meta-data/", // cloud metadata
                "http://10.1.2.3/hooks",
                "http://192.168.1.1/hooks",
                "http://100.64.0.1/hooks", // carrier-grade NAT
                "http://[::1]/hooks",
                "http://[fd00::1]/hooks", // unique local
                "http://[::ffff:127.0.0.1]/hooks", // loopback dressed as IPv6
                "http://0.0.0.0/hooks",
                "http://224.0.0.1/hooks"
            })
    void refusesPrivateTargetsWithAClearMessageAndChangesNothing(String url) {
        ApiClient api = server.newOperator().api();
        api.put("/api/settings/webhook", Map.of("webhook_url", "https://1.1.1.1/before"));

        ApiClient.Response refused = api.put("/api/settings/webhook", Map.of("webhook_url", url));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("code").asText()).isEqualTo("invalid_webhook_url");
        assertThat(refused.json().get("error").asText())
                .contains("private address")
                .contains("--allow-private-webhooks");
        assertThat(api.get("/api/settings/webhook").json().get("webhook_url").asText())
                .isEqualTo("https://1.1.1.1/before");
        ApiClient.Response test = api.post("/api/settings/webhook/test", Map.of("webhook_url", url));
        assertThat(test.status()).isEqualTo(400);
        assertThat(test.json().get("code").asText()).isEqualTo("invalid_webhook_url");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.com/hooks", "javascript:alert(1)", "not a url", "https:///nohost"})
    void refusesWhatIsNotAnHttpUrl(String url) {
        ApiClient api = server.newOperator().api();

        ApiClient.Response refused = api.put("/api/settings/webhook", Map.of("webhook_url", url));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("error").asText()).startsWith("webhook_url:");
        assertThat(api.get("/api/settings/webhook").json().get("webhook_url").isNull())
                .isTrue();
    }

    @Test
    void rotatingTheSecretReplacesIt() {
        ApiClient api = server.newOperator().api();
        String before =
                api.get("/api/settings/webhook").json().get("webhook_secret").asText();

        ApiClient.Response rotated = api.post("/api/settings/webhook/rotate-secret", null);

        assertThat(rotated.status()).isEqualTo(200);
        String after = rotated.json().get("webhook_secret").asText();
        assertThat(after).startsWith("whsec_").isNotEqualTo(before);
        assertThat(api.get("/api/settings/webhook").json().get("webhook_secret").asText())
                .isEqualTo(after);
    }

    @Test
    void testingWithoutAnyUrlSaysSo() {
        ApiClient.Response test = server.newOperator().api().post("/api/settings/webhook/test", null);

        assertThat(test.status()).isEqualTo(400);
        assertThat(test.json().get("error").asText()).contains("none given and none saved");
    }

    @Test
    void anOperatorSeesOnlyTheirOwnSettingsAndDeliveries() {
        ApiClient alice = server.newOperator().api();
        ApiClient bob = server.newOperator().api();
        alice.put("/api/settings/webhook", Map.of("webhook_url", "https://1.1.1.1/alice"));

        assertThat(bob.get("/api/settings/webhook").json().get("webhook_url").isNull())
                .isTrue();
        assertThat(bob.get("/api/settings/webhook").json().get("webhook_secret").asText())
                .isNotEqualTo(alice.get("/api/settings/webhook")
                        .json()
                        .get("webhook_secret")
                        .asText());
        assertThat(bob.get("/api/webhook-deliveries").json()).isEmpty();
    }

    @Test
    void needsASignedInOperator() {
        assertThat(server.anonymous().get("/api/settings/webhook").status()).isEqualTo(401);
        assertThat(server.anonymous().get("/api/webhook-deliveries").status()).isEqualTo(401);
    }
}
