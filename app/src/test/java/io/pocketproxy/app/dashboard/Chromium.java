package io.pocketproxy.app.dashboard;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Debian's real Chromium (/usr/bin/chromium, installed by .ci/run), driven by Playwright, which is told
 * never to download a browser of its own. Every page it opens reports console errors and uncaught
 * exceptions, so a test can insist there are none; screenshots go to {@code target/screenshots}.
 */
final class Chromium implements BeforeAllCallback, AfterAllCallback {

    static final Path EXECUTABLE = Path.of(System.getProperty("pocketproxy.chromium", "/usr/bin/chromium"));
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final double ASSERTION_TIMEOUT_MILLIS = 15_000;

    private final List<String> errors = new CopyOnWriteArrayList<>();
    private Playwright playwright;
    private Browser browser;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (!Files.isExecutable(EXECUTABLE)) {
            throw new IllegalStateException(
                    EXECUTABLE + " is missing: install Debian's chromium (apt-get install -y chromium)");
        }
        Files.createDirectories(SCREENSHOTS);
        // Every sign-in costs a bcrypt check (a quarter of a second of CPU, on one thread), and the tests share
        // two cores with whatever else the machine builds: Playwright's 5 s default left too little margin.
        PlaywrightAssertions.setDefaultAssertionTimeout(ASSERTION_TIMEOUT_MILLIS);
        playwright = Playwright.create(
                new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright
                .chromium()
                .launch(new BrowserType.LaunchOptions()
                        .setExecutablePath(EXECUTABLE)
                        .setHeadless(true)
                        .setArgs(List.of(
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync")));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
    }

    /** A fresh browser profile (no cookies) with one page at the given size; {@link #errors()} starts over. */
    Page newPage(int width, int height) {
        errors.clear();
        BrowserContext browserContext =
                browser.newContext(new Browser.NewContextOptions().setViewportSize(width, height));
        browserContext.grantPermissions(List.of("clipboard-read", "clipboard-write"));
        Page page = browserContext.newPage();
        page.onConsoleMessage(message -> {
            if ("error".equals(message.type())) {
                errors.add(message.text());
            }
        });
        page.onPageError(error -> errors.add(error));
        return page;
    }

    /** Console errors and uncaught exceptions since the last {@link #newPage}. */
    List<String> errors() {
        return List.copyOf(errors);
    }

    static void screenshot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions()
                .setPath(SCREENSHOTS.resolve(name + ".png"))
                .setFullPage(true));
    }
}
