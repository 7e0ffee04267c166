package io.pocketproxy.app.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.pocketproxy.app.dashboard.Dashboard.button;
import static io.pocketproxy.app.dashboard.Dashboard.confirm;
import static io.pocketproxy.app.dashboard.Dashboard.connectionRow;
import static io.pocketproxy.app.dashboard.Dashboard.deviceRow;
import static io.pocketproxy.app.dashboard.Dashboard.open;
import static io.pocketproxy.app.dashboard.Dashboard.signIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.pocketproxy.agent.Agent;
import io.pocketproxy.agent.command.DeviceCommand;
import io.pocketproxy.agent.health.HealthSource;
import io.pocketproxy.app.dataplane.RunningSystem;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.devices.Device;
import io.pocketproxy.server.devices.DeviceStatus;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.testkit.ApiClient;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * IP rotation on the dashboard (README "Dashboard"): Rotate IP with its progress and outcome in the device's row, the
 * rotations dialog with automatic rotation, and a connection's rotation link, against real agents whose rotate
 * command is a real command. Each test has a device of its own: rotations of one device are paced (30 s apart).
 */
class DashboardRotationTest {

    @RegisterExtension
    @Order(1)
    static final RunningSystem system = new RunningSystem();

    @RegisterExtension
    @Order(2)
    static final Chromium chromium = new Chromium();

    /** A linked agent is online and has measured its egress IP after a heartbeat or two; more on a loaded machine. */
    private static final Duration READY = Duration.ofSeconds(20);

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
    void rotatesAnOnlineDeviceShowsTheOutcomeAndRefusesAnotherTooSoon() {
        readyDevice("steady phone", "true");
        signIn(page);
        Locator phone = deviceRow(page, "steady phone");

        button(phone, "Rotate IP").click();

        Locator outcome = phone.getByTestId("rotation");
        assertThat(outcome).hasText(Pattern.compile("^IP unchanged: 127\\.0\\.0\\.1 \\(took [\\d.]+ s\\)$"));
        assertThat(page.locator(".toast").first()).containsText("steady phone: IP unchanged");
        assertThat(phone.locator("td[data-label='Egress IP']")).containsText("127.0.0.1");
        Chromium.screenshot(page, "device-rotated");

        button(phone, "Rotate IP").click();
        assertThat(page.locator(".toast.error"))
                .hasText(Pattern.compile("This device rotated less than 30 s ago; try again in \\d+ s\\."));
        assertThat(outcome).containsText("IP unchanged");
        assertThat(button(phone, "Rotate IP")).isEnabled();
    }

    @Test
    void aFailingRotationSaysWhy() {
        readyDevice("broken modem", "echo 'modem busy' >&2; exit 3");
        signIn(page);
        Locator modem = deviceRow(page, "broken modem");

        button(modem, "Rotate IP").click();

        assertThat(modem.getByTestId("rotation"))
                .hasText("Rotation failed: the rotate command exited with 3: modem busy");
        assertThat(page.locator(".toast.error"))
                .hasText("broken modem: Rotation failed: the rotate command exited with 3: modem busy");
        assertThat(chromium.errors()).isEmpty();
    }

    @Test
    void aDeviceThatIsNotOnlineCannotRotateAndSaysWhy() {
        system.server().devices().create(system.operator().id(), "unpaired phone");
        signIn(page);

        Locator rotate = button(deviceRow(page, "unpaired phone"), "Rotate IP");

        assertThat(rotate).isDisabled();
        assertThat(rotate).hasAttribute("title", "Only an online device can change its IP; unpaired phone is pending.");
    }

    @Test
    void listsADevicesRotationsAndSetsItsAutomaticRotationInMinutes() {
        NewDevice phone = readyDevice("listed phone", "true");
        ApiClient api = system.operatorApi();
        String rotations = "/api/devices/" + phone.device().id() + "/rotations";
        assertThat(api.post("/api/devices/" + phone.device().id() + "/rotate-ip", Map.of())
                        .status())
                .isEqualTo(202);
        await().atMost(READY)
                .until(() -> api.get(rotations).json().path(0).path("status").asText(), "done"::equals);
        signIn(page);

        button(deviceRow(page, "listed phone"), "Rotations").click();
        Locator dialog = page.getByRole(AriaRole.DIALOG, new Page.GetByRoleOptions().setName("listed phone rotations"));
        Locator done = dialog.locator("tbody tr");
        assertThat(done).hasCount(1);
        assertThat(done.locator("td[data-label='Status']")).hasText("done");
        assertThat(done.locator("td[data-label='Old → new IP']")).hasText("127.0.0.1 → 127.0.0.1");
        assertThat(done.locator("td[data-label='Changed']")).hasText("no");
        assertThat(done.locator("td[data-label='Took']")).hasText(Pattern.compile("[\\d.]+ s"));
        Chromium.screenshot(page, "device-rotations");

        // 15 s is below the server's minimum (30 s): its own words say so, and nothing changes.
        Locator every = dialog.getByLabel("Rotate every (minutes)");
        every.fill("0.25");
        button(dialog, "Save interval").click();
        assertThat(dialog.getByRole(AriaRole.ALERT)).containsText("expected: 30 seconds or more");
        every.fill("90");
        button(dialog, "Save interval").click();

        assertThat(page.locator(".toast").last()).hasText("listed phone rotates every 90 min while online.");
        assertThat(dialog.getByRole(AriaRole.ALERT)).isHidden();
        assertThat(device(phone).rotationInterval()).isEqualTo(90 * 60);
    }

    @Test
    void showsAConnectionsRotationLinkOnceWithACopyButton() {
        IssuedPassword customer = system.newConnection(ConnectionType.HTTP, 0L);
        String username = customer.connection().username();
        signIn(page);
        open(page, "Connections");

        button(connectionRow(page, username), "Rotation link").click();
        assertThat(page.locator("dialog[open] .lead")).containsText("every connection on that device");
        confirm(page, "Create rotation link");

        Locator link = page.getByTestId("rotation-link");
        assertThat(link).containsText("/rotate/ppr_");
        String url = link.textContent();
        assertThat(url).startsWith(system.apiUrl() + "rotate/ppr_");
        button(page, "Copy rotation link").click();
        assertThat(page.locator(".toast")).hasText("Rotation link copied.");
        assertThat(page.evaluate("navigator.clipboard.readText()")).isEqualTo(url);
        Chromium.screenshot(page, "connection-rotation-link");
        button(page, "Done").click();
        assertThat(page.getByText(url)).hasCount(0);

        // The link shown is the live one: it reaches the connection's device (which has no rotate command).
        ApiClient.Response used = ApiClient.anonymous(system.apiUrl())
                .sendRaw("GET", URI.create(url).getRawPath(), null);
        assertThat(used.status()).as(used.toString()).isEqualTo(200);
        assertThat(used.json().path("error").asText()).isEqualTo("this device has no rotate command");
        assertThat(chromium.errors()).isEmpty();
    }

    /** A device whose agent rotates with {@code command}, online and with its egress IP measured. */
    private static NewDevice readyDevice(String name, String command) {
        NewDevice device = system.server().devices().create(system.operator().id(), name);
        Agent agent = system.startAgent(
                device.pairing(),
                true,
                config -> config.withRotateCommand(
                        new DeviceCommand("--rotate-command", command, Duration.ofSeconds(30))),
                HealthSource.unknown());
        RunningSystem.awaitLinked(agent, 1);
        await().atMost(READY).until(() -> {
            Device seen = device(device);
            return seen.status() == DeviceStatus.ONLINE && seen.egressIp() != null;
        });
        return device;
    }

    private static Device device(NewDevice device) {
        return system.server()
                .devices()
                .get(system.operator().id(), device.device().id());
    }
}
