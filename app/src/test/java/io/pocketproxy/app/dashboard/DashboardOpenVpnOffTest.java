package io.pocketproxy.app.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.SelectOption;
import io.pocketproxy.app.dataplane.RunningSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dashboard of a server without OpenVPN says why an OPENVPN connection cannot be made. */
class DashboardOpenVpnOffTest {

    @RegisterExtension
    @Order(1)
    static final RunningSystem system = new RunningSystem();

    @RegisterExtension
    @Order(2)
    static final Chromium chromium = new Chromium();

    private Page page;

    @BeforeEach
    void openTheDashboard() {
        page = chromium.newPage(1280, 800);
        page.navigate(system.apiUrl());
    }

    @AfterEach
    void closeIt() {
        page.context().close();
    }

    @Test
    void saysWhyAnOpenVpnConnectionCannotBeMade() {
        Dashboard.signIn(page);
        Dashboard.open(page, "Connections");
        // open() waited for the page's lists (its devices among them): a connection can be added.
        Dashboard.button(page, "Add connection").click();
        page.getByLabel("Device", new Page.GetByLabelOptions().setExact(true))
                .last()
                .selectOption(new SelectOption().setLabel("test phone"));
        page.getByLabel("Type").selectOption("OPENVPN");
        Dashboard.button(page, "Create connection").click();

        assertThat(page.locator("dialog[open] [role=alert]"))
                .containsText("OpenVPN is off on this server: it runs with --openvpn off");
    }
}
