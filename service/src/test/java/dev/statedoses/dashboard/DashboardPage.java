package dev.statedoses.dashboard;

import static dev.statedoses.support.Browser.classes;

import dev.statedoses.support.Browser;
import dev.statedoses.support.RunningApp;
import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The dashboard's parts as its browser tests find them (the map's tiles, the table's rows and
 * headers, the trend's chart and table), so that the tests read as what a person does and sees.
 */
final class DashboardPage {

    private final Browser browser;

    DashboardPage(Browser browser) {
        this.browser = browser;
    }

    /** Opens the dashboard of {@code running} and waits until it has drawn the product. */
    void open(RunningApp running) {
        browser.get(running.baseUrl() + "/");
        browser.waitFor("51 rows in the table", d -> rows().size() == 51);
        browser.waitFor("the map painted", d -> !classes(tile("NY")).contains("no-data"));
    }

    List<WebElement> rows() {
        return browser.findAll(By.cssSelector("#states tbody tr[data-state-code]"));
    }

    WebElement row(String code) {
        return browser.find(By.cssSelector("#states tbody tr[data-state-code=" + code + "]"));
    }

    WebElement tile(String code) {
        return browser.find(By.cssSelector("#map [data-state-code=" + code + "]"));
    }

    WebElement header(String key) {
        return browser.find(By.cssSelector("#states thead th[data-key=" + key + "]"));
    }

    static String name(WebElement row) {
        return row.findElement(By.className("state-name")).getText();
    }

    static String ratio(WebElement row) {
        return row.findElement(By.className("ratio-value")).getText();
    }

    static List<String> cells(WebElement row) {
        List<String> cells = new ArrayList<>();
        cells.add(name(row));
        row.findElements(By.tagName("td")).forEach(td -> cells.add(td.getText()));
        return cells;
    }

    /** The cells of the trend's table, row by row (whether its details are open or not). */
    List<List<String>> trendTable() {
        return browser.findAll(By.cssSelector("#trend-table tbody tr")).stream()
            .map(tr -> tr.findElements(By.cssSelector("th, td")).stream()
                .map(cell -> cell.getAttribute("textContent").strip()).toList())
            .toList();
    }

    static double y(WebElement point) {
        return Double.parseDouble(point.getAttribute("cy"));
    }

    /** The height of the bar {@code kind} of {@code week} in the chart's own units. */
    static double height(WebElement chart, String week, String kind) {
        return Double.parseDouble(chart.findElement(By.cssSelector("g.trend-week[data-week='" + week + "'] rect."
            + kind)).getAttribute("height"));
    }

    /** The table's caption, as a screen reader gets it (it is visually hidden: the same text is shown above). */
    String caption() {
        return browser.find(By.id("table-caption")).getAttribute("textContent");
    }

    /** Records every text the refresh status shows, with the button's state then. */
    void watchRefreshStatus() {
        browser.script("""
            window.seenStatuses = [];
            const status = document.getElementById('refresh-status');
            const button = document.getElementById('refresh-button');
            new MutationObserver(() => window.seenStatuses.push(
                status.textContent + '|' + (button.disabled ? 'disabled' : 'enabled')))
              .observe(status, {childList: true, characterData: true, subtree: true});
            """);
    }

    @SuppressWarnings("unchecked")
    List<String> seenStatuses() {
        return (List<String>) browser.script("return window.seenStatuses;");
    }
}
