package io.pocketproxy.app.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.pocketproxy.app.dashboard.Dashboard.button;
import static io.pocketproxy.app.dashboard.Dashboard.confirm;
import static io.pocketproxy.app.dashboard.Dashboard.connectionRow;
import static io.pocketproxy.app.dashboard.Dashboard.deviceRow;
import static io.pocketproxy.app.dashboard.Dashboard.heading;
import static io.pocketproxy.app.dashboard.Dashboard.open;
import static io.pocketproxy.app.dashboard.Dashboard.signIn;
import static io.pocketproxy.app.dashboard.Dashboard.submitSignIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import io.pocketproxy.app.dataplane.RunningSystem;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.devices.Device;
import io.pocketproxy.server.devices.DeviceStatus;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.server.users.Role;
import io.pocketproxy.server.users.User;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.LocalHttpTarget;
import io.pocketproxy.testkit.ProxyClients;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each page's states, one at a time: what an operator sees when things are not on the happy path. */
class DashboardPagesTest {

    @RegisterExtension
    @Order(1)
    static final RunningSystem system = new RunningSystem();

    @RegisterExtension
    @Order(2)
    static final Chromium chromium = new Chromium();

    /** The dashboard's refresh interval (app.js), which the tests move the page's clock past. */
    private static final long REFRESH_MILLIS = 5_000;

    /**
     * The default wait and one refresh more: a refresh the clock's jump found already on its way schedules the
     * next one only after its answer, a real interval later.
     */
    private static final LocatorAssertions.HasTextOptions AFTER_A_REFRESH =
            new LocatorAssertions.HasTextOptions().setTimeout(Chromium.ASSERTION_TIMEOUT_MILLIS + REFRESH_MILLIS);

    /** A change notice reaches the relay within a second; more under a loaded machine's scheduling. */
    private static final Duration RELAY_HEARS = Duration.ofSeconds(5);

    private Page page;

    @BeforeEach
    void openTheDashboard() {
        page = chromium.newPage(1280, 800);
        page.clock().install(); // runs as the real one until a test jumps it ahead to the next refresh
        page.navigate(system.apiUrl());
    }

    @AfterEach
    void closeIt() {
        page.context().close();
    }

    @Test
    void showsWhatALinkedDeviceReportsAndItsHistory() {
        signIn(page);

        Locator phone = deviceRow(page, "test phone");
        assertThat(phone.locator("td[data-label='Status']")).hasText("online");
        assertThat(phone.locator("td[data-label='Last seen']")).hasText(Pattern.compile("just now|\\d+ s ago"));
        String reported = system.server()
                .devices()
                .get(system.operator().id(), system.device().device().id())
                .agentVersion();
        assertThat(reported).isNotBlank();
        assertThat(phone.locator("td[data-label='Agent']")).hasText(reported);

        button(phone, "History").click();
        Locator history = page.locator("dialog[open]");
        assertThat(history.getByRole(AriaRole.HEADING)).hasText("test phone: status history");
        assertThat(history.getByRole(AriaRole.LISTITEM).last()).containsText("online from pending");
        Chromium.screenshot(page, "device-history");
        page.keyboard().press("Escape");
        assertThat(page.locator("dialog[open]")).hasCount(0);
        assertThat(chromium.errors()).isEmpty();
    }

    @Test
    void refusesToDeleteADeviceConnectionsUseAndSaysWhy() {
        NewDevice busy = system.server().devices().create(system.operator().id(), "busy phone");
        system.server()
                .connections()
                .create(system.operator().id(), busy.device().id(), ConnectionType.SOCKS5, 0L);
        signIn(page);

        button(deviceRow(page, "busy phone"), "Delete").click();
        confirm(page, "Delete device");

        assertThat(page.locator(".toast.error"))
                .hasText("Device is used by 1 connection; move them to another device or delete them first.");
        assertThat(deviceRow(page, "busy phone")).isVisible();
    }

    @Test
    void deletesADeviceOnlyAfterConfirmation() {
        system.server().devices().create(system.operator().id(), "old phone");
        signIn(page);
        Locator old = deviceRow(page, "old phone");

        button(old, "Delete").click();
        confirm(page, "Cancel");
        assertThat(old).isVisible();

        button(old, "Delete").click();
        confirm(page, "Delete device");
        assertThat(old).hasCount(0);
        assertThat(page.locator(".toast")).hasText("old phone deleted.");
        assertThat(system.server().devices().list(system.operator().id()))
                .noneMatch(device -> device.name().equals("old phone"));
    }

    @Test
    void addsADeviceWithTheKeyboardAlone() {
        signIn(page);

        button(page, "Add device").focus();
        page.keyboard().press("Enter");
        page.keyboard().type("keyboard phone");
        page.keyboard().press("Enter");
        assertThat(page.getByTestId("pairing")).containsText("pocketproxy://");
        page.keyboard().press("Escape");

        assertThat(page.locator("dialog[open]")).hasCount(0);
        assertThat(deviceRow(page, "keyboard phone")).containsText("pending");
    }

    @Test
    void showsAConnectionAtItsLimitInRedAsLimitReached() throws IOException {
        // 0.001 GB = 1,073,742 bytes: cheap to reach through the echo target.
        signIn(page);
        open(page, "Connections");
        button(page, "Add connection").click();
        page.getByLabel("Bandwidth limit (GB)").fill("0.001");
        button(page, "Create connection").click();
        String username = page.getByTestId("username").textContent();
        String password = page.getByTestId("password").textContent();
        button(page, "Done").click();
        Locator usage = connectionRow(page, username).getByTestId("usage");
        assertThat(usage).hasText("0 B / 1 MB");

        spendMoreThanTheLimit(username, password);
        system.server().flushToDatabase();
        page.clock().fastForward(REFRESH_MILLIS);

        assertThat(usage).hasText("1 MB / 1 MB · Limit reached", AFTER_A_REFRESH);
        assertThat(usage).hasClass(Pattern.compile("\\bhigh\\b"));
        Chromium.screenshot(page, "connection-limit-reached");
        assertThat(chromium.errors()).isEmpty();
    }

    @Test
    void saysItIsLoadingRatherThanEmptyUntilTheListAnswers() {
        User newcomer =
                system.server().users().create("newcomer@example.com", "newcomer password", "Newcomer", Role.OPERATOR);
        system.server().devices().create(newcomer.id(), "newcomer phone");
        List<Route> held = new ArrayList<>();
        page.route(url -> url.contains("/api/connections"), held::add);
        submitSignIn(page, "newcomer@example.com", "newcomer password");
        assertThat(heading(page, "Devices")).isVisible();

        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Connections"))
                .click();
        page.waitForCondition(() -> held.size() == 1);
        assertThat(page.getByText("Loading connections…")).isVisible();
        assertThat(page.getByText("No connections yet")).hasCount(0);

        page.unrouteAll();
        held.forEach(Route::resume);
        assertThat(page.getByText("No connections yet")).isVisible();
        assertThat(page.getByText("Loading connections…")).hasCount(0);
    }

    @Test
    void theActiveSwitchShutsAndReopensAConnection() throws IOException {
        IssuedPassword customer = system.newConnection(ConnectionType.HTTP, 0L);
        String username = customer.connection().username();
        signIn(page);
        open(page, "Connections");
        Locator row = connectionRow(page, username);
        assertThat(row.getByTestId("usage")).hasText("0 B used · Unlimited");
        Locator active = page.getByRole(AriaRole.SWITCH, new Page.GetByRoleOptions().setName(username + " active"));
        assertThat(active).isChecked();

        active.click();
        assertThat(row.locator("td[data-label='Active']")).hasText("Off");
        // The relay hears of the change through PostgreSQL's NOTIFY: within a second, not at once.
        await().atMost(RELAY_HEARS)
                .untilAsserted(() -> assertThat(system.connectStatus(username, customer.password()))
                        .isEqualTo(403));

        active.click();
        assertThat(row.locator("td[data-label='Active']")).hasText("On");
        await().atMost(RELAY_HEARS)
                .untilAsserted(() -> assertThat(system.connectStatus(username, customer.password()))
                        .isEqualTo(200));
    }

    @Test
    void editsAConnectionsLimitAndDeviceFromItsRowAndTheRelayFollows() throws IOException {
        system.server().devices().create(system.operator().id(), "spare phone"); // never linked: offline
        IssuedPassword customer = system.newConnection(ConnectionType.HTTP, 0L);
        String username = customer.connection().username();
        signIn(page);
        open(page, "Connections");
        Locator row = connectionRow(page, username);
        assertThat(row.getByTestId("usage")).hasText("0 B used · Unlimited");

        button(row, "Edit").click();
        Locator dialog = page.getByRole(AriaRole.DIALOG, new Page.GetByRoleOptions().setName("Edit " + username));
        dialog.getByLabel("Bandwidth limit (GB)").fill("2");
        dialog.getByLabel("Device", new Locator.GetByLabelOptions().setExact(true))
                .selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("spare phone"));
        Chromium.screenshot(page, "connection-edit");
        button(dialog, "Save changes").click();

        assertThat(dialog).hasCount(0);
        assertThat(row.getByTestId("usage")).hasText("0 B / 2 GB");
        assertThat(row.locator("td[data-label='Device']")).hasText("spare phone");
        assertThat(system.connection(customer.connection().id()).bandwidthLimit())
                .isEqualTo(2L * 1024 * 1024 * 1024);
        await().atMost(RELAY_HEARS) // the relay now sends it through the spare phone, which is offline
                .untilAsserted(() -> assertThat(system.connectStatus(username, customer.password()))
                        .isEqualTo(502));

        // Back to the linked phone and unlimited, at phone width; disabled on the way, then enabled again.
        page.setViewportSize(390, 844);
        button(row, "Edit").click();
        dialog.getByLabel("Bandwidth limit (GB)").fill("");
        dialog.getByLabel("Device", new Locator.GetByLabelOptions().setExact(true))
                .selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("test phone"));
        Chromium.screenshot(page, "connection-edit-phone");
        button(dialog, "Save changes").click();

        assertThat(row.getByTestId("usage")).hasText("0 B used · Unlimited");
        assertThat(row.locator("td[data-label='Device']")).hasText("test phone");
        await().atMost(RELAY_HEARS)
                .untilAsserted(() -> assertThat(system.connectStatus(username, customer.password()))
                        .isEqualTo(200));
        assertThat(chromium.errors()).isEmpty();
    }

    @Test
    void editingAConnectionRefusesANegativeLimitAndChangesNothing() {
        IssuedPassword customer = system.newConnection(ConnectionType.SOCKS5, 1024L * 1024 * 1024);
        String username = customer.connection().username();
        signIn(page);
        open(page, "Connections");
        Locator row = connectionRow(page, username);

        button(row, "Edit").click();
        Locator dialog = page.getByRole(AriaRole.DIALOG, new Page.GetByRoleOptions().setName("Edit " + username));
        assertThat(dialog.getByLabel("Bandwidth limit (GB)")).hasValue("1");
        dialog.getByLabel("Bandwidth limit (GB)").fill("-1");
        button(dialog, "Save changes").click();

        // The browser's own check (min 0) holds the form; the dialog stays, and so does the limit.
        assertThat(dialog).isVisible();
        assertThat((Boolean) dialog.getByLabel("Bandwidth limit (GB)").evaluate("input => input.validity.valid"))
                .isFalse();
        button(dialog, "Cancel").click();
        assertThat(row.getByTestId("usage")).hasText("0 B / 1 GB");
        assertThat(system.connection(customer.connection().id()).bandwidthLimit())
                .isEqualTo(1024L * 1024 * 1024);
    }

    @Test
    void chartsAConnectionsTrafficAndADevicesDayAndCountsTheFleet() throws IOException {
        IssuedPassword customer = system.newConnection(ConnectionType.HTTP, 1024L * 1024 * 1024);
        String username = customer.connection().username();
        try (Socket tunnel = system.connectTunnel(customer).socket()) {
            tunnel.getOutputStream().write(LocalHttpTarget.patternBytes(1024 * 1024));
            tunnel.getInputStream().readNBytes(1024 * 1024);
        }
        long used = system.storedUsage(customer.connection().id());
        assertThat(used).isGreaterThanOrEqualTo(2L * 1024 * 1024);
        UUID phoneId = system.device().device().id();
        await().atMost(RELAY_HEARS.multipliedBy(4))
                .until(() -> system.server()
                                .devices()
                                .get(system.operator().id(), phoneId)
                                .egressIp()
                        != null);
        signIn(page);

        // Each device's address and health, "unknown" where the device cannot tell (this agent reports no health).
        Locator phone = deviceRow(page, "test phone");
        assertThat(phone.locator("td[data-label='Egress IP']")).containsText("127.0.0.1");
        assertThat(phone.locator("td[data-label='Battery']")).hasText("unknown");
        assertThat(phone.locator("td[data-label='Network']")).hasText("unknown");

        // The fleet at a glance counts what the devices list says.
        List<Device> devices = system.server().devices().list(system.operator().id());
        for (DeviceStatus status : DeviceStatus.values()) {
            long count =
                    devices.stream().filter(device -> device.status() == status).count();
            assertThat(page.getByTestId("fleet-" + status.name().toLowerCase(java.util.Locale.ROOT))
                            .locator(".figure"))
                    .hasText(Long.toString(count));
        }
        assertThat(page.getByTestId("fleet-traffic").locator(".figure")).hasText(Pattern.compile("\\d+(\\.\\d)? MB"));

        // A connection's chart: its hours add up to what it used, drawn against its limit.
        open(page, "Connections");
        button(connectionRow(page, username), "Usage chart of " + username).click();
        Locator dialog = page.getByRole(AriaRole.DIALOG, new Page.GetByRoleOptions().setName(username + " usage"));
        Locator hourly = dialog.getByTestId("usage-chart").first();
        assertThat(hourly).hasAttribute("data-total", Long.toString(used));
        assertThat(hourly.getByRole(AriaRole.IMG))
                .hasAttribute("aria-label", Pattern.compile("of the 1 GB limit used"));
        assertThat(hourly.locator("rect.chart-bar:not([height='0.0'])")).not().hasCount(0);
        assertThat(hourly.locator("line.chart-limit")).hasCount(1);
        hourly.getByText("Numbers").click();
        assertThat(hourly.getByRole(AriaRole.TABLE)).containsText("MB");
        Chromium.screenshot(page, "connection-usage-chart");
        page.keyboard().press("Escape");

        // A device's day: its traffic and its online band.
        open(page, "Devices");
        button(deviceRow(page, "test phone"), "History").click();
        Locator history = page.locator("dialog[open]");
        assertThat(history.getByTestId("usage-chart")).not().hasAttribute("data-total", "0");
        assertThat(history.getByTestId("status-timeline").locator("rect.timeline-online"))
                .not()
                .hasCount(0);
        Chromium.screenshot(page, "device-traffic");
        page.setViewportSize(390, 844);
        Chromium.screenshot(page, "device-traffic-phone");
        page.keyboard().press("Escape");
        assertThat(chromium.errors()).isEmpty();
    }

    @Test
    void filtersConnectionsByDevice() {
        NewDevice other = system.server().devices().create(system.operator().id(), "filter phone");
        IssuedPassword onOther = system.server()
                .connections()
                .create(system.operator().id(), other.device().id(), ConnectionType.HTTP, 0L);
        IssuedPassword onTestPhone = system.newConnection(ConnectionType.SOCKS5, 0L);
        signIn(page);
        open(page, "Connections");
        Locator filter = page.getByLabel("Device", new Page.GetByLabelOptions().setExact(true));

        filter.selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("filter phone"));
        assertThat(connectionRow(page, onOther.connection().username())).isVisible();
        assertThat(connectionRow(page, onTestPhone.connection().username())).hasCount(0);

        filter.selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("All devices"));
        assertThat(connectionRow(page, onTestPhone.connection().username())).isVisible();
        assertThat(connectionRow(page, onOther.connection().username())).isVisible();
    }

    @Test
    void returnsToSignInWhenTheSessionEnds() {
        signIn(page);
        open(page, "Connections");

        // The session ends on the server (as when it expires); the page finds out at its next refresh.
        ApiClient.anonymous("http://127.0.0.1:" + system.server().apiPort())
                .withToken(sessionToken())
                .post("/api/auth/logout", null);
        page.clock().fastForward(REFRESH_MILLIS);

        assertThat(page.locator(".toast.error")).hasText("Your session has ended. Sign in again.", AFTER_A_REFRESH);
        assertThat(button(page, "Sign in")).isVisible();
    }

    @Test
    void saysWhatIsWrongWithASignIn() {
        submitSignIn(page, Dashboard.EMAIL, "not the password");

        assertThat(page.getByRole(AriaRole.ALERT)).hasText("Email or password is wrong.");
        assertThat(heading(page, "Devices")).hasCount(0);
        Chromium.screenshot(page, "login-error");
    }

    @Test
    void saysWhenToTryAgainAfterTooManyFailedSignIns() {
        Locator alert = page.getByRole(AriaRole.ALERT);
        // Five failures for one email are allowed; the sixth attempt is throttled.
        for (int attempt = 1; attempt <= 6; attempt++) {
            submitSignIn(page, "someone@example.com", "guess " + attempt);
            assertThat(alert).isVisible();
        }

        assertThat(alert).hasText(Pattern.compile("Too many failed sign-ins\\. Try again in \\d+ seconds\\."));
    }

    private String sessionToken() {
        return page.context().cookies().stream()
                .filter(cookie -> cookie.name.equals("pocketproxy_session"))
                .map(cookie -> cookie.value)
                .findFirst()
                .orElseThrow();
    }

    /** Sends 600 KiB through the echo target and reads what comes back until the relay cuts the tunnel. */
    private static void spendMoreThanTheLimit(String username, String password) throws IOException {
        try (Socket tunnel = ProxyClients.connect(
                        system.httpProxyPort(),
                        username,
                        password,
                        "127.0.0.1:" + system.echo().port())
                .socket()) {
            tunnel.setSoTimeout(10_000);
            tunnel.getOutputStream().write(LocalHttpTarget.patternBytes(600 * 1024));
            tunnel.getInputStream().readAllBytes();
        } catch (java.net.SocketException cutOff) {
            // The relay closed the tunnel at the limit while we were still writing or reading.
        }
    }
}
