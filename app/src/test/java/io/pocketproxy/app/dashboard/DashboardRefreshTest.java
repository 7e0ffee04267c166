package io.pocketproxy.app.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.pocketproxy.app.dashboard.Dashboard.button;
import static io.pocketproxy.app.dashboard.Dashboard.connectionRow;
import static io.pocketproxy.app.dashboard.Dashboard.open;
import static io.pocketproxy.app.dashboard.Dashboard.signIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.options.AriaRole;
import io.pocketproxy.app.dataplane.RunningSystem;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.ConnectionChanges;
import io.pocketproxy.server.connections.IssuedPassword;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lists' refresh every 5 s: rows updated in place, one refresh at a time, none while the tab is hidden,
 * none left behind by a page the operator left. The page's clock is Playwright's and stands still: a
 * refresh happens when a test moves it on, so no test waits for real seconds, and every request the page
 * makes is counted where it is made.
 */
class DashboardRefreshTest {

    @RegisterExtension
    @Order(1)
    static final RunningSystem system = new RunningSystem();

    @RegisterExtension
    @Order(2)
    static final Chromium chromium = new Chromium();

    /** The dashboard's refresh interval (app.js). */
    private static final long REFRESH_MILLIS = 5_000;

    private static final long GB = 1024L * 1024 * 1024;

    /**
     * Counts the requests the page makes, by path, and those whose answer it has not read yet. An answer counts
     * as read once its body has been: what the page does with it then runs before anything the test asks next.
     */
    private static final String COUNT_REQUESTS = """
            window.requests = { made: [], unanswered: 0 };
            const fetchForReal = window.fetch.bind(window);
            const textForReal = Response.prototype.text;
            Response.prototype.text = function () {
              return textForReal.call(this).finally(() => window.requests.unanswered--);
            };
            window.fetch = (resource, options) => {
              window.requests.made.push(new URL(String(resource), location.href).pathname);
              window.requests.unanswered++;
              return fetchForReal(resource, options).then(
                  response => {
                    if (response.status === 204) window.requests.unanswered--;
                    return response;
                  },
                  error => {
                    window.requests.unanswered--;
                    throw error;
                  });
            };
            """;

    private Page page;

    @BeforeEach
    void signInWithTheClockStopped() {
        page = chromium.newPage(1280, 800);
        page.addInitScript(COUNT_REQUESTS);
        page.clock().install();
        page.navigate(system.apiUrl());
        // Ahead of the page's clock, which has run on its own since install(): from here it moves only when told.
        page.clock().pauseAt(System.currentTimeMillis() + 60_000);
        signIn(page);
    }

    @AfterEach
    void closeIt() {
        page.context().close();
    }

    @Test
    void aRowsButtonKeepsTheFocusAcrossARefresh() {
        IssuedPassword customer = system.newConnection(ConnectionType.HTTP, GB);
        open(page, "Connections");
        Locator row = connectionRow(page, customer.connection().username());
        Locator newPassword = button(row, "New password");
        newPassword.focus();

        changeLimit(customer, 2 * GB);
        page.clock().runFor(REFRESH_MILLIS);

        assertThat(row.getByTestId("usage")).hasText("0 B / 2 GB");
        assertThat(newPassword).isFocused();
        assertThat(chromium.errors()).isEmpty();
    }

    @Test
    void aRowStaysTheSameElementAcrossARefresh() {
        IssuedPassword customer = system.newConnection(ConnectionType.HTTP, GB);
        String username = customer.connection().username();
        open(page, "Connections");
        page.evaluate(
                "username => window.watched = document.querySelector(`tr[data-username='${username}']`)", username);

        changeLimit(customer, 2 * GB);
        page.clock().runFor(REFRESH_MILLIS);

        assertThat(connectionRow(page, username).getByTestId("usage")).hasText("0 B / 2 GB");
        assertThat(page.evaluate(
                        "username => window.watched === document.querySelector(`tr[data-username='${username}']`)",
                        username))
                .isEqualTo(true);
    }

    @Test
    void aTextSelectionInARowSurvivesARefresh() {
        IssuedPassword customer = system.newConnection(ConnectionType.SOCKS5, GB);
        String username = customer.connection().username();
        open(page, "Connections");
        Locator row = connectionRow(page, username);
        row.locator("td[data-label='Username']").evaluate("cell => getSelection().selectAllChildren(cell)");

        changeLimit(customer, 2 * GB);
        page.clock().runFor(REFRESH_MILLIS);

        assertThat(row.getByTestId("usage")).hasText("0 B / 2 GB");
        assertThat(page.evaluate("() => getSelection().toString()")).isEqualTo(username);
    }

    @Test
    void asksAgainOnlyAfterTheLastRefreshAnswered() {
        IssuedPassword customer = system.newConnection(ConnectionType.HTTP, GB);
        open(page, "Connections");
        int before = requestsTo("/api/connections");
        List<Route> held = new ArrayList<>();
        page.route(url -> url.contains("/api/connections"), held::add);

        page.clock().runFor(REFRESH_MILLIS);
        page.waitForCondition(() -> held.size() == 1);
        page.clock().runFor(3 * REFRESH_MILLIS); // three more refreshes were due; the first has no answer yet
        assertThat(requestsTo("/api/connections")).isEqualTo(before + 1);

        changeLimit(customer, 2 * GB);
        page.unrouteAll();
        held.forEach(Route::resume);
        assertThat(connectionRow(page, customer.connection().username()).getByTestId("usage"))
                .hasText("0 B / 2 GB");
        refreshOnce();
        assertThat(requestsTo("/api/connections")).isEqualTo(before + 2);
    }

    @Test
    void asksNothingWhileTheTabIsHiddenAndCatchesUpOnReturn() {
        IssuedPassword customer = system.newConnection(ConnectionType.HTTP, GB);
        open(page, "Connections");
        int before = requestsMade();

        setHidden(true);
        page.clock().runFor(6 * REFRESH_MILLIS);
        assertThat(requestsMade()).isEqualTo(before);

        changeLimit(customer, 2 * GB);
        setHidden(false); // the clock stands still: only the return itself can refresh the list
        assertThat(connectionRow(page, customer.connection().username()).getByTestId("usage"))
                .hasText("0 B / 2 GB");
    }

    @Test
    void aPageLeftWhileItWasLoadingStopsRefreshing() {
        List<Route> held = new ArrayList<>();
        page.route(url -> url.contains("/api/webhook-deliveries"), held::add);
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Settings"))
                .click();
        page.waitForCondition(() -> held.size() == 1);
        open(page, "Devices"); // while Settings still waits for its list
        page.unrouteAll();
        held.forEach(Route::resume);
        awaitAnswers();
        int deliveries = requestsTo("/api/webhook-deliveries");
        int devices = requestsTo("/api/devices");

        refreshOnce();
        refreshOnce();
        refreshOnce();

        assertThat(requestsTo("/api/webhook-deliveries")).isEqualTo(deliveries);
        assertThat(requestsTo("/api/devices")).isEqualTo(devices + 3);
        assertThat(chromium.errors()).isEmpty();
    }

    private static void changeLimit(IssuedPassword customer, long limit) {
        system.server()
                .connections()
                .update(system.operator().id(), customer.connection().id(), new ConnectionChanges(limit, null, null));
    }

    /**
     * Headless Chromium has no window to minimise, so the page is told what a browser tells it when its tab is
     * hidden or shown again: {@code document.hidden}, {@code visibilityState} and a {@code visibilitychange} event.
     */
    private void setHidden(boolean hidden) {
        page.evaluate("""
                hidden => {
                  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
                  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => hidden ? 'hidden' : 'visible' });
                  document.dispatchEvent(new Event('visibilitychange'));
                }""", hidden);
    }

    /** Moves the clock on by one refresh interval and waits until the page has read every answer. */
    private void refreshOnce() {
        page.clock().runFor(REFRESH_MILLIS);
        awaitAnswers();
    }

    /** Playwright is not thread-safe: the page is asked from the test's own thread. */
    private void awaitAnswers() {
        await().pollInSameThread().atMost(Duration.ofSeconds(15)).until(() -> requestsUnanswered() == 0);
    }

    private int requestsMade() {
        return ((Number) page.evaluate("() => window.requests.made.length")).intValue();
    }

    private int requestsTo(String path) {
        return ((Number) page.evaluate("path => window.requests.made.filter(made => made === path).length", path))
                .intValue();
    }

    private int requestsUnanswered() {
        return ((Number) page.evaluate("() => window.requests.unanswered")).intValue();
    }
}
