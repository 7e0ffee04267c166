package io.pocketproxy.app.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.pocketproxy.app.dashboard.Dashboard.button;
import static io.pocketproxy.app.dashboard.Dashboard.confirm;
import static io.pocketproxy.app.dashboard.Dashboard.open;
import static io.pocketproxy.app.dashboard.Dashboard.signIn;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import io.pocketproxy.app.dataplane.RunningSystem;
import io.pocketproxy.testkit.WebhookReceiver;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The settings page: the webhook URL saved, tested against a real receiver, the secret rotated. */
class DashboardSettingsTest {

    private static final WebhookReceiver receiver = WebhookReceiver.start();

    @RegisterExtension
    @Order(1)
    static final RunningSystem system = new RunningSystem(config -> config.allowPrivateWebhooks(true));

    @RegisterExtension
    @Order(2)
    static final Chromium chromium = new Chromium();

    private Page page;

    @BeforeEach
    void openSettings() {
        page = chromium.newPage(1280, 800);
        page.navigate(system.apiUrl());
        signIn(page);
        open(page, "Settings");
    }

    @AfterEach
    void closeIt() {
        page.context().close();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @Test
    void savesTheUrlSendsATestAndListsIt() {
        Locator url = page.getByLabel("Webhook URL");
        Locator save = button(page, "Save");
        assertThat(save).isDisabled();

        url.fill("ftp://example.com/hooks");
        assertThat(save).isEnabled();
        save.click();
        assertThat(page.getByRole(com.microsoft.playwright.options.AriaRole.ALERT))
                .containsText("scheme 'ftp' (expected: http or https)");

        url.fill(receiver.url());
        save.click();
        assertThat(page.locator(".toast")).containsText("Webhook URL saved.");
        assertThat(save).isDisabled();
        page.reload();
        assertThat(page.getByLabel("Webhook URL")).hasValue(receiver.url());

        button(page, "Send test").click();
        assertThat(page.getByTestId("test-result")).hasText(Pattern.compile("Delivered: HTTP 200 in \\d+ ms\\."));
        assertThat(receiver.requestsOfType("test")).hasSize(1);
        Locator row = page.locator("tr[data-delivery]").first();
        assertThat(row.locator("td[data-label='Event']")).hasText("test");
        assertThat(row.locator("td[data-label='Status']")).hasText("delivered");
        assertThat(row.locator("td[data-label='Last answer']")).hasText("HTTP 200");

        receiver.answer(500);
        button(page, "Send test").click();
        assertThat(page.getByTestId("test-result")).hasText("Not delivered: the receiver answered HTTP 500.");
        assertThat(page.locator("tr[data-delivery]").first().locator("td[data-label='Status']"))
                .hasText("failed");
        Chromium.screenshot(page, "settings");
    }

    @Test
    void rotatesTheSecretAfterAConfirmation() {
        Locator secret = page.getByTestId("webhook-secret");
        assertThat(secret).hasText(Pattern.compile("whsec_.+"));
        String before = secret.textContent();

        button(page, "Rotate").click();
        confirm(page, "Rotate secret");

        assertThat(secret).not().hasText(before);
        assertThat(secret).hasText(Pattern.compile("whsec_.+"));
        assertThat(page.locator(".toast")).containsText("New signing secret in place.");
    }
}
