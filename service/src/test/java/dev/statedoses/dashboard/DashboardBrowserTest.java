package dev.statedoses.dashboard;

import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import io.restassured.specification.SpecificationQuerier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard (GET /) in a real browser: Debian's Chromium, headless, driven by its chromedriver,
 * against the real service on the fixture sources (numbers: fixtures/README.md; weeks 2020-12-28 and
 * 2021-01-04: AsOfAndWeeklyTest). A second service on the same warehouse has a refresh token.
 *
 * <p>Without /usr/bin/chromium or /usr/bin/chromedriver (apt-get install chromium chromium-driver;
 * .ci/run does it) the browser tests are skipped, saying so; the HTTP checks of the page still run.
 * Nothing is downloaded: the driver is the system's, so Selenium Manager never runs.
 * Screenshots go to service/target/dashboard*.png.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TOKEN = "t0ken";

    /** Every state and DC by USPS code. */
    private static final Set<String> CODES = new TreeSet<>(List.of(
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
        "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC",
        "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"));

    private FixtureServer upstream;
    private boolean modernaCrlf;
    private RunningApp app;
    private RunningApp locked;
    private RunningApp empty;

    private Path profile;
    private ChromeDriverService service;
    private ChromeDriver driver;
    private String skipReason;
    /** Console lines a test expects (the browser reports every 4xx answer to fetch as an error). */
    private final List<Pattern> expectedConsoleErrors = new ArrayList<>();

    @BeforeAll
    void start() throws IOException {
        upstream = FixtureServer.start();
        Config config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
        app = RunningApp.start(config);
        app.given().post("/refresh").then().statusCode(200);
        locked = RunningApp.start(config.withRefreshToken(TOKEN));
        empty = RunningApp.start(TestWarehouse.newDatabase());

        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            skipReason = "No browser to test the dashboard in: " + (Files.isExecutable(CHROMIUM) ? "" : CHROMIUM + " ")
                + (Files.isExecutable(CHROMEDRIVER) ? "" : CHROMEDRIVER + " ")
                + "missing (apt-get install -y chromium chromium-driver, as .ci/run does)";
            System.err.println("DashboardBrowserTest: " + skipReason);
            return;
        }
        profile = Files.createTempDirectory("dashboard-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
            "--lang=en-US", "--window-size=1280,1000", "--user-data-dir=" + profile);
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        // The system's chromedriver, named explicitly: Selenium Manager has nothing to look up or download.
        service = new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT);
    }

    @AfterAll
    void stop() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Stream.of(empty, locked, app).filter(a -> a != null).forEach(RunningApp::close);
        if (upstream != null) {
            upstream.close();
        }
    }

    /** The browser's console after each test: no errors but those the test expected. */
    @AfterEach
    void noConsoleErrors() {
        if (driver == null) {
            return;
        }
        List<String> errors = consoleErrors().stream()
            .filter(m -> expectedConsoleErrors.stream().noneMatch(p -> p.matcher(m).find()))
            .toList();
        expectedConsoleErrors.clear();
        assertEquals(List.of(), errors, "errors in the browser console");
    }

    // --- over HTTP (no browser needed) -----------------------------------------------------------

    @Test
    void thePageAndItsFilesComeFromTheServiceWithAStrictPolicy() {
        String page = app.given().get("/").then()
            .statusCode(200).contentType(startsWith("text/html"))
            .header("Content-Security-Policy", startsWith("default-src 'self';"))
            .header("X-Content-Type-Options", "nosniff")
            .extract().asString();
        assertFalse(page.matches("(?s).*https?://.*"), "the page names another host");
        assertFalse(page.contains("<style") || page.contains(" style=") || page.matches("(?s).*<script>.*"),
            "inline styles or scripts would break under the policy");

        List<String> references = new ArrayList<>();
        Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page);
        while (m.find()) {
            references.add(m.group(1));
        }
        assertTrue(references.containsAll(List.of("/dashboard/dashboard.css", "/dashboard/dashboard.js",
            "/dashboard/icon.svg")), references.toString());
        for (String reference : references) {
            if (reference.startsWith("#")) {
                continue; // the skip link, within the page
            }
            assertTrue(reference.startsWith("/") && !reference.startsWith("//"), "not local: " + reference);
            String path = reference.replaceFirst("[?#].*", "");
            app.given().get(path).then().statusCode(200);
        }
        app.given().get("/dashboard/dashboard.js").then()
            .contentType("text/javascript; charset=utf-8")
            .header("Content-Security-Policy", startsWith("default-src 'self';"));
        app.given().get("/dashboard/dashboard.css").then().contentType("text/css; charset=utf-8");
        app.given().get("/dashboard/icon.svg").then().contentType("image/svg+xml");
    }

    @Test
    void onlyTheAllowedFilesAreServed() {
        for (String path : List.of("/dashboard/index.html", "/dashboard/Dashboard.class", "/dashboard/logback.xml",
            "/dashboard/..%2Flogback.xml", "/dashboard/%2e%2e%2fsql%2fbuild_state_doses.sql", "/dashboard/")) {
            int status = app.given().urlEncodingEnabled(false).get(path).statusCode();
            assertTrue(status == 404 || status == 400, path + " answered " + status);
        }
    }

    @Test
    void anUnchangedFileIsNotSentAgain() {
        String etag = app.given().get("/dashboard/dashboard.js").then().statusCode(200)
            .header("Cache-Control", "no-cache").extract().header("ETag");
        app.given().header("If-None-Match", etag).get("/dashboard/dashboard.js").then()
            .statusCode(304).body(emptyString());
        app.given().header("If-None-Match", "\"other\"").get("/dashboard/dashboard.js").then().statusCode(200);
        String page = app.given().get("/").header("ETag");
        app.given().header("If-None-Match", page).get("/").then().statusCode(304);
    }

    // --- in the browser --------------------------------------------------------------------------

    @Test
    void theMapHasATileForEveryStateInTheUsualPlaces() {
        open(app);
        List<WebElement> tiles = driver.findElements(By.cssSelector("#map [data-state-code]"));
        assertEquals(51, tiles.size());
        assertEquals(CODES, tiles.stream().map(t -> t.getAttribute("data-state-code"))
            .collect(Collectors.toCollection(TreeSet::new)));
        for (WebElement tile : tiles) {
            assertEquals("0", tile.getAttribute("tabindex"), "focusable: " + tile.getAttribute("data-state-code"));
        }

        // The 8 × 12 grid: Alaska top left, Maine top right, Hawaii bottom left, Florida at the bottom.
        Map<String, Rectangle> at = tiles.stream()
            .collect(Collectors.toMap(t -> t.getAttribute("data-state-code"), WebElement::getRect));
        int top = at.values().stream().mapToInt(Rectangle::getY).min().orElseThrow();
        int bottom = at.values().stream().mapToInt(Rectangle::getY).max().orElseThrow();
        int left = at.values().stream().mapToInt(Rectangle::getX).min().orElseThrow();
        int right = at.values().stream().mapToInt(Rectangle::getX).max().orElseThrow();
        assertEquals(List.of(top, left), List.of(at.get("AK").getY(), at.get("AK").getX()), "AK top left");
        assertEquals(List.of(top, right), List.of(at.get("ME").getY(), at.get("ME").getX()), "ME top right");
        assertEquals(List.of(bottom, left), List.of(at.get("HI").getY(), at.get("HI").getX()), "HI bottom left");
        assertEquals(bottom, at.get("FL").getY(), "FL at the bottom");
        assertEquals(bottom, at.get("TX").getY(), "TX at the bottom");
        assertTrue(at.get("CA").getX() < at.get("UT").getX() && at.get("OR").getX() < at.get("NV").getX());
        assertTrue(at.get("NY").getY() < at.get("PA").getY() && at.get("WA").getY() < at.get("OR").getY());
        assertEquals(at.get("WA").getY(), at.get("MA").getY(), "WA and MA on one row");
        Rectangle alaska = at.get("AK");
        assertTrue(alaska.getWidth() > 20 && Math.abs(alaska.getWidth() - alaska.getHeight()) <= 1,
            "square tiles: " + alaska.getDimension());

        WebElement map = driver.findElement(By.id("map"));
        assertEquals("ul", map.getTagName(), "the tiles are a list");
        assertFalse(map.getAttribute("aria-label").isBlank());

        // Values and colours: a sequential scale, and a distinct colour for no data.
        assertEquals("New York: 0.80 people per dose", tile("NY").getAttribute("aria-label"));
        assertEquals("Illinois: 0.83 people per dose", tile("IL").getAttribute("aria-label"));
        assertEquals("Vermont: 1.76 people per dose", tile("VT").getAttribute("aria-label"));
        assertEquals("Alaska: no doses (no data)", tile("AK").getAttribute("aria-label"));
        assertTrue(classes(tile("NY")).contains("bin-1"), classes(tile("NY")).toString());
        assertTrue(classes(tile("VT")).contains("bin-5"), classes(tile("VT")).toString());
        assertTrue(classes(tile("AK")).contains("no-data"), classes(tile("AK")).toString());
        assertTrue(classes(tile("TX")).contains("no-data"), classes(tile("TX")).toString());
        String lightest = tile("NY").getCssValue("background-color");
        String darkest = tile("VT").getCssValue("background-color");
        String none = tile("AK").getCssValue("background-image");
        assertFalse(lightest.equals(darkest), "two ends of the scale, two colours");
        assertTrue(none.contains("gradient"), "no data is hatched: " + none);

        List<String> legend = driver.findElements(By.cssSelector("#legend li")).stream()
            .map(WebElement::getText).toList();
        // Three values: a colour each, from the lightest to the darkest (more would make five groups).
        assertEquals(List.of("0.80", "0.83", "1.76", "No doses (no data)"), legend);
        assertTrue(classes(tile("IL")).contains("bin-3"), classes(tile("IL")).toString());
    }

    @Test
    void aTileShowsItsValueOnHoverAndOnFocus() {
        open(app);
        WebElement tip = tile("NY").findElement(By.className("tip"));
        assertFalse(tip.isDisplayed());
        new Actions(driver).moveToElement(tile("NY")).perform();
        waitFor("the tooltip on hover", d -> tip.isDisplayed());
        assertEquals("New York\n0.8000 people per dose\n6,000 people · 7,500 doses", tip.getText());

        // From the week slider, Tab goes to the first tile of the map (Alaska), and shows its value.
        new Actions(driver).moveToElement(driver.findElement(By.tagName("h1"))).perform();
        driver.findElement(By.id("week")).sendKeys(Keys.TAB);
        WebElement focused = driver.switchTo().activeElement();
        assertEquals("AK", focused.getAttribute("data-state-code"));
        WebElement alaska = focused.findElement(By.className("tip"));
        waitFor("the tooltip on focus", d -> alaska.isDisplayed());
        assertTrue(alaska.getText().startsWith("Alaska\nno doses"), alaska.getText());
    }

    @Test
    void theTableHasEveryStateWithNumbersForPeople() {
        open(app);
        List<WebElement> rows = rows();
        assertEquals(51, rows.size());
        assertEquals("Alabama", name(rows.get(0)), "by state at first");
        assertEquals("ascending", header("state").getAttribute("aria-sort"));
        WebElement ny = driver.findElement(By.cssSelector("#states tbody tr[data-state-code=NY]"));
        // State, people per dose, population, all doses, Moderna, Pfizer.
        assertEquals(List.of("New York", "0.8000", "6,000", "7,500", "3,500", "4,000"), cells(ny));
        WebElement al = driver.findElement(By.cssSelector("#states tbody tr[data-state-code=AL]"));
        assertEquals(List.of("Alabama", "no doses", "10,000", "0", "0", "0"), cells(al));
        assertEquals("Fewest people per dose: New York (0.80). Most: Vermont (1.76). 48 states have no doses yet.",
            driver.findElement(By.id("summary")).getText());
        assertEquals("row", ny.findElement(By.tagName("th")).getAttribute("scope"));
        assertEquals(6, driver.findElements(By.cssSelector("#states thead th[scope=col] button")).size());
    }

    @Test
    void everyColumnSorts() {
        open(app);
        header("people_per_dose").findElement(By.tagName("button")).click();
        assertEquals("ascending", header("people_per_dose").getAttribute("aria-sort"));
        assertEquals(null, header("state").getAttribute("aria-sort"), "one sorted column at a time");
        List<WebElement> rows = rows();
        assertEquals("New York", name(rows.get(0)));
        assertEquals("0.8000", ratio(rows.get(0)));
        assertEquals(List.of("Illinois", "0.8333"), List.of(name(rows.get(1)), ratio(rows.get(1))));
        assertEquals(List.of("Vermont", "1.7629"), List.of(name(rows.get(2)), ratio(rows.get(2))));
        assertEquals(List.of("Alabama", "no doses"), List.of(name(rows.get(3)), ratio(rows.get(3))),
            "states without doses last, by name");

        header("people_per_dose").findElement(By.tagName("button")).click();
        assertEquals("descending", header("people_per_dose").getAttribute("aria-sort"));
        rows = rows();
        assertEquals(List.of("Vermont", "Illinois", "New York", "Alabama"),
            rows.subList(0, 4).stream().map(DashboardBrowserTest::name).toList(), "no doses still last");

        // Numbers sort as numbers, not as text ("900" after "10,000").
        header("population").findElement(By.tagName("button")).click();
        assertEquals("ascending", header("population").getAttribute("aria-sort"));
        assertEquals(List.of("Alaska", "Vermont", "Illinois", "New York", "Alabama"),
            rows().subList(0, 5).stream().map(DashboardBrowserTest::name).toList());

        header("state").findElement(By.tagName("button")).click();
        header("state").findElement(By.tagName("button")).sendKeys(Keys.ENTER); // by keyboard: reversed
        assertEquals("descending", header("state").getAttribute("aria-sort"));
        assertEquals("Wyoming", name(rows().get(0)));
        assertTrue(caption().contains("Sorted by State, descending"), caption());
        assertEquals(caption(), driver.findElement(By.id("table-summary")).getText(), "what is read is what is shown");
    }

    @Test
    void theWeekSliderRedrawsMapAndTableAsOfThatWeek() {
        open(app);
        WebElement week = driver.findElement(By.id("week"));
        assertEquals("1", week.getAttribute("max"), "two weeks in the fixtures");
        assertEquals("1", week.getAttribute("value"), "the newest week: the current product");
        assertEquals("2021-01-04", driver.findElement(By.cssSelector("#week-label time")).getAttribute("datetime"));
        assertTrue(driver.findElement(By.id("week-label")).getText().toLowerCase(java.util.Locale.ROOT).contains("latest"));

        week.sendKeys(Keys.HOME);
        waitFor("New York as of 2020-12-28", d -> "8.5714".equals(ratio(row("NY"))));
        assertEquals("2020-12-28", driver.findElement(By.cssSelector("#week-label time")).getAttribute("datetime"));
        assertEquals("Dec 28, 2020", week.getAttribute("aria-valuetext"));
        assertEquals(List.of("New York", "8.5714", "6,000", "700", "700", "0"), cells(row("NY")));
        assertEquals("Fewest people per dose: New York (8.57). 50 states have no doses yet.",
            driver.findElement(By.id("summary")).getText());
        assertEquals("no doses", ratio(row("IL")), "Illinois had no doses yet");
        assertEquals("New York: 8.57 people per dose", tile("NY").getAttribute("aria-label"));
        assertTrue(classes(tile("IL")).contains("no-data"));
        assertTrue(caption().contains("up to the week of Dec 28, 2020"), caption());
        assertEquals(List.of("8.57", "No doses (no data)"), driver.findElements(By.cssSelector("#legend li")).stream()
            .map(WebElement::getText).toList(), "one value: one step of the scale");

        week.sendKeys(Keys.END);
        waitFor("New York as of the newest week", d -> "0.8000".equals(ratio(row("NY"))));
        assertEquals("0.8333", ratio(row("IL")));
        assertEquals("2021-01-04", driver.findElement(By.cssSelector("#week-label time")).getAttribute("datetime"));
    }

    @Test
    void selectingAStateShowsItsWeeksAsAChartAndATable() throws IOException {
        open(app);
        WebElement card = driver.findElement(By.id("trend"));
        assertFalse(card.isDisplayed(), "no state selected yet");

        // A click on New York's tile: its two weeks (AsOfAndWeeklyTest has the numbers).
        tile("NY").click();
        WebElement readout = driver.findElement(By.id("trend-readout"));
        waitFor("New York's weeks", d -> readout.getText().startsWith("Week of Jan 4, 2021"));
        assertTrue(card.isDisplayed());
        assertEquals("Week by week: New York", driver.findElement(By.id("trend-heading")).getText());
        assertEquals("true", tile("NY").getAttribute("aria-current"));
        assertEquals("true", row("NY").getAttribute("aria-current"));
        // The newest week first, as the week slider stands.
        assertEquals("Week of Jan 4, 2021: 2,800 Moderna and 4,000 Pfizer doses allocated; 7,500 doses to date, "
            + "0.8000 people per dose.", readout.getText());

        // The chart is an SVG of this page's own (role img, with a title and a description).
        WebElement chart = driver.findElement(By.cssSelector("#trend-chart svg"));
        assertEquals("img", chart.getAttribute("role"));
        assertEquals("People per dose and doses allocated per week, New York",
            chart.findElement(By.tagName("title")).getAttribute("textContent"));
        assertEquals("People per dose went from 8.57 in the week of Dec 28, 2020 to 0.80 in the week of Jan 4, "
            + "2021. Most doses in one week: 6,800, in the week of Jan 4, 2021.",
            chart.findElement(By.tagName("desc")).getAttribute("textContent"));
        // A point per week with a ratio: 8.5714 drawn above 0.8000 (SVG y grows downwards).
        List<WebElement> points = chart.findElements(By.cssSelector("circle.point"));
        assertEquals(2, points.size());
        assertTrue(y(points.get(0)) < y(points.get(1)), "the ratio falls");
        // Bars: 700 Moderna in the first week, 2,800 + 4,000 in the second: 6,800 is the full height.
        double first = height(chart, "2020-12-28", "bar-moderna");
        double second = height(chart, "2021-01-04", "bar-moderna") + height(chart, "2021-01-04", "bar-pfizer");
        assertEquals(0.0, height(chart, "2020-12-28", "bar-pfizer"));
        assertEquals(700.0 / 6800.0, first / second, 0.01);

        // The keyboard reads it week by week; the table has the same numbers for screen readers.
        driver.findElement(By.id("trend-chart")).sendKeys(Keys.ARROW_LEFT);
        waitFor("the first week", d -> readout.getText().startsWith("Week of Dec 28, 2020"));
        assertEquals("Week of Dec 28, 2020: 700 Moderna and 0 Pfizer doses allocated; 700 doses to date, "
            + "8.5714 people per dose.", readout.getText());
        assertEquals(List.of(List.of("Dec 28, 2020", "700", "0", "700", "8.5714"),
            List.of("Jan 4, 2021", "2,800", "4,000", "7,500", "0.8000")), trendTable());
        assertTrue(classes(driver.findElement(By.cssSelector("#trend-table tbody tr[data-week='2020-12-28']")))
            .contains("picked"), "the week read out is marked in the table too");
        driver.findElement(By.id("trend-chart")).sendKeys(Keys.END);
        waitFor("the last week", d -> readout.getText().startsWith("Week of Jan 4, 2021"));
        screenshot(Path.of("target", "dashboard-trend.png"));

        // The week slider moves the chart's week too.
        driver.findElement(By.id("week")).sendKeys(Keys.HOME);
        waitFor("the slider's week", d -> readout.getText().startsWith("Week of Dec 28, 2020"));
        driver.findElement(By.id("week")).sendKeys(Keys.END);
        waitFor("the table as of the newest week", d -> "0.8000".equals(ratio(row("NY"))));

        // By keyboard from the table: Illinois's name is a button.
        WebElement illinois = row("IL").findElement(By.cssSelector("button.state-select"));
        illinois.sendKeys(Keys.ENTER);
        waitFor("Illinois's weeks", d -> driver.findElement(By.id("trend-heading")).getText().endsWith("Illinois")
            && readout.getText().contains("3,600 doses to date"));
        assertEquals(driver.findElement(By.id("trend-heading")), driver.switchTo().activeElement(),
            "the focus follows to the weeks");
        assertEquals(List.of(List.of("Dec 28, 2020", "0", "0", "0", "no doses yet"),
            List.of("Jan 4, 2021", "0", "3,600", "3,600", "0.8333")), trendTable());
        assertEquals(1, driver.findElements(By.cssSelector("#trend-chart circle.point")).size(),
            "no point for a week without doses");
        assertEquals(null, tile("NY").getAttribute("aria-current"));

        // By keyboard from the map: Enter on Alaska's tile.
        tile("AK").sendKeys(Keys.ENTER);
        waitFor("Alaska's weeks", d -> readout.getText().equals("Week of Jan 4, 2021: 0 Moderna and 0 Pfizer doses "
            + "allocated; 0 doses to date, no doses yet."));
        assertEquals("Alaska has no doses in any week.", driver.findElement(
            By.cssSelector("#trend-chart svg desc")).getAttribute("textContent"));

        driver.findElement(By.id("trend-close")).click();
        assertFalse(card.isDisplayed());
        assertEquals("AK", driver.switchTo().activeElement().getAttribute("data-state-code"),
            "the focus goes back to the state's tile");
        assertEquals(null, tile("AK").getAttribute("aria-current"));
    }

    @Test
    void afterAFailedRefreshThePageSaysWhichRunItStillShows() {
        driver();
        // A warehouse of its own, so that the failed run is no other test's last refresh.
        Config good = upstream.serveFixtureSources(TestWarehouse.newDatabase());
        try (RunningApp first = RunningApp.start(good)) {
            first.given().post("/refresh").then().statusCode(200);
        }
        String finishedAt;
        Config broken = good.withSources(upstream.url("/no-such-moderna.csv"), good.pfizerUrl(),
            good.countyPopulationUrl());
        try (RunningApp failing = RunningApp.start(broken)) {
            finishedAt = failing.given().get("/refreshes/1").jsonPath().getString("finished_at");
            open(failing);
            // The browser logs the failed POST as a console error: expected here.
            expectedConsoleErrors.add(Pattern.compile("/refresh - Failed to load resource: the server responded "
                + "with a status of 502"));
            driver.findElement(By.id("refresh-button")).click();
            WebElement status = driver.findElement(By.id("refresh-status"));
            waitFor("the failure and the run shown", d -> status.getText().contains("still shows"));
            // The page asks with Prefer: respond-async, so the failure is the run's (run 2) outcome.
            assertTrue(status.getText().matches("Refresh failed \\(run 2\\)\\. moderna source \\(http://"
                + "127\\.0\\.0\\.1:\\d+/no-such-moderna\\.csv\\): upstream answered HTTP 404 The page still shows run 1, "
                + "the last successful refresh \\(finished [A-Z][a-z]{2} \\d{1,2}, \\d{4}, \\d{1,2}:\\d{2} [AP]M .+\\)\\."),
                status.getText());
            // The last refresh is the failed one; it says what the table still shows.
            WebElement last = driver.findElement(By.id("last-refresh"));
            waitFor("the failed run", d -> last.getText().contains("failed") && last.getText().contains("still shows"));
            assertTrue(last.findElement(By.className("shown-run")).getText()
                .startsWith("The page still shows run 1, the last successful refresh (finished "), last.getText());
            assertEquals(51, rows().size());
            assertEquals("0.8000", ratio(row("NY")));
            assertTrue(finishedAt != null);
        }
    }

    @Test
    void theLastRefreshAndItsSourcesAreShownAndRefreshRuns() {
        // Other tests may have left an unchanged run last: start from a run that built the product.
        app.given().queryParam("force", "true").post("/refresh").then().statusCode(200);
        open(app);
        WebElement last = driver.findElement(By.id("last-refresh"));
        String finishedAt = app.given().get("/refreshes?limit=1").jsonPath().getString("[0].finished_at");
        waitFor("the last refresh", d -> !last.findElements(By.cssSelector("time")).isEmpty());
        assertEquals(finishedAt, last.findElement(By.tagName("time")).getAttribute("datetime"));
        String text = last.getText();
        assertTrue(text.contains("succeeded") && text.contains("51"), text);
        String moderna = Fixtures.sha256(modernaServed());
        assertTrue(text.contains(upstream.url("/moderna.csv").toString()), text);
        assertTrue(text.contains("8 rows") && text.contains("7 rows") && text.contains("53 rows"), text);
        assertTrue(text.contains(moderna.substring(0, 12)) && !text.contains(moderna), "SHA-256, short: " + text);

        long runBefore = lastRunId(app);
        WebElement button = driver.findElement(By.id("refresh-button"));
        watchRefreshStatus();
        changeModerna(); // so that the refresh has something to build
        button.click();
        WebElement status = driver.findElement(By.id("refresh-status"));
        waitFor("the refresh's result", d -> status.getText().startsWith("Refresh done"));
        assertTrue(status.getText().matches("Refresh done: 51 state rows in [0-9.,]+ m?s \\(run " + (runBefore + 1)
            + "\\)\\."), status.getText());
        assertEquals("status", status.getAttribute("role"));
        assertTrue(button.isEnabled());
        assertTrue(seenStatuses().stream().anyMatch(s -> s.startsWith("Refreshing…") && s.endsWith("|disabled")),
            "progress shown with the button disabled: " + seenStatuses());
        // Asked asynchronously (Prefer: respond-async), then followed: the run's progress shows.
        assertTrue(seenStatuses().stream().anyMatch(s -> s.startsWith("Refreshing… run " + (runBefore + 1)
            + " is running")), "the run followed: " + seenStatuses());
        String newFinishedAt = app.given().get("/refreshes?limit=1").jsonPath().getString("[0].finished_at");
        waitFor("the new refresh's time", d -> newFinishedAt.equals(
            last.findElement(By.tagName("time")).getAttribute("datetime")));
        assertEquals(51, rows().size());

        // Again, with nothing changed upstream: the page says so, and the panel shows the run.
        button.click();
        waitFor("the unchanged refresh's result", d -> status.getText().startsWith("Nothing changed"));
        assertTrue(status.getText().matches("Nothing changed in the sources since the last refresh: the table stays "
            + "as it was \\(run " + (runBefore + 2) + ", [0-9.,]+ m?s\\)\\."), status.getText());
        waitFor("the unchanged run in the panel", d -> last.getText().contains("unchanged"));
        assertEquals(3, last.findElements(By.cssSelector(".source-unchanged")).size(), last.getText());
        assertEquals("unchanged", last.findElement(By.cssSelector(".status-badge")).getText());
    }

    /** Serves moderna's fixture with its line ends swapped (LF, CRLF): the same rows in other bytes. */
    private void changeModerna() {
        modernaCrlf = !modernaCrlf;
        upstream.serve("/moderna.csv", modernaServed());
    }

    /** The moderna bytes the upstream serves now: the fixture, with CRLF line ends after an odd number of changes. */
    private byte[] modernaServed() {
        String text = new String(Fixtures.bytes("moderna.csv"), StandardCharsets.UTF_8);
        return (modernaCrlf ? text.replace("\n", "\r\n") : text).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aServiceWithATokenAsksForItAndSaysWhenItIsWrong() throws IOException {
        // The browser logs each 401 answer to fetch as a console error: those are expected here.
        expectedConsoleErrors.add(Pattern.compile("/refresh - Failed to load resource: the server responded "
            + "with a status of 401"));
        open(locked);
        WebElement form = driver.findElement(By.id("token-form"));
        WebElement status = driver.findElement(By.id("refresh-status"));
        assertFalse(form.isDisplayed());

        driver.findElement(By.id("refresh-button")).click();
        waitFor("the token form", d -> form.isDisplayed());
        WebElement input = driver.findElement(By.id("token"));
        assertEquals(input, driver.switchTo().activeElement(), "the token field has the focus");
        assertEquals("password", input.getAttribute("type"));
        assertEquals("Refresh token", driver.findElement(By.cssSelector("label[for=token]")).getText());
        assertEquals("A refresh token is needed (Unauthorized): enter it below.", status.getText());

        input.sendKeys("wrong");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        waitFor("the 401 problem", d -> status.getText().startsWith("Refresh refused"));
        assertEquals("Refresh refused. Unauthorized: the bearer token is not the refresh token", status.getText());
        assertEquals("That token was refused. Check it and try again.",
            driver.findElement(By.id("token-hint")).getText());
        assertEquals("true", input.getAttribute("aria-invalid"));
        assertEquals("", input.getAttribute("value"), "a refused token is not kept");
        screenshot(Path.of("target", "dashboard-token.png"));
        // The console does report to this test: the two 401 answers, and nothing else.
        List<String> errors = consoleErrors();
        assertEquals(2, errors.size(), errors.toString());
        assertTrue(errors.stream().allMatch(e -> expectedConsoleErrors.get(0).matcher(e).find()), errors.toString());

        long runBefore = lastRunId(locked);
        changeModerna(); // so that the refresh has something to build
        input.sendKeys(TOKEN, Keys.ENTER);
        waitFor("the refresh's result", d -> status.getText().startsWith("Refresh done"));
        assertTrue(status.getText().startsWith("Refresh done: 51 state rows in "), status.getText());
        assertFalse(form.isDisplayed());
        assertEquals(runBefore + 1, lastRunId(locked));

        // The token stays in the page's memory (no second prompt), and nowhere else.
        driver.findElement(By.id("refresh-button")).click();
        // (Nothing changed since: an unchanged run, which the page reports with its number too.)
        waitFor("the second refresh", d -> status.getText().contains("(run " + (runBefore + 2) + ","));
        assertFalse(form.isDisplayed());
        assertEquals(0L, ((JavascriptExecutor) driver).executeScript(
            "return localStorage.length + sessionStorage.length + document.cookie.length;"));
    }

    @Test
    void withoutItsWeeksThePageStillShowsTheProduct() {
        // As when the warehouse is away: the product is served from memory, /weekly fails.
        driver();
        expectedConsoleErrors.add(Pattern.compile("/weekly - Failed to load resource: net::ERR_BLOCKED_BY_CLIENT"));
        driver.executeCdpCommand("Network.enable", Map.of());
        driver.executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of("*/weekly*")));
        try {
            driver.get(base(app) + "/");
            WebElement load = driver.findElement(By.id("load-status"));
            waitFor("the message", d -> load.getText().startsWith("Showing the current product; the earlier weeks "
                + "could not be loaded."));
            assertEquals(51, rows().size());
            assertEquals("0.8000", ratio(row("NY")));
            assertFalse(driver.findElement(By.id("week")).isEnabled());
            assertEquals("the latest week", driver.findElement(By.id("week-label")).getText());
        } finally {
            driver.executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of()));
            driver.executeCdpCommand("Network.disable", Map.of());
        }
    }

    @Test
    void anEmptyWarehouseSaysThereIsNoDataYet() {
        driver();
        driver.get(base(empty) + "/");
        WebElement load = driver.findElement(By.id("load-status"));
        waitFor("the empty state", d -> load.getText().startsWith("No data yet"));
        assertEquals(51, driver.findElements(By.cssSelector("#map [data-state-code].no-data")).size());
        assertTrue(driver.findElement(By.cssSelector("#states tbody")).getText().startsWith("No data yet"));
        waitFor("the refresh log", d -> driver.findElement(By.id("last-refresh")).getText()
            .equals("No refresh has run yet."));
        assertFalse(driver.findElement(By.id("week")).isEnabled());
    }

    @Test
    void screenshotsOnADesktopAndOnAPhone() throws IOException {
        open(app);
        screenshot(Path.of("target", "dashboard.png"));
        try {
            driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of(
                "width", 390, "height", 844, "deviceScaleFactor", 2, "mobile", true));
            open(app);
            Number pageWidth = (Number) ((JavascriptExecutor) driver).executeScript(
                "return document.documentElement.scrollWidth;");
            assertTrue(pageWidth.intValue() <= 390, "no sideways scrolling of the page on a phone: " + pageWidth);
            Files.write(Path.of("target", "dashboard-phone.png"), Base64.getDecoder().decode(
                (String) driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png")).get("data")));
            screenshot(Path.of("target", "dashboard-phone-full.png"));
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    // --- helpers ---------------------------------------------------------------------------------

    private void driver() {
        Assumptions.assumeTrue(driver != null, () -> skipReason);
    }

    private static String base(RunningApp running) {
        return "http://127.0.0.1:" + SpecificationQuerier.query(running.given()).getPort();
    }

    /** Opens the dashboard and waits until it has drawn the product. */
    private void open(RunningApp running) {
        driver();
        driver.get(base(running) + "/");
        waitFor("51 rows in the table", d -> rows().size() == 51);
        waitFor("the map painted", d -> !classes(tile("NY")).contains("no-data"));
    }

    private void waitFor(String what, java.util.function.Function<org.openqa.selenium.WebDriver, Boolean> done) {
        new WebDriverWait(driver, WAIT).withMessage(what).until(done);
    }

    private List<WebElement> rows() {
        return driver.findElements(By.cssSelector("#states tbody tr[data-state-code]"));
    }

    private WebElement row(String code) {
        return driver.findElement(By.cssSelector("#states tbody tr[data-state-code=" + code + "]"));
    }

    private WebElement tile(String code) {
        return driver.findElement(By.cssSelector("#map [data-state-code=" + code + "]"));
    }

    private WebElement header(String key) {
        return driver.findElement(By.cssSelector("#states thead th[data-key=" + key + "]"));
    }

    private static List<String> classes(WebElement element) {
        return List.of(element.getAttribute("class").split("\\s+"));
    }

    private static String name(WebElement row) {
        return row.findElement(By.className("state-name")).getText();
    }

    private static String ratio(WebElement row) {
        return row.findElement(By.className("ratio-value")).getText();
    }

    private static List<String> cells(WebElement row) {
        List<String> cells = new ArrayList<>();
        cells.add(name(row));
        row.findElements(By.tagName("td")).forEach(td -> cells.add(td.getText()));
        return cells;
    }

    /** The cells of the trend's table, row by row (whether its details are open or not). */
    private List<List<String>> trendTable() {
        return driver.findElements(By.cssSelector("#trend-table tbody tr")).stream()
            .map(tr -> tr.findElements(By.cssSelector("th, td")).stream()
                .map(cell -> cell.getAttribute("textContent").strip()).toList())
            .toList();
    }

    private static double y(WebElement point) {
        return Double.parseDouble(point.getAttribute("cy"));
    }

    /** The height of the bar {@code kind} of {@code week} in the chart's own units. */
    private static double height(WebElement chart, String week, String kind) {
        return Double.parseDouble(chart.findElement(By.cssSelector("g.trend-week[data-week='" + week + "'] rect."
            + kind)).getAttribute("height"));
    }

    /** The table's caption, as a screen reader gets it (it is visually hidden: the same text is shown above). */
    private String caption() {
        return driver.findElement(By.id("table-caption")).getAttribute("textContent");
    }

    /** The browser console's errors since the last call. */
    private List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
            .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
            .map(LogEntry::getMessage)
            .toList();
    }

    private long lastRunId(RunningApp running) {
        return running.given().get("/refreshes?limit=1").jsonPath().getLong("[0].run_id");
    }

    /** Records every text the refresh status shows, with the button's state then. */
    private void watchRefreshStatus() {
        ((JavascriptExecutor) driver).executeScript("""
            window.seenStatuses = [];
            const status = document.getElementById('refresh-status');
            const button = document.getElementById('refresh-button');
            new MutationObserver(() => window.seenStatuses.push(
                status.textContent + '|' + (button.disabled ? 'disabled' : 'enabled')))
              .observe(status, {childList: true, characterData: true, subtree: true});
            """);
    }

    @SuppressWarnings("unchecked")
    private List<String> seenStatuses() {
        return (List<String>) ((JavascriptExecutor) driver).executeScript("return window.seenStatuses;");
    }

    /** The whole page, not only the window. */
    private void screenshot(Path file) throws IOException {
        Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
        @SuppressWarnings("unchecked")
        Map<String, Object> size = (Map<String, Object>) metrics.get("cssContentSize");
        Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of(
            "format", "png", "captureBeyondViewport", true,
            "clip", Map.of("x", 0, "y", 0, "width", ((Number) size.get("width")).doubleValue(),
                "height", ((Number) size.get("height")).doubleValue(), "scale", 1)));
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
    }
}
