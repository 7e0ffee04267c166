package io.pocketproxy.app.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.pocketproxy.app.dashboard.Dashboard.open;
import static io.pocketproxy.app.dashboard.Dashboard.signIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.pocketproxy.app.dataplane.RunningSystem;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The server's database stops under an open dashboard: one banner says so (not a toast per failed refresh), and
 * it goes by itself at the first refresh after the database is back. The page's clock stands still: a refresh
 * happens when the test moves it on.
 */
class DashboardOutageTest {

    @RegisterExtension
    @Order(1)
    static final RunningSystem system = RunningSystem.onOwnPostgres(config -> {});

    @RegisterExtension
    @Order(2)
    static final Chromium chromium = new Chromium();

    /** The dashboard's refresh interval (app.js). */
    private static final long REFRESH_MILLIS = 5_000;

    private Page page;

    @BeforeEach
    void signInWithTheClockStopped() {
        page = chromium.newPage(1280, 800);
        page.clock().install();
        page.navigate(system.apiUrl());
        page.clock().pauseAt(System.currentTimeMillis() + 60_000);
        signIn(page);
    }

    @AfterEach
    void closeIt() {
        page.context().close();
    }

    @Test
    void oneBannerSaysTheDatabaseIsUnavailableAndGoesWhenItIsBack() {
        open(page, "Devices");
        Locator banner = page.getByRole(AriaRole.ALERT);
        assertThat(banner).isHidden();

        system.postgres().stop();
        try {
            page.clock().runFor(REFRESH_MILLIS);
            assertThat(banner).isVisible();
            assertThat(banner).containsText("The database is unavailable");
            page.clock().runFor(REFRESH_MILLIS);
            assertThat(banner).isVisible();
            assertThat(page.locator(".toast")).hasCount(0);
        } finally {
            system.postgres().startAgain();
        }

        // A refresh still waiting on the stopped database schedules the next only when it ends: move the clock on
        // until one runs against the database that is back.
        await().atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> {
            page.clock().runFor(REFRESH_MILLIS);
            return banner.isHidden();
        });
        // The browser reports each 503 on its console; nothing else may go wrong on the page.
        assertThat(chromium.errors()).allMatch(error -> error.contains("status of 503"));
    }
}
