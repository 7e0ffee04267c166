package io.pocketproxy.app.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;

/** What an operator does on the dashboard, by what they see: labels, button names, headings. */
final class Dashboard {

    static final String EMAIL = "operator@example.com";
    static final String PASSWORD = "operator password";

    private Dashboard() {}

    static void signIn(Page page) {
        submitSignIn(page, EMAIL, PASSWORD);
        assertThat(heading(page, "Devices")).isVisible();
        assertLoaded(page);
    }

    static void submitSignIn(Page page, String email, String password) {
        page.getByLabel("Email").fill(email);
        page.getByLabel("Password").fill(password);
        button(page, "Sign in").click();
    }

    static Locator button(Page page, String name) {
        return page.getByRole(
                AriaRole.BUTTON, new Page.GetByRoleOptions().setName(name).setExact(true));
    }

    static Locator button(Locator within, String name) {
        return within.getByRole(
                AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(name).setExact(true));
    }

    /** The page's own heading: exactly this name, so that "No connections yet" is not "Connections". */
    static Locator heading(Page page, String name) {
        return page.getByRole(
                AriaRole.HEADING,
                new Page.GetByRoleOptions().setName(name).setExact(true).setLevel(1));
    }

    /** Opens a section from the navigation and waits until its lists have answered. */
    static void open(Page page, String section) {
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(section))
                .click();
        assertThat(heading(page, section)).isVisible();
        assertLoaded(page);
    }

    /** Every list on the page has had its first answer: no loading state is left. */
    static void assertLoaded(Page page) {
        assertThat(page.locator("main [aria-busy='true']")).hasCount(0);
    }

    /** The confirmation dialog's button, which carries the same name as the row's button that opened it. */
    static void confirm(Page page, String name) {
        button(page.locator("dialog[open]"), name).click();
    }

    static Locator connectionRow(Page page, String username) {
        return page.locator("tr[data-username='" + username + "']");
    }

    static Locator deviceRow(Page page, String name) {
        return page.locator("tr[data-device='" + name + "']");
    }
}
