package io.pocketproxy.app.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import io.pocketproxy.app.dataplane.RunningSystem;
import io.pocketproxy.testkit.LocalHttpTarget;
import io.pocketproxy.testkit.ProxyClients;
import io.pocketproxy.testkit.WebhookReceiver;
import java.net.Socket;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An operator's walk through the dashboard in real Chromium, against the real server, relay and agent. */
class DashboardTest {

    @RegisterExtension
    @Order(1)
    static final RunningSystem system = new RunningSystem(config -> config.allowPrivateWebhooks(true));

    private static final WebhookReceiver receiver = WebhookReceiver.start();

    @RegisterExtension
    @Order(2)
    static final Chromium chromium = new Chromium();

    /** The default wait and one refresh (5 s) more: a refresh already on its way delays the next one. */
    private static final LocatorAssertions.HasTextOptions SOON =
            new LocatorAssertions.HasTextOptions().setTimeout(Chromium.ASSERTION_TIMEOUT_MILLIS + 5_000);

    private Page page;

    @BeforeEach
    void openTheDashboard() {
        page = chromium.newPage(1280, 800);
        page.clock().install(); // runs as the real one until the test jumps it ahead to the next refresh
        page.navigate(system.apiUrl());
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
    void walksAnOperatorThroughDevicesConnectionsUsageAndSigningOut() throws Exception {
        Dashboard.signIn(page);
        Chromium.screenshot(page, "devices");

        // Add a device: the pairing string is shown once.
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add device"))
                .click();
        page.getByLabel("Device name").fill("Pixel 7 Berlin");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create device"))
                .click();
        Locator pairing = page.getByTestId("pairing");
        assertThat(pairing).hasText(Pattern.compile("^pocketproxy://ppd_.+@127\\.0\\.0\\.1:\\d+\\?fp=.+"));
        assertThat(page.getByText("you will not see it again")).isVisible();
        assertThat(page.getByTestId("agent-command")).containsText("POCKETPROXY_PAIR='pocketproxy://ppd_");
        Chromium.screenshot(page, "device-pairing");
        String pairingString = pairing.textContent();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Done"))
                .click();
        Locator newDevice = page.locator("tr[data-device='Pixel 7 Berlin']");
        assertThat(newDevice).containsText("pending");
        assertThat(page.getByText(pairingString)).hasCount(0);

        // Add a 1 GB connection on the system's linked device: its credentials are shown once.
        Dashboard.open(page, "Connections");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add connection"))
                .click();
        page.getByLabel("Device", new Page.GetByLabelOptions().setExact(true))
                .last()
                .selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("test phone"));
        page.getByLabel("Type").selectOption("HTTP");
        page.getByLabel("Bandwidth limit (GB)").fill("1");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create connection"))
                .click();
        String username = page.getByTestId("username").textContent();
        String password = page.getByTestId("password").textContent();
        assertThat(password).matches("[A-Za-z0-9]{24}");
        assertThat(page.getByTestId("curl")).containsText("curl -x 'http://" + username + ":" + password + "@");
        Chromium.screenshot(page, "connection-credentials");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Done"))
                .click();
        Locator row = page.locator("tr[data-username='" + username + "']");
        assertThat(row.getByTestId("usage")).hasText("0 B / 1 GB");
        assertThat(page.getByText(password)).hasCount(0);

        // Traffic through the proxy moves the bar, without a reload.
        try (Socket tunnel = ProxyClients.connect(
                        system.httpProxyPort(),
                        username,
                        password,
                        "127.0.0.1:" + system.echo().port())
                .socket()) {
            tunnel.getOutputStream().write(LocalHttpTarget.patternBytes(3 * 1024 * 1024));
            tunnel.getInputStream().readNBytes(3 * 1024 * 1024);
        }
        system.server().flushToDatabase();
        page.clock().fastForward(5_000); // the dashboard's refresh interval
        assertThat(row.getByTestId("usage")).hasText("6 MB / 1 GB", SOON);
        Chromium.screenshot(page, "connections");

        // Reset it.
        row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Reset usage"))
                .click();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Reset usage"))
                .last()
                .click();
        assertThat(row.getByTestId("usage")).hasText("0 B / 1 GB");

        // Regenerate the password: a new one, shown once, that works.
        row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("New password"))
                .click();
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Generate new password"))
                .click();
        String newPassword = page.getByTestId("password").textContent();
        assertThat(newPassword).matches("[A-Za-z0-9]{24}").isNotEqualTo(password);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Done"))
                .click();
        // The relay hears of the new password through PostgreSQL's NOTIFY: within a second, not at once.
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() ->
                        assertThat(system.connectStatus(username, newPassword)).isEqualTo(200));

        // Save a webhook URL and send a test to a receiver on loopback.
        Dashboard.open(page, "Settings");
        page.getByLabel("Webhook URL").fill(receiver.url());
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save"))
                .click();
        assertThat(page.locator(".toast").last()).containsText("Webhook URL saved.");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Send test"))
                .click();
        assertThat(page.getByTestId("test-result")).hasText(Pattern.compile("Delivered: HTTP 200 in \\d+ ms\\."));
        assertThat(receiver.requestsOfType("test")).hasSize(1);

        // Sign out: back at the sign-in page, and the API knows it.
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log out"))
                .click();
        assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")))
                .isVisible();
        page.navigate(system.apiUrl() + "#/connections");
        assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")))
                .isVisible();
        assertThat(chromium.errors()).isEmpty();
    }

    @Test
    void staysUsableAtPhoneWidth() {
        page.setViewportSize(390, 844);
        Dashboard.signIn(page);
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Connections"))
                .click();

        assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add connection")))
                .isVisible();
        Chromium.screenshot(page, "connections-phone");
        assertThat(chromium.errors()).isEmpty();
    }
}
