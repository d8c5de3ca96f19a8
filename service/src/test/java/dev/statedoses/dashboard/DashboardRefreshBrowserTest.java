package dev.statedoses.dashboard;

import static dev.statedoses.dashboard.DashboardPage.ratio;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.Browser;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * Refreshing from the dashboard in a real browser (support/Browser): the last refresh and its
 * sources, the Refresh button followed to the run's result, a failed refresh, and, on a second
 * service with a refresh token on the same warehouse, the token form. Without Chromium these tests
 * are skipped, saying so. Screenshot: service/target/dashboard-token.png.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardRefreshBrowserTest {

    private static final String TOKEN = "t0ken";

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();
    /** Registered last, so closed first: before the services it visits. */
    @RegisterExtension
    @Order(Integer.MAX_VALUE)
    static final Browser browser = new Browser();

    private final DashboardPage page = new DashboardPage(browser);
    private boolean modernaCrlf;
    /** A second service on the same warehouse, with a refresh token. */
    private RunningApp locked;

    @BeforeAll
    void start() {
        locked = RunningApp.start(ConfigBuilder.from(loaded.config()).refreshToken(TOKEN).build());
    }

    @AfterAll
    void stop() {
        // The browser first, as for the services the extensions stop: its open connections would
        // hold up this one's graceful stop.
        browser.close();
        if (locked != null) {
            locked.close();
        }
    }

    @Test
    void afterAFailedRefreshThePageSaysWhichRunItStillShows() {
        browser.require();
        // A warehouse of its own, so that the failed run is no other test's last refresh.
        Config good = loaded.upstream().serveFixtureSources(TestWarehouse.newDatabase());
        try (RunningApp first = RunningApp.start(good)) {
            first.given().post("/refresh").then().statusCode(200);
        }
        String finishedAt;
        Config broken = ConfigBuilder.from(good).moderna(loaded.upstream().url("/no-such-moderna.csv")).build();
        try (RunningApp failing = RunningApp.start(broken)) {
            finishedAt = failing.given().get("/refreshes/1").jsonPath().getString("finished_at");
            page.open(failing);
            browser.find(By.id("refresh-button")).click();
            WebElement status = browser.find(By.id("refresh-status"));
            browser.waitFor("the failure and the run shown", d -> status.getText().contains("still shows"));
            // The page asks with Prefer: respond-async, so the failure is the run's (run 2) outcome.
            assertTrue(status.getText().matches("Refresh failed \\(run 2\\)\\. moderna source \\(http://"
                + "127\\.0\\.0\\.1:\\d+/no-such-moderna\\.csv\\): upstream answered HTTP 404\\. The page still shows run 1, "
                + "the last successful refresh \\(finished [A-Z][a-z]{2} \\d{1,2}, \\d{4}, \\d{1,2}:\\d{2} [AP]M .+\\)\\."),
                status.getText());
            // The last refresh is the failed one; it says what the table still shows.
            WebElement last = browser.find(By.id("last-refresh"));
            browser.waitFor("the failed run",
                d -> last.getText().contains("failed") && last.getText().contains("still shows"));
            assertTrue(last.findElement(By.className("shown-run")).getText()
                .startsWith("The page still shows run 1, the last successful refresh (finished "), last.getText());
            assertEquals(51, page.rows().size());
            assertEquals("0.8000", ratio(page.row("NY")));
            assertTrue(finishedAt != null);
        }
    }

    @Test
    void aRefreshMadeElsewhereIsShownWholeNotJoinedToTheWeeksLoadedBefore() {
        browser.require();
        // The HEAD /ratios with If-Match that finds the product changed answers 412.
        browser.expectConsoleError(Pattern.compile("/ratios - Failed to load resource: the server responded with a "
            + "status of 412"));
        // A warehouse of its own, its moderna at a path of its own, which gains a week for New York
        // (6,000 people) after the page has loaded: 7,500 doses up to Jan 4, 2021, then 9,500, then 10,500.
        String fixture = new String(Fixtures.bytes("moderna.csv"), StandardCharsets.UTF_8);
        Config config = ownWarehouse("/elsewhere-moderna.csv", fixture);
        try (RunningApp app = RunningApp.start(config)) {
            app.given().post("/refresh").then().statusCode(200);
            awaitServed(app, "0.8");
            page.open(app);
            WebElement week = browser.find(By.id("week"));
            WebElement last = browser.find(By.id("last-refresh"));
            browser.waitFor("the last refresh", d -> !last.findElements(By.tagName("time")).isEmpty());
            week.sendKeys(Keys.HOME);
            browser.waitFor("New York as of Dec 28, 2020", d -> "8.5714".equals(ratio(page.row("NY"))));

            // Another client refreshes: the slider's newest position is the new product, whose newest
            // week the page did not know. Its numbers come with its weeks and its last refresh.
            fixture += "\"New York\",\"2021-01-11T00:00:00.000\",\"1000\",\"1000\"\n";
            loaded.upstream().serve("/elsewhere-moderna.csv", fixture.getBytes(StandardCharsets.UTF_8));
            app.given().post("/refresh").then().statusCode(200);
            awaitServed(app, "0.6316");
            week.sendKeys(Keys.END);
            browser.waitFor("New York as of the new product", d -> "0.6316".equals(ratio(page.row("NY"))));
            assertEquals("2021-01-11", browser.find(By.cssSelector("#week-label time")).getAttribute("datetime"));
            assertEquals("2", week.getAttribute("max"), "the new product's three weeks");
            assertEquals("2", week.getAttribute("value"));
            assertEquals("Jan 11, 2021, the latest week", week.getAttribute("aria-valuetext"));
            String second = app.given().get("/refreshes?limit=1").jsonPath().getString("[0].finished_at");
            browser.waitFor("the new last refresh", d -> second.equals(
                last.findElement(By.tagName("time")).getAttribute("datetime")));
            assertTrue(browser.find(By.id("load-status")).getText().startsWith("The data changed since this page "
                + "loaded it"), browser.find(By.id("load-status")).getText());

            // Again, and the page asks for an earlier week (as_of): the week is kept, of the new product.
            fixture += "\"New York\",\"2021-01-18T00:00:00.000\",\"500\",\"500\"\n";
            loaded.upstream().serve("/elsewhere-moderna.csv", fixture.getBytes(StandardCharsets.UTF_8));
            app.given().post("/refresh").then().statusCode(200);
            awaitServed(app, "0.5714");
            week.sendKeys(Keys.ARROW_LEFT);
            browser.waitFor("the fourth week known", d -> "3".equals(week.getAttribute("max")));
            browser.waitFor("New York as of Jan 4, 2021", d -> "0.8000".equals(ratio(page.row("NY"))));
            assertEquals("1", week.getAttribute("value"));
            assertEquals("2021-01-04", browser.find(By.cssSelector("#week-label time")).getAttribute("datetime"));
            String third = app.given().get("/refreshes?limit=1").jsonPath().getString("[0].finished_at");
            browser.waitFor("the third last refresh", d -> third.equals(
                last.findElement(By.tagName("time")).getAttribute("datetime")));

            // And once more, then New York is selected: its weeks are the new product's, and so is the rest.
            fixture += "\"New York\",\"2021-01-25T00:00:00.000\",\"1500\",\"1500\"\n";
            loaded.upstream().serve("/elsewhere-moderna.csv", fixture.getBytes(StandardCharsets.UTF_8));
            app.given().post("/refresh").then().statusCode(200);
            awaitServed(app, "0.4444");
            page.tile("NY").click();
            browser.waitFor("the fifth week known", d -> "4".equals(week.getAttribute("max")));
            browser.waitFor("New York's five weeks", d -> page.trendTable().size() == 5);
            assertEquals(List.of("Jan 25, 2021", "3,000", "0", "13,500", "0.4444"), page.trendTable().get(4));
            browser.waitFor("New York as of the week kept", d -> "0.8000".equals(ratio(page.row("NY"))));
            assertEquals("1", week.getAttribute("value"), "the week shown is kept");
            String fourth = app.given().get("/refreshes?limit=1").jsonPath().getString("[0].finished_at");
            browser.waitFor("the fourth last refresh", d -> fourth.equals(
                last.findElement(By.tagName("time")).getAttribute("datetime")));
            browser.get("about:blank"); // no connection of the page's holds up the service's stop
        }
    }

    /** A warehouse of its own, its moderna served at {@code path} as {@code moderna} (to change later there). */
    private static Config ownWarehouse(String path, String moderna) {
        loaded.upstream().serve(path, moderna.getBytes(StandardCharsets.UTF_8));
        return ConfigBuilder.from(loaded.upstream().serveFixtureSources(TestWarehouse.newDatabase()))
            .moderna(loaded.upstream().url(path)).build();
    }

    /** Waits until {@code app} serves New York's people per dose as {@code value} (its product reloaded). */
    private static void awaitServed(RunningApp app, String value) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!value.equals(app.given().get("/ratios/NY").path("people_per_dose").toString())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("New York's people per dose never became " + value);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void refreshNowWhileAnotherRefreshRunsFollowsThatOne() throws InterruptedException {
        browser.require();
        // The 409 of POST /refresh while another runs.
        browser.expectConsoleError(Pattern.compile("/refresh - Failed to load resource: the server responded with a "
            + "status of 409"));
        // A warehouse of its own, its moderna at a path of its own: once the fixture, then the same rows
        // in other bytes (CRLF), held in flight until the test releases them.
        String fixture = new String(Fixtures.bytes("moderna.csv"), StandardCharsets.UTF_8);
        Config config = ownWarehouse("/running-moderna.csv", fixture);
        try (RunningApp app = RunningApp.start(config)) {
            app.given().post("/refresh").then().statusCode(200);
            page.open(app);
            FixtureServer.Hold hold = loaded.upstream().serveHeld("/running-moderna.csv",
                fixture.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
            WebElement status = browser.find(By.id("refresh-status"));
            try {
                // Another client's refresh: run 2, running while its moderna is held.
                app.given().header("Prefer", "respond-async").post("/refresh").then().statusCode(202);
                hold.awaitRequested();
                page.watchRefreshStatus();
                browser.find(By.id("refresh-button")).click();
                browser.waitFor("the run followed", d -> status.getText().startsWith("Another refresh is running, run 2"));
                assertTrue(status.getText().matches("Another refresh is running, run 2( \\(\\d+ s\\))?: the page follows it "
                    + "to its end\\."), status.getText());
                assertFalse(browser.find(By.id("refresh-button")).isEnabled(), "no second refresh meanwhile");
            } finally {
                hold.release();
            }
            browser.waitFor("its result", d -> status.getText().contains("Refresh done"));
            assertTrue(status.getText().matches("Another refresh was already running \\(run 2\\), so the page followed "
                + "it instead of starting one\\. Refresh done: 51 state rows in [0-9.,]+ m?s \\(run 2\\)\\."),
                status.getText());
            assertTrue(page.seenStatuses().stream().noneMatch(t -> t.contains("failed")), page.seenStatuses().toString());
            assertTrue(browser.find(By.id("refresh-button")).isEnabled());
            assertEquals(2L, lastRunId(app), "the page started no refresh of its own");
            browser.get("about:blank"); // no connection of the page's holds up the service's stop
        }
    }

    @Test
    void aCheckOnTheRunThatGetsNoAnswerIsAskedAgain() {
        page.open(loaded.app());
        long runBefore = lastRunId(loaded.app());
        // The first two checks on the run fail, as in a warehouse blip: a 503 problem, then no
        // answer at all. (Faked in the page's fetch: a real blip would end the run too.)
        browser.script("""
            const real = window.fetch;
            let failures = 0;
            window.fetch = (url, init) => {
              if (/\\/refreshes\\/\\d+$/.test(String(url)) && failures < 2) {
                failures++;
                if (failures === 1) {
                  return Promise.resolve(new Response(JSON.stringify({ type: '/problems/warehouse-unavailable',
                    title: 'Warehouse unavailable', status: 503, detail: 'the warehouse does not answer' }),
                    { status: 503, headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '10' } }));
                }
                return Promise.reject(new TypeError('Failed to fetch'));
              }
              return real(url, init);
            };
            """);
        page.watchRefreshStatus();
        changeModerna(); // so that the refresh has something to build
        browser.find(By.id("refresh-button")).click();
        WebElement status = browser.find(By.id("refresh-status"));
        browser.waitFor("the refresh's result", d -> status.getText().startsWith("Refresh done")
            || status.getText().contains("failed") || status.getText().contains("did not answer"));
        assertTrue(status.getText().matches("Refresh done: 51 state rows in [0-9.,]+ m?s \\(run " + (runBefore + 1)
            + "\\)\\."), status.getText());
        List<String> seen = page.seenStatuses();
        assertTrue(seen.stream().anyMatch(t -> t.startsWith("Refreshing… run " + (runBefore + 1) + " is running")
            && t.contains("The last check got no answer (Warehouse unavailable: the warehouse does not answer): "
            + "asking again.")), seen.toString());
        assertTrue(seen.stream().anyMatch(t -> t.contains("The last check got no answer (Failed to fetch): asking "
            + "again.")), seen.toString());
        assertTrue(seen.stream().noneMatch(t -> t.contains("failed")), "no failure said: " + seen);
    }

    @Test
    void aRunTheServiceStopsAnsweringAboutIsGivenUpAfterThirtySecondsSayingItMayStillFinish() {
        page.open(loaded.app());
        long runBefore = lastRunId(loaded.app());
        // Every check on the run gets no answer, and each one moves the page's clock 11 s on: the
        // page's patience (30 s) runs out at the third, without the test waiting 30 s.
        browser.script("""
            const real = window.fetch;
            const realNow = Date.now;
            let skew = 0;
            Date.now = () => realNow() + skew;
            window.fetch = (url, init) => {
              if (/\\/refreshes\\/\\d+$/.test(String(url))) {
                skew += 11000;
                return Promise.reject(new TypeError('Failed to fetch'));
              }
              return real(url, init);
            };
            """);
        page.watchRefreshStatus();
        changeModerna();
        browser.find(By.id("refresh-button")).click();
        WebElement status = browser.find(By.id("refresh-status"));
        browser.waitFor("the page to give up", d -> status.getText().startsWith("Could not follow"));
        long run = runBefore + 1;
        assertEquals("Could not follow run " + run + " to its end: the service has not answered for 30 s (Failed to "
            + "fetch). The run may still finish: reload the page later to see how it ended.", status.getText());
        assertTrue(browser.find(By.id("refresh-button")).isEnabled(), "the button is given back");
        List<String> seen = page.seenStatuses();
        assertTrue(seen.stream().noneMatch(t -> t.contains("failed") || t.startsWith("Refresh done")), seen.toString());
        // The run itself went on in the service and ended well: the page only stopped asking.
        awaitRunEnded(loaded.app(), run);
        assertEquals("succeeded", loaded.given().get("/refreshes/" + run).path("status"));
        browser.get("about:blank");
    }

    private static void awaitRunEnded(RunningApp app, long run) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while ("running".equals(app.given().get("/refreshes/" + run).path("status"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run " + run + " never ended");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void theLastRefreshAndItsSourcesAreShownAndRefreshRuns() {
        // Other tests may have left an unchanged run last: start from a run that built the product.
        loaded.given().queryParam("force", "true").post("/refresh").then().statusCode(200);
        page.open(loaded.app());
        WebElement last = browser.find(By.id("last-refresh"));
        String finishedAt = loaded.given().get("/refreshes?limit=1").jsonPath().getString("[0].finished_at");
        browser.waitFor("the last refresh", d -> !last.findElements(By.cssSelector("time")).isEmpty());
        assertEquals(finishedAt, last.findElement(By.tagName("time")).getAttribute("datetime"));
        String text = last.getText();
        assertTrue(text.contains("succeeded") && text.contains("51"), text);
        String moderna = Fixtures.sha256(modernaServed());
        assertTrue(text.contains(loaded.upstream().url("/moderna.csv").toString()), text);
        assertTrue(text.contains("8 rows") && text.contains("7 rows") && text.contains("53 rows"), text);
        assertTrue(text.contains(moderna.substring(0, 12)) && !text.contains(moderna), "SHA-256, short: " + text);

        long runBefore = lastRunId(loaded.app());
        WebElement button = browser.find(By.id("refresh-button"));
        page.watchRefreshStatus();
        changeModerna(); // so that the refresh has something to build
        button.click();
        WebElement status = browser.find(By.id("refresh-status"));
        browser.waitFor("the refresh's result", d -> status.getText().startsWith("Refresh done"));
        assertTrue(status.getText().matches("Refresh done: 51 state rows in [0-9.,]+ m?s \\(run " + (runBefore + 1)
            + "\\)\\."), status.getText());
        assertEquals("status", status.getAttribute("role"));
        assertTrue(button.isEnabled());
        assertTrue(page.seenStatuses().stream().anyMatch(s -> s.startsWith("Refreshing…") && s.endsWith("|disabled")),
            "progress shown with the button disabled: " + page.seenStatuses());
        // Asked asynchronously (Prefer: respond-async), then followed: the run's progress shows.
        assertTrue(page.seenStatuses().stream().anyMatch(s -> s.startsWith("Refreshing… run " + (runBefore + 1)
            + " is running")), "the run followed: " + page.seenStatuses());
        String newFinishedAt = loaded.given().get("/refreshes?limit=1").jsonPath().getString("[0].finished_at");
        browser.waitFor("the new refresh's time", d -> newFinishedAt.equals(
            last.findElement(By.tagName("time")).getAttribute("datetime")));
        assertEquals(51, page.rows().size());

        // Again, with nothing changed upstream: the page says so, and the panel shows the run.
        button.click();
        browser.waitFor("the unchanged refresh's result", d -> status.getText().startsWith("Nothing changed"));
        assertTrue(status.getText().matches("Nothing changed in the sources since the last refresh: the table stays "
            + "as it was \\(run " + (runBefore + 2) + ", [0-9.,]+ m?s\\)\\."), status.getText());
        browser.waitFor("the unchanged run in the panel", d -> last.getText().contains("unchanged"));
        assertEquals(3, last.findElements(By.cssSelector(".source-unchanged")).size(), last.getText());
        assertEquals("unchanged", last.findElement(By.cssSelector(".status-badge")).getText());
        // An unchanged run is a success: no note that the page "still shows" an earlier run (it named
        // this very run as the last successful refresh).
        assertEquals(List.of(), last.findElements(By.className("shown-run")), last.getText());
        assertFalse(last.getText().contains("still shows"), last.getText());
    }

    /** Serves moderna's fixture with its line ends swapped (LF, CRLF): the same rows in other bytes. */
    private void changeModerna() {
        modernaCrlf = !modernaCrlf;
        loaded.upstream().serve("/moderna.csv", modernaServed());
    }

    /** The moderna bytes the upstream serves now: the fixture, with CRLF line ends after an odd number of changes. */
    private byte[] modernaServed() {
        String text = new String(Fixtures.bytes("moderna.csv"), StandardCharsets.UTF_8);
        return (modernaCrlf ? text.replace("\n", "\r\n") : text).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aServiceWithATokenAsksForItAndSaysWhenItIsWrong() throws IOException {
        // The browser logs each 401 answer to fetch as a console error: those are expected here.
        Pattern refused = Pattern.compile("/refresh - Failed to load resource: the server responded "
            + "with a status of 401");
        browser.expectConsoleError(refused);
        page.open(locked);
        WebElement form = browser.find(By.id("token-form"));
        WebElement status = browser.find(By.id("refresh-status"));
        assertFalse(form.isDisplayed());

        browser.find(By.id("refresh-button")).click();
        browser.waitFor("the token form", d -> form.isDisplayed());
        WebElement input = browser.find(By.id("token"));
        assertEquals(input, browser.focused(), "the token field has the focus");
        assertEquals("password", input.getAttribute("type"));
        assertEquals("Refresh token", browser.find(By.cssSelector("label[for=token]")).getText());
        assertEquals("A refresh token is needed (Unauthorized): enter it below.", status.getText());

        input.sendKeys("wrong");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        browser.waitFor("the 401 problem", d -> status.getText().startsWith("Refresh refused"));
        assertEquals("Refresh refused. Unauthorized: the bearer token is not the refresh token", status.getText());
        assertEquals("That token was refused. Check it and try again.",
            browser.find(By.id("token-hint")).getText());
        assertEquals("true", input.getAttribute("aria-invalid"));
        assertEquals("", input.getAttribute("value"), "a refused token is not kept");
        browser.screenshot(Path.of("target", "dashboard-token.png"));
        // The console does report to this test: the two 401 answers, and nothing else.
        List<String> errors = browser.consoleErrors();
        assertEquals(2, errors.size(), errors.toString());
        assertTrue(errors.stream().allMatch(e -> refused.matcher(e).find()), errors.toString());

        long runBefore = lastRunId(locked);
        changeModerna(); // so that the refresh has something to build
        input.sendKeys(TOKEN, Keys.ENTER);
        browser.waitFor("the refresh's result", d -> status.getText().startsWith("Refresh done"));
        assertTrue(status.getText().startsWith("Refresh done: 51 state rows in "), status.getText());
        assertFalse(form.isDisplayed());
        assertEquals(runBefore + 1, lastRunId(locked));

        // The token stays in the page's memory (no second prompt), and nowhere else.
        browser.find(By.id("refresh-button")).click();
        // (Nothing changed since: an unchanged run, which the page reports with its number too.)
        browser.waitFor("the second refresh", d -> status.getText().contains("(run " + (runBefore + 2) + ","));
        assertFalse(form.isDisplayed());
        assertEquals(0L, browser.script(
            "return localStorage.length + sessionStorage.length + document.cookie.length;"));
    }

    /**
     * A refresh fails while the page shows an older product than the service's (another client's
     * refresh came in meanwhile): the page said "still shows run 2" over run 1's numbers. It now
     * brings its product up to the service's first.
     */
    @Test
    void afterAFailedRefreshThePageShowsTheRunItSaysItShows() {
        browser.require();
        browser.expectConsoleError(Pattern.compile("/ratios - Failed to load resource: the server responded with a "
            + "status of 412"));
        String fixture = new String(Fixtures.bytes("moderna.csv"), StandardCharsets.UTF_8);
        Config good = ownWarehouse("/caught-moderna.csv", fixture);
        Config broken = ConfigBuilder.from(good).moderna(loaded.upstream().url("/no-such-moderna.csv")).build();
        try (RunningApp other = RunningApp.start(good)) {
            other.given().post("/refresh").then().statusCode(200);
            try (RunningApp failing = RunningApp.start(broken)) {
                page.open(failing);
                assertEquals("0.8000", ratio(page.row("NY")));
                // Another client's refresh, elsewhere: run 2, a week more for New York.
                loaded.upstream().serve("/caught-moderna.csv", (fixture
                    + "\"New York\",\"2021-01-11T00:00:00.000\",\"1000\",\"1000\"\n").getBytes(StandardCharsets.UTF_8));
                other.given().post("/refresh").then().statusCode(200);
                awaitServed(failing, "0.6316");
                browser.find(By.id("refresh-button")).click();
                WebElement status = browser.find(By.id("refresh-status"));
                browser.waitFor("the failure and the run shown", d -> status.getText().contains("still shows"));
                assertTrue(status.getText().startsWith("Refresh failed (run 3). "), status.getText());
                assertTrue(status.getText().contains("The page still shows run 2, the last successful refresh"),
                    status.getText());
                browser.waitFor("run 2's numbers", d -> "0.6316".equals(ratio(page.row("NY"))));
                browser.get("about:blank");
            }
        }
    }

    /**
     * A refresh that finds nothing changed while the page shows an earlier week: "the table stays as
     * it was", and the page jumped to the newest week. The week shown stays.
     */
    @Test
    void anUnchangedRefreshKeepsTheWeekShown() {
        browser.require();
        loaded.given().post("/refresh").then().statusCode(200);
        page.open(loaded.app());
        WebElement week = browser.find(By.id("week"));
        week.sendKeys(Keys.HOME);
        browser.waitFor("New York as of Dec 28, 2020", d -> "8.5714".equals(ratio(page.row("NY"))));
        long runBefore = lastRunId(loaded.app());
        browser.find(By.id("refresh-button")).click();
        WebElement status = browser.find(By.id("refresh-status"));
        browser.waitFor("the unchanged run", d -> status.getText().startsWith("Nothing changed"));
        assertTrue(status.getText().contains("(run " + (runBefore + 1) + ","), status.getText());
        browser.waitFor("the last refresh", d -> browser.find(By.id("last-refresh")).getText().contains("unchanged"));
        assertEquals("0", week.getAttribute("value"), "the week shown stays");
        assertEquals("8.5714", ratio(page.row("NY")));
        browser.get("about:blank");
    }

    /**
     * The last refresh shown while a run elsewhere is running: it said "running" after the run had
     * ended, until the page read something else. It follows the run to its end.
     */
    @Test
    void theLastRefreshShownRunningFollowsTheRunToItsEnd() throws InterruptedException {
        browser.require();
        // The HEAD /ratios with If-Match that finds the run's product new answers 412.
        browser.expectConsoleError(Pattern.compile("/ratios - Failed to load resource: the server responded with a "
            + "status of 412"));
        String fixture = new String(Fixtures.bytes("moderna.csv"), StandardCharsets.UTF_8);
        Config config = ownWarehouse("/boxed-moderna.csv", fixture);
        try (RunningApp app = RunningApp.start(config)) {
            app.given().post("/refresh").then().statusCode(200);
            FixtureServer.Hold hold = loaded.upstream().serveHeld("/boxed-moderna.csv",
                fixture.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
            WebElement last;
            try {
                app.given().header("Prefer", "respond-async").post("/refresh").then().statusCode(202);
                hold.awaitRequested();
                page.open(app);
                last = browser.find(By.id("last-refresh"));
                browser.waitFor("the run running", d -> last.getText().contains("running"));
            } finally {
                hold.release();
            }
            browser.waitFor("the run's end, without a read of the page's", d -> last.getText().contains("succeeded"));
            assertFalse(last.getText().contains("running"), last.getText());
            browser.get("about:blank");
        }
    }

    /**
     * A token with a character beyond ASCII: fetch refuses to send it, and the page said the
     * service did not answer, for every later click. The form says what is wrong, and nothing is sent.
     */
    @Test
    void aTokenNoHeaderCanCarryIsSaidSo() {
        browser.require();
        browser.expectConsoleError(Pattern.compile("/refresh - Failed to load resource: the server responded "
            + "with a status of 401"));
        page.open(locked);
        WebElement form = browser.find(By.id("token-form"));
        browser.find(By.id("refresh-button")).click();
        browser.waitFor("the token form", d -> form.isDisplayed());
        long runBefore = lastRunId(locked);
        browser.find(By.id("token")).sendKeys(TOKEN + "\u20ac", Keys.ENTER);
        WebElement hint = browser.find(By.id("token-hint"));
        browser.waitFor("the hint", d -> hint.getText().startsWith("That token cannot be"));
        assertEquals("That token cannot be the service's: a refresh token holds only ASCII letters, digits, signs and "
            + "spaces, and this one has other characters. Check it and try again.", hint.getText());
        assertTrue(form.isDisplayed());
        assertFalse(browser.find(By.id("refresh-status")).getText().contains("did not answer"));
        assertEquals(runBefore, lastRunId(locked), "nothing was sent");
        browser.get("about:blank");
    }

    /**
     * On a phone's screen the chart's text is larger (19 units, not 11): a tick of five characters
     * ("10.00") was cut at the chart's left edge, "32.5K" reading "2.5K". Every text of the chart is
     * inside it; and the week's cursor is behind the text, which it covered ("Dos▮ allocated").
     */
    @Test
    void onAPhoneEveryTextOfTheChartIsWholeAndTheCursorBehindIt() {
        browser.require();
        String fixture = new String(Fixtures.bytes("moderna.csv"), StandardCharsets.UTF_8)
            + "\"New York\",\"2020-12-21T00:00:00.000\",\"300\",\"300\"\n"; // 6,000 people / 600: 10.00
        Config config = ownWarehouse("/phone-moderna.csv", fixture);
        try (RunningApp app = RunningApp.start(config)) {
            app.given().post("/refresh").then().statusCode(200);
            browser.cdp("Emulation.setDeviceMetricsOverride", java.util.Map.of(
                "width", 375, "height", 812, "deviceScaleFactor", 2, "mobile", true));
            page.open(app);
            page.tile("NY").click();
            browser.waitFor("New York's chart", d -> !browser.findAll(By.cssSelector("#trend-chart svg .trend-tick"))
                .isEmpty());
            assertEquals("10.00", browser.find(By.cssSelector("#trend-chart svg .trend-tick")).getAttribute(
                "textContent"), "the axis's top value");
            @SuppressWarnings("unchecked")
            List<List<Object>> texts = (List<List<Object>>) browser.script("""
                const chart = document.querySelector('#trend-chart svg');
                return [...chart.querySelectorAll('text')].map((t) => {
                  const box = t.getBBox();
                  return [t.textContent, box.x, box.x + box.width];
                });
                """);
            assertTrue(texts.size() >= 6, texts.toString());
            for (List<Object> text : texts) {
                assertTrue(((Number) text.get(1)).doubleValue() >= 0 && ((Number) text.get(2)).doubleValue() <= 640,
                    "inside the chart: " + text);
            }
            assertEquals(Boolean.TRUE, browser.script("""
                const chart = document.querySelector('#trend-chart svg');
                const cursor = chart.querySelector('.trend-cursor');
                return Boolean(cursor.compareDocumentPosition(chart.querySelector('.trend-axes'))
                  & Node.DOCUMENT_POSITION_FOLLOWING);
                """), "the cursor is drawn before the axes' text");
            browser.get("about:blank");
        } finally {
            browser.cdp("Emulation.clearDeviceMetricsOverride", java.util.Map.of());
        }
    }

    private long lastRunId(RunningApp running) {
        return running.given().get("/refreshes?limit=1").jsonPath().getLong("[0].run_id");
    }
}
