package dev.statedoses.dashboard;

import static dev.statedoses.dashboard.DashboardPage.cells;
import static dev.statedoses.dashboard.DashboardPage.height;
import static dev.statedoses.dashboard.DashboardPage.name;
import static dev.statedoses.dashboard.DashboardPage.ratio;
import static dev.statedoses.dashboard.DashboardPage.y;
import static dev.statedoses.support.Browser.classes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.Config;
import dev.statedoses.support.AppOnNewDatabase;
import dev.statedoses.support.Browser;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.StoppableWarehouse;
import dev.statedoses.support.TestWarehouse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;

/**
 * The dashboard (GET /) in a real browser (support/Browser: Debian's Chromium, headless), as a
 * reader uses it: the map, the table and its sorting, the week slider, a state's weeks, the page
 * without its weeks and on an empty warehouse, on a desktop and on a phone. Against the real
 * service on the fixture sources (numbers: fixtures/README.md; weeks 2020-12-28 and 2021-01-04:
 * AsOfAndWeeklyTest). Refreshing from the page: DashboardRefreshBrowserTest; the page's files over
 * HTTP: DashboardFilesTest. Without Chromium these tests are skipped, saying so. Screenshots go
 * to service/target/dashboard*.png.
 */
class DashboardBrowserTest {

    /** Every state and DC by USPS code. */
    private static final Set<String> CODES = new TreeSet<>(List.of(
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
        "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC",
        "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"));

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();
    @RegisterExtension
    static final AppOnNewDatabase empty = new AppOnNewDatabase();
    /** Registered last, so closed first: before the services it visits. */
    @RegisterExtension
    @Order(Integer.MAX_VALUE)
    static final Browser browser = new Browser();

    private final DashboardPage page = new DashboardPage(browser);

    @Test
    void theMapHasATileForEveryStateInTheUsualPlaces() {
        page.open(loaded.app());
        List<WebElement> tiles = browser.findAll(By.cssSelector("#map [data-state-code]"));
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

        WebElement map = browser.find(By.id("map"));
        assertEquals("ul", map.getTagName(), "the tiles are a list");
        assertFalse(map.getAttribute("aria-label").isBlank());

        // Values and colours: a sequential scale, and a distinct colour for no data.
        assertEquals("New York: 0.80 people per dose", page.tile("NY").getAttribute("aria-label"));
        assertEquals("Illinois: 0.83 people per dose", page.tile("IL").getAttribute("aria-label"));
        assertEquals("Vermont: 1.76 people per dose", page.tile("VT").getAttribute("aria-label"));
        assertEquals("Alaska: no doses (no data)", page.tile("AK").getAttribute("aria-label"));
        assertTrue(classes(page.tile("NY")).contains("bin-1"), classes(page.tile("NY")).toString());
        assertTrue(classes(page.tile("VT")).contains("bin-5"), classes(page.tile("VT")).toString());
        assertTrue(classes(page.tile("AK")).contains("no-data"), classes(page.tile("AK")).toString());
        assertTrue(classes(page.tile("TX")).contains("no-data"), classes(page.tile("TX")).toString());
        String lightest = page.tile("NY").getCssValue("background-color");
        String darkest = page.tile("VT").getCssValue("background-color");
        String none = page.tile("AK").getCssValue("background-image");
        assertFalse(lightest.equals(darkest), "two ends of the scale, two colours");
        assertTrue(none.contains("gradient"), "no data is hatched: " + none);

        List<String> legend = browser.findAll(By.cssSelector("#legend li")).stream()
            .map(WebElement::getText).toList();
        // Three values: a colour each, from the lightest to the darkest (more would make five groups).
        assertEquals(List.of("0.80", "0.83", "1.76", "No doses (no data)"), legend);
        assertTrue(classes(page.tile("IL")).contains("bin-3"), classes(page.tile("IL")).toString());
    }

    @Test
    void aTileShowsItsValueOnHoverAndOnFocus() {
        page.open(loaded.app());
        WebElement tip = page.tile("NY").findElement(By.className("tip"));
        assertFalse(tip.isDisplayed());
        browser.actions().moveToElement(page.tile("NY")).perform();
        browser.waitFor("the tooltip on hover", d -> tip.isDisplayed());
        assertEquals("New York\n0.8000 people per dose\n6,000 people · 7,500 doses", tip.getText());

        // From the week slider, Tab goes to the first tile of the map (Alaska), and shows its value.
        browser.actions().moveToElement(browser.find(By.tagName("h1"))).perform();
        browser.find(By.id("week")).sendKeys(Keys.TAB);
        WebElement focused = browser.focused();
        assertEquals("AK", focused.getAttribute("data-state-code"));
        WebElement alaska = focused.findElement(By.className("tip"));
        browser.waitFor("the tooltip on focus", d -> alaska.isDisplayed());
        assertTrue(alaska.getText().startsWith("Alaska\nno doses"), alaska.getText());
    }

    @Test
    void theTableHasEveryStateWithNumbersForPeople() {
        page.open(loaded.app());
        List<WebElement> rows = page.rows();
        assertEquals(51, rows.size());
        assertEquals("Alabama", name(rows.get(0)), "by state at first");
        assertEquals("ascending", page.header("state").getAttribute("aria-sort"));
        WebElement ny = browser.find(By.cssSelector("#states tbody tr[data-state-code=NY]"));
        // State, people per dose, population, all doses, Moderna, Pfizer.
        assertEquals(List.of("New York", "0.8000", "6,000", "7,500", "3,500", "4,000"), cells(ny));
        WebElement al = browser.find(By.cssSelector("#states tbody tr[data-state-code=AL]"));
        assertEquals(List.of("Alabama", "no doses", "10,000", "0", "0", "0"), cells(al));
        assertEquals("Fewest people per dose: New York (0.80). Most: Vermont (1.76). 48 states have no doses yet.",
            browser.find(By.id("summary")).getText());
        assertEquals("row", ny.findElement(By.tagName("th")).getAttribute("scope"));
        assertEquals(6, browser.findAll(By.cssSelector("#states thead th[scope=col] button")).size());
    }

    @Test
    void everyColumnSorts() {
        page.open(loaded.app());
        page.header("people_per_dose").findElement(By.tagName("button")).click();
        assertEquals("ascending", page.header("people_per_dose").getAttribute("aria-sort"));
        assertEquals(null, page.header("state").getAttribute("aria-sort"), "one sorted column at a time");
        List<WebElement> rows = page.rows();
        assertEquals("New York", name(rows.get(0)));
        assertEquals("0.8000", ratio(rows.get(0)));
        assertEquals(List.of("Illinois", "0.8333"), List.of(name(rows.get(1)), ratio(rows.get(1))));
        assertEquals(List.of("Vermont", "1.7629"), List.of(name(rows.get(2)), ratio(rows.get(2))));
        assertEquals(List.of("Alabama", "no doses"), List.of(name(rows.get(3)), ratio(rows.get(3))),
            "states without doses last, by name");

        page.header("people_per_dose").findElement(By.tagName("button")).click();
        assertEquals("descending", page.header("people_per_dose").getAttribute("aria-sort"));
        rows = page.rows();
        assertEquals(List.of("Vermont", "Illinois", "New York", "Alabama"),
            rows.subList(0, 4).stream().map(DashboardPage::name).toList(), "no doses still last");

        // Numbers sort as numbers, not as text ("900" after "10,000").
        page.header("population").findElement(By.tagName("button")).click();
        assertEquals("ascending", page.header("population").getAttribute("aria-sort"));
        assertEquals(List.of("Alaska", "Vermont", "Illinois", "New York", "Alabama"),
            page.rows().subList(0, 5).stream().map(DashboardPage::name).toList());

        page.header("state").findElement(By.tagName("button")).click();
        page.header("state").findElement(By.tagName("button")).sendKeys(Keys.ENTER); // by keyboard: reversed
        assertEquals("descending", page.header("state").getAttribute("aria-sort"));
        assertEquals("Wyoming", name(page.rows().get(0)));
        assertTrue(page.caption().contains("Sorted by State, descending"), page.caption());
        assertEquals(page.caption(), browser.find(By.id("table-summary")).getText(), "what is read is what is shown");
    }

    @Test
    void theWeekSliderRedrawsMapAndTableAsOfThatWeek() {
        page.open(loaded.app());
        WebElement week = browser.find(By.id("week"));
        assertEquals("1", week.getAttribute("max"), "two weeks in the fixtures");
        assertEquals("1", week.getAttribute("value"), "the newest week: the current product");
        assertEquals("2021-01-04", browser.find(By.cssSelector("#week-label time")).getAttribute("datetime"));
        assertTrue(browser.find(By.id("week-label")).getText().toLowerCase(Locale.ROOT).contains("latest"));

        week.sendKeys(Keys.HOME);
        browser.waitFor("New York as of 2020-12-28", d -> "8.5714".equals(ratio(page.row("NY"))));
        assertEquals("2020-12-28", browser.find(By.cssSelector("#week-label time")).getAttribute("datetime"));
        assertEquals("Dec 28, 2020", week.getAttribute("aria-valuetext"));
        assertEquals(List.of("New York", "8.5714", "6,000", "700", "700", "0"), cells(page.row("NY")));
        assertEquals("Fewest people per dose: New York (8.57). 50 states have no doses yet.",
            browser.find(By.id("summary")).getText());
        assertEquals("no doses", ratio(page.row("IL")), "Illinois had no doses yet");
        assertEquals("New York: 8.57 people per dose", page.tile("NY").getAttribute("aria-label"));
        assertTrue(classes(page.tile("IL")).contains("no-data"));
        assertTrue(page.caption().contains("up to the week of Dec 28, 2020"), page.caption());
        assertEquals(List.of("8.57", "No doses (no data)"), browser.findAll(By.cssSelector("#legend li")).stream()
            .map(WebElement::getText).toList(), "one value: one step of the scale");

        week.sendKeys(Keys.END);
        browser.waitFor("New York as of the newest week", d -> "0.8000".equals(ratio(page.row("NY"))));
        assertEquals("0.8333", ratio(page.row("IL")));
        assertEquals("2021-01-04", browser.find(By.cssSelector("#week-label time")).getAttribute("datetime"));
    }

    @Test
    void selectingAStateShowsItsWeeksAsAChartAndATable() throws IOException {
        page.open(loaded.app());
        WebElement card = browser.find(By.id("trend"));
        assertFalse(card.isDisplayed(), "no state selected yet");

        // A click on New York's tile: its two weeks (AsOfAndWeeklyTest has the numbers).
        page.tile("NY").click();
        WebElement readout = browser.find(By.id("trend-readout"));
        browser.waitFor("New York's weeks", d -> readout.getText().startsWith("Week of Jan 4, 2021"));
        assertTrue(card.isDisplayed());
        assertEquals("Week by week: New York", browser.find(By.id("trend-heading")).getText());
        assertEquals("true", page.tile("NY").getAttribute("aria-current"));
        assertEquals("true", page.row("NY").getAttribute("aria-current"));
        // The newest week first, as the week slider stands.
        assertEquals("Week of Jan 4, 2021: 2,800 Moderna and 4,000 Pfizer doses allocated; 7,500 doses to date, "
            + "0.8000 people per dose.", readout.getText());

        // The chart is an SVG of this page's own (role img, with a title and a description).
        WebElement chart = browser.find(By.cssSelector("#trend-chart svg"));
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
        browser.find(By.id("trend-chart")).sendKeys(Keys.ARROW_LEFT);
        browser.waitFor("the first week", d -> readout.getText().startsWith("Week of Dec 28, 2020"));
        assertEquals("Week of Dec 28, 2020: 700 Moderna and 0 Pfizer doses allocated; 700 doses to date, "
            + "8.5714 people per dose.", readout.getText());
        assertEquals(List.of(List.of("Dec 28, 2020", "700", "0", "700", "8.5714"),
            List.of("Jan 4, 2021", "2,800", "4,000", "7,500", "0.8000")), page.trendTable());
        assertTrue(classes(browser.find(By.cssSelector("#trend-table tbody tr[data-week='2020-12-28']")))
            .contains("picked"), "the week read out is marked in the table too");
        browser.find(By.id("trend-chart")).sendKeys(Keys.END);
        browser.waitFor("the last week", d -> readout.getText().startsWith("Week of Jan 4, 2021"));
        browser.screenshot(Path.of("target", "dashboard-trend.png"));

        // The week slider moves the chart's week too.
        browser.find(By.id("week")).sendKeys(Keys.HOME);
        browser.waitFor("the slider's week", d -> readout.getText().startsWith("Week of Dec 28, 2020"));
        // The table follows the slider a moment later: wait for it, or it may be drawn again under the next step.
        browser.waitFor("the table as of the first week", d -> "8.5714".equals(ratio(page.row("NY"))));
        browser.find(By.id("week")).sendKeys(Keys.END);
        browser.waitFor("the table as of the newest week", d -> "0.8000".equals(ratio(page.row("NY"))));

        // By keyboard from the table: Illinois's name is a button.
        WebElement illinois = page.row("IL").findElement(By.cssSelector("button.state-select"));
        illinois.sendKeys(Keys.ENTER);
        browser.waitFor("Illinois's weeks", d -> browser.find(By.id("trend-heading")).getText().endsWith("Illinois")
            && readout.getText().contains("3,600 doses to date"));
        assertEquals(browser.find(By.id("trend-heading")), browser.focused(),
            "the focus follows to the weeks");
        assertEquals(List.of(List.of("Dec 28, 2020", "0", "0", "0", "no doses yet"),
            List.of("Jan 4, 2021", "0", "3,600", "3,600", "0.8333")), page.trendTable());
        assertEquals(1, browser.findAll(By.cssSelector("#trend-chart circle.point")).size(),
            "no point for a week without doses");
        assertEquals(null, page.tile("NY").getAttribute("aria-current"));

        // By keyboard from the map: Enter on Alaska's tile.
        page.tile("AK").sendKeys(Keys.ENTER);
        browser.waitFor("Alaska's weeks", d -> readout.getText().equals("Week of Jan 4, 2021: 0 Moderna and 0 Pfizer "
            + "doses allocated; 0 doses to date, no doses yet."));
        assertEquals("Alaska has no doses in any week.", browser.find(
            By.cssSelector("#trend-chart svg desc")).getAttribute("textContent"));

        browser.find(By.id("trend-close")).click();
        assertFalse(card.isDisplayed());
        assertEquals("AK", browser.focused().getAttribute("data-state-code"),
            "the focus goes back to the state's tile");
        assertEquals(null, page.tile("AK").getAttribute("aria-current"));
    }

    @Test
    void withoutItsWeeksThePageStillShowsTheProduct() {
        // When /weekly cannot be read (a real outage serves it from memory: see the test above).
        browser.require();
        browser.expectConsoleError(Pattern.compile("/weekly - Failed to load resource: net::ERR_BLOCKED_BY_CLIENT"));
        browser.cdp("Network.enable", Map.of());
        browser.cdp("Network.setBlockedURLs", Map.of("urls", List.of("*/weekly*")));
        try {
            browser.get(loaded.app().baseUrl() + "/");
            WebElement load = browser.find(By.id("load-status"));
            browser.waitFor("the message", d -> load.getText().startsWith("Showing the current product; the earlier "
                + "weeks could not be loaded."));
            assertEquals(51, page.rows().size());
            assertEquals("0.8000", ratio(page.row("NY")));
            assertFalse(browser.find(By.id("week")).isEnabled());
            assertEquals("the latest week", browser.find(By.id("week-label")).getText());
        } finally {
            browser.cdp("Network.setBlockedURLs", Map.of("urls", List.of()));
            browser.cdp("Network.disable", Map.of());
        }
    }

    @Test
    void aWeekThatCannotBeLoadedLeavesTheSliderOnTheWeekShown() throws Exception {
        // A real outage: the product and its weeks come from memory, so the page loads with its
        // slider enabled; a week before the newest (as_of) needs the warehouse, and answers 503.
        browser.require();
        browser.expectConsoleError(Pattern.compile("as_of=2020-12-28 - Failed to load resource: the server "
            + "responded with a status of 503"));
        StoppableWarehouse.withRefreshedApp((warehouse, app) -> {
            page.open(app);
            WebElement week = browser.find(By.id("week"));
            assertTrue(week.isEnabled());
            warehouse.stop();
            app.given().get("/ratios/NY/weekly").then().statusCode(200);
            app.given().get("/ratios?as_of=2020-12-28").then().statusCode(503);

            week.sendKeys(Keys.HOME);
            WebElement load = browser.find(By.id("load-status"));
            browser.waitFor("the failed week", d -> load.getText().startsWith("Could not load"));
            // The numbers are the newest week's: so are the slider, its label and the caption.
            assertEquals("0.8000", ratio(page.row("NY")));
            assertEquals("New York: 0.80 people per dose", page.tile("NY").getAttribute("aria-label"));
            assertEquals("2021-01-04", browser.find(By.cssSelector("#week-label time")).getAttribute("datetime"));
            assertEquals("Jan 4, 2021, the latest week", week.getAttribute("aria-valuetext"));
            assertEquals("1", week.getAttribute("value"));
            assertTrue(page.caption().contains("up to the week of Jan 4, 2021"), page.caption());
            assertTrue(load.getText().startsWith("Could not load the week of Dec 28, 2020: the page still shows the "
                + "week of Jan 4, 2021. Warehouse unavailable"), load.getText());
            warehouse.restart();
            browser.get("about:blank"); // no connection of the page's holds up the service's stop
        });
    }

    @Test
    void figuresWithTwoDecimalsAreRoundedOnceFromTheExactValue() {
        browser.require();
        // Montana: 1,062,305 people for 1,272,290 doses, 0.834955…: the API's four decimals are
        // 0.8350, and two decimals of the exact value are 0.83 (0.8350 rounded again would be 0.84).
        // Wyoming: 794,960 people for 1,000,000 doses, 0.79496: 0.7950, and 0.79 (not 0.80).
        String counties = new String(Fixtures.bytes("county_population.csv"), StandardCharsets.UTF_8)
            .replace(",Fixture,Montana,10000", ",Fixture,Montana,1062305")
            .replace(",Fixture,Wyoming,10000", ",Fixture,Wyoming,794960");
        String moderna = new String(Fixtures.bytes("moderna.csv"), StandardCharsets.UTF_8)
            + "\"Montana\",\"2021-01-04T00:00:00.000\",\"636145\",\"636145\"\n"
            + "\"Wyoming\",\"2021-01-04T00:00:00.000\",\"500000\",\"500000\"\n";
        Config config = ConfigBuilder.from(loaded.upstream().serveFixtureSources(TestWarehouse.newDatabase()))
            .moderna(loaded.upstream().serve("/rounding-moderna.csv", moderna.getBytes(StandardCharsets.UTF_8)))
            .countyPopulation(loaded.upstream().serve("/rounding-counties.csv",
                counties.getBytes(StandardCharsets.UTF_8)))
            .build();
        try (RunningApp app = RunningApp.start(config)) {
            app.given().post("/refresh").then().statusCode(200);
            assertEquals("0.835", app.given().get("/ratios/MT").path("people_per_dose").toString());
            assertEquals("0.795", app.given().get("/ratios/WY").path("people_per_dose").toString());
            page.open(app);
            assertEquals("Montana: 0.83 people per dose", page.tile("MT").getAttribute("aria-label"));
            assertEquals("0.83", page.tile("MT").findElement(By.className("tile-value")).getAttribute("textContent"));
            assertEquals("Wyoming: 0.79 people per dose", page.tile("WY").getAttribute("aria-label"));
            assertEquals("0.7950", ratio(page.row("WY")), "four decimals, as the API gives them");
            assertEquals(List.of("Montana", "0.8350", "1,062,305", "1,272,290", "1,272,290", "0"),
                cells(page.row("MT")));
            assertEquals("Fewest people per dose: Wyoming (0.79). Most: Vermont (1.76). 46 states have no doses yet.",
                browser.find(By.id("summary")).getText());

            // The chart of Montana's weeks says it the same way.
            page.tile("MT").click();
            browser.waitFor("Montana's weeks", d -> browser.find(By.id("trend-heading")).getText().endsWith("Montana")
                && !browser.findAll(By.cssSelector("#trend-chart svg desc")).isEmpty());
            assertEquals("People per dose went from 0.83 in the week of Jan 4, 2021 to 0.83 in the week of Jan 4, "
                + "2021. Most doses in one week: 1,272,290, in the week of Jan 4, 2021.",
                browser.find(By.cssSelector("#trend-chart svg desc")).getAttribute("textContent"));
            assertEquals("0.83", browser.find(By.cssSelector("#trend-chart svg .trend-tick")).getAttribute("textContent"),
                "the axis's top value");
            browser.get("about:blank"); // no connection of the page's holds up the service's stop
        }
    }

    @Test
    void anEmptyWarehouseSaysThereIsNoDataYet() {
        browser.require();
        browser.get(empty.app().baseUrl() + "/");
        WebElement load = browser.find(By.id("load-status"));
        browser.waitFor("the empty state", d -> load.getText().startsWith("No data yet"));
        assertEquals(51, browser.findAll(By.cssSelector("#map [data-state-code].no-data")).size());
        assertTrue(browser.find(By.cssSelector("#states tbody")).getText().startsWith("No data yet"));
        browser.waitFor("the refresh log", d -> browser.find(By.id("last-refresh")).getText()
            .equals("No refresh has run yet."));
        assertFalse(browser.find(By.id("week")).isEnabled());
    }

    @Test
    void screenshotsOnADesktopAndOnAPhone() throws IOException {
        page.open(loaded.app());
        browser.screenshot(Path.of("target", "dashboard.png"));
        try {
            browser.cdp("Emulation.setDeviceMetricsOverride", Map.of(
                "width", 390, "height", 844, "deviceScaleFactor", 2, "mobile", true));
            page.open(loaded.app());
            Number pageWidth = (Number) browser.script("return document.documentElement.scrollWidth;");
            assertTrue(pageWidth.intValue() <= 390, "no sideways scrolling of the page on a phone: " + pageWidth);
            browser.screenshotOfTheWindow(Path.of("target", "dashboard-phone.png"));
            browser.screenshot(Path.of("target", "dashboard-phone-full.png"));
        } finally {
            browser.cdp("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }
}
