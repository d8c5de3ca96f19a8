package dev.statedoses.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
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
 * Debian's Chromium, headless, driven by Selenium through Debian's chromedriver, for the tests
 * that look at a page as a person would. Nothing is downloaded: the driver is named, so Selenium
 * Manager never runs. A JUnit extension for one test class: the browser starts before the class's
 * first test, with a profile directory of its own; after each test its console must show no errors
 * but those the test {@link #expectConsoleError expected}; after the class's last test the browser
 * and its profile are gone. Register it on a static field, last ({@code @Order}): extensions are
 * closed in the reverse order, so the browser goes before the services it visited, whose graceful
 * stop its open connections would hold up.
 *
 * <pre>{@code @RegisterExtension @Order(Integer.MAX_VALUE) static final Browser browser = new Browser();}</pre>
 *
 * <p>Without /usr/bin/chromium or /usr/bin/chromedriver (apt-get install chromium chromium-driver;
 * .ci/run does it) no browser starts: {@link #require()} and every method that needs the browser
 * skip the calling test (a JUnit assumption) saying which is missing, so the rest of a class runs.
 */
public final class Browser implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** How long a wait, or a page load, may take before the test fails. */
    public static final Duration WAIT = Duration.ofSeconds(20);

    /** Why there is no browser, once {@link #beforeAll} found no Chromium. */
    private String missing;
    private Path profile;
    private ChromeDriverService service;
    private ChromeDriver driver;
    /** Console lines the current test expects (the browser reports every 4xx answer to fetch as an error). */
    private final List<Pattern> expectedConsoleErrors = new ArrayList<>();

    /** Starts a browser with a 1280 × 1000 window, or, without Chromium, says why not and stands in for it. */
    @Override
    public void beforeAll(ExtensionContext context) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            missing = "No browser to test in: " + (Files.isExecutable(CHROMIUM) ? "" : CHROMIUM + " ")
                + (Files.isExecutable(CHROMEDRIVER) ? "" : CHROMEDRIVER + " ")
                + "missing (apt-get install -y chromium chromium-driver, as .ci/run does)";
            System.err.println(missing);
            return;
        }
        Path directory;
        try {
            directory = Files.createTempDirectory("browser-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
            "--lang=en-US", "--window-size=1280,1000", "--user-data-dir=" + directory);
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        // The system's chromedriver, named explicitly: Selenium Manager has nothing to look up or download.
        ChromeDriverService driverService = new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
        ChromeDriver started;
        try {
            started = new ChromeDriver(driverService, options);
        } catch (RuntimeException e) {
            driverService.stop();
            deleteTree(directory);
            throw e;
        }
        started.manage().timeouts().pageLoadTimeout(WAIT);
        profile = directory;
        service = driverService;
        driver = started;
    }

    /** The browser's console after each test: no errors but those the test expected. */
    @Override
    public void afterEach(ExtensionContext context) {
        assertEquals(List.of(), unexpectedConsoleErrors(), "errors in the browser console");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Skips the calling test, saying what is missing, when there is no browser. */
    public void require() {
        Assumptions.assumeTrue(driver != null, () -> missing);
    }

    /** The driver itself, for what this class does not wrap; skips the test without a browser. */
    public ChromeDriver driver() {
        require();
        return driver;
    }

    /** Loads {@code url} (waiting for its load event, at most {@link #WAIT}). */
    public void get(String url) {
        driver().get(url);
    }

    /**
     * Waits at most {@link #WAIT} until {@code done}; the failure names {@code what}. An element
     * the page redraws while {@code done} reads it is stale, which is "not yet": the condition is
     * asked again, as for an element not found.
     */
    public void waitFor(String what, Function<WebDriver, Boolean> done) {
        new WebDriverWait(driver(), WAIT).withMessage(what).ignoring(StaleElementReferenceException.class)
            .until(done);
    }

    public WebElement find(By by) {
        return driver().findElement(by);
    }

    public List<WebElement> findAll(By by) {
        return driver().findElements(by);
    }

    /** The element with the keyboard focus. */
    public WebElement focused() {
        return driver().switchTo().activeElement();
    }

    public Actions actions() {
        return new Actions(driver());
    }

    /** Runs {@code script} in the page; answers what it returns. */
    public Object script(String script) {
        return driver().executeScript(script);
    }

    /** Sends a DevTools command (network blocking, device emulation, screenshots); answers its result. */
    public Map<String, Object> cdp(String command, Map<String, Object> parameters) {
        return driver().executeCdpCommand(command, parameters);
    }

    /** Lets the console show lines that match {@code line} as errors, until the end of the current test. */
    public void expectConsoleError(Pattern line) {
        expectedConsoleErrors.add(line);
    }

    /** The browser console's errors since the last call (none without a browser). */
    public List<String> consoleErrors() {
        if (driver == null) {
            return List.of();
        }
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
            .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
            .map(LogEntry::getMessage)
            .toList();
    }

    /**
     * The console's errors since the last call but those {@link #expectConsoleError expected}; the
     * expectations end here ({@link #afterEach} checks it after each test).
     */
    public List<String> unexpectedConsoleErrors() {
        List<String> errors = consoleErrors().stream()
            .filter(m -> expectedConsoleErrors.stream().noneMatch(p -> p.matcher(m).find()))
            .toList();
        expectedConsoleErrors.clear();
        return errors;
    }

    /** A PNG of the whole page, not only the window. */
    public void screenshot(Path file) throws IOException {
        Map<String, Object> metrics = cdp("Page.getLayoutMetrics", Map.of());
        @SuppressWarnings("unchecked")
        Map<String, Object> size = (Map<String, Object>) metrics.get("cssContentSize");
        write(file, cdp("Page.captureScreenshot", Map.of(
            "format", "png", "captureBeyondViewport", true,
            "clip", Map.of("x", 0, "y", 0, "width", ((Number) size.get("width")).doubleValue(),
                "height", ((Number) size.get("height")).doubleValue(), "scale", 1))));
    }

    /** A PNG of what the window shows. */
    public void screenshotOfTheWindow(Path file) throws IOException {
        write(file, cdp("Page.captureScreenshot", Map.of("format", "png")));
    }

    private static void write(Path file, Map<String, Object> shot) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
    }

    /** The element's classes. */
    public static List<String> classes(WebElement element) {
        return List.of(element.getAttribute("class").split("\\s+"));
    }

    /**
     * Quits the browser and deletes its profile; nothing to do the second time. {@link #afterAll}
     * calls it; a class that must stop a service of its own after the browser calls it first.
     */
    public void close() {
        if (driver != null) {
            driver.quit();
            driver = null;
        }
        if (service != null) {
            service.stop();
            service = null;
        }
        if (profile != null) {
            deleteTree(profile);
            profile = null;
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
