package dev.statedoses.support;

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
import org.openqa.selenium.By;
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
 * Manager never runs. Each instance has a profile directory of its own, which {@link #close()}
 * removes with the browser.
 *
 * <p>Without /usr/bin/chromium or /usr/bin/chromedriver (apt-get install chromium chromium-driver;
 * .ci/run does it) no browser starts: {@link #require()} and every method that needs the browser
 * skip the calling test (a JUnit assumption) saying which is missing, so the rest of a class runs.
 */
public final class Browser implements AutoCloseable {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** How long a wait, or a page load, may take before the test fails. */
    public static final Duration WAIT = Duration.ofSeconds(20);

    private final String missing;
    private final Path profile;
    private final ChromeDriverService service;
    private final ChromeDriver driver;
    /** Console lines the current test expects (the browser reports every 4xx answer to fetch as an error). */
    private final List<Pattern> expectedConsoleErrors = new ArrayList<>();

    private Browser(String missing, Path profile, ChromeDriverService service, ChromeDriver driver) {
        this.missing = missing;
        this.profile = profile;
        this.service = service;
        this.driver = driver;
    }

    /** Starts a browser with a 1280 × 1000 window, or, without Chromium, says why not and stands in for it. */
    public static Browser start() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String missing = "No browser to test in: " + (Files.isExecutable(CHROMIUM) ? "" : CHROMIUM + " ")
                + (Files.isExecutable(CHROMEDRIVER) ? "" : CHROMEDRIVER + " ")
                + "missing (apt-get install -y chromium chromium-driver, as .ci/run does)";
            System.err.println(missing);
            return new Browser(missing, null, null, null);
        }
        Path profile;
        try {
            profile = Files.createTempDirectory("browser-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
        ChromeDriver driver;
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            deleteTree(profile);
            throw e;
        }
        driver.manage().timeouts().pageLoadTimeout(WAIT);
        return new Browser(null, profile, service, driver);
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

    /** Waits at most {@link #WAIT} until {@code done}; the failure names {@code what}. */
    public void waitFor(String what, Function<WebDriver, Boolean> done) {
        new WebDriverWait(driver(), WAIT).withMessage(what).until(done);
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

    /** Lets the console show lines that match {@code line} as errors, until {@link #unexpectedConsoleErrors()}. */
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
     * expectations end here (call it after each test).
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

    @Override
    public void close() {
        if (driver != null) {
            driver.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (profile != null) {
            deleteTree(profile);
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
