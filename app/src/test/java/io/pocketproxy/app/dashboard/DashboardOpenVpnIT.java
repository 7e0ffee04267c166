package io.pocketproxy.app.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.SelectOption;
import io.pocketproxy.app.openvpn.OpenVpnLab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard of a server with OpenVPN on (in the OpenVPN lab's namespaces): an OPENVPN connection's profile
 * is offered once with its credentials inside, and afterwards without them, from its row.
 */
class DashboardOpenVpnIT {

    @RegisterExtension
    @Order(1)
    static final OpenVpnLab lab = new OpenVpnLab();

    @RegisterExtension
    @Order(2)
    static final Chromium chromium = new Chromium();

    private Page page;

    @BeforeEach
    void openTheDashboard() {
        page = chromium.newPage(1280, 800);
        page.navigate(lab.apiUrl());
    }

    @AfterEach
    void closeIt() {
        page.context().close();
    }

    @Test
    void offersTheProfileWithCredentialsOnceThenWithoutThemFromTheRow() throws IOException {
        Dashboard.submitSignIn(page, OpenVpnLab.ADMIN_EMAIL, OpenVpnLab.ADMIN_PASSWORD);
        assertThat(Dashboard.heading(page, "Devices")).isVisible();
        Dashboard.open(page, "Connections");
        // open() waited for the page's lists (its devices among them): a connection can be added.
        Dashboard.button(page, "Add connection").click();
        page.getByLabel("Device", new Page.GetByLabelOptions().setExact(true))
                .last()
                .selectOption(new SelectOption().setLabel("lab phone"));
        page.getByLabel("Type").selectOption("OPENVPN");
        Dashboard.button(page, "Create connection").click();

        Locator dialog = page.locator("dialog[open]");
        String username = dialog.getByTestId("username").textContent();
        String password = dialog.getByTestId("password").textContent();
        Download once = page.waitForDownload(() ->
                Dashboard.button(dialog, "Download .ovpn with credentials").click());
        String inline = Files.readString(once.path(), StandardCharsets.UTF_8);
        Dashboard.button(dialog, "Done").click();
        Download later =
                page.waitForDownload(() -> Dashboard.button(Dashboard.connectionRow(page, username), "Download .ovpn")
                        .click());
        String bare = Files.readString(later.path(), StandardCharsets.UTF_8);

        assertThat(once.suggestedFilename()).isEqualTo(username + ".ovpn");
        assertThat(inline).contains("<auth-user-pass>\n" + username + "\n" + password + "\n</auth-user-pass>");
        assertThat(later.suggestedFilename()).isEqualTo(username + ".ovpn");
        assertThat(bare).contains("\nauth-user-pass\n").doesNotContain(password);
        assertThat(chromium.errors()).isEmpty();
        // The file the dashboard handed out is a working profile.
        assertThat(lab.fetchThroughTheVpn(inline, "/hello")).isEqualTo("hello");
        assertThat(page.getByRole(AriaRole.TABLE)).isVisible();
    }
}
