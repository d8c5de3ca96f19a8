package dev.statedoses.refresh;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.LoadedProduct;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RefusingPort;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A refresh that fails says which source, where and what, and changes nothing: the product the
 * API serves is byte for byte what it was, and the attempt is on record as failed.
 */
class FailedRefreshTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    /** The good product's configuration, to change for one refresh. */
    private static ConfigBuilder good() {
        return ConfigBuilder.from(loaded.config());
    }

    private URI serve(String path, String body) {
        return loaded.upstream().serve(path, body.getBytes(StandardCharsets.UTF_8));
    }

    private static String withLine(String fixture, String extraLine) {
        return new String(Fixtures.bytes(fixture), StandardCharsets.UTF_8) + extraLine + "\n";
    }

    @Test
    void anUpstreamErrorStatusIsABadGateway() {
        URI moderna = loaded.upstream().serveStatus("/down/moderna.csv", 500, "text/plain", "oops");
        loaded.refreshFails(good().moderna(moderna).build(), 502, r -> r
            .body("type", equalTo("/problems/source-unavailable"))
            .body("source", equalTo("moderna"))
            .body("url", equalTo(moderna.toString()))
            .body("detail", equalTo("moderna source (" + moderna + "): upstream answered HTTP 500 (after 4 attempts)"))
            .body("attempts", equalTo(4))
            .body("line", nullValue()));
    }

    @Test
    void aRefusedConnectionIsABadGateway() throws IOException {
        try (RefusingPort refusing = RefusingPort.open()) {
            URI population = URI.create("http://127.0.0.1:" + refusing.port() + "/County_Population.csv");
            loaded.refreshFails(good().countyPopulation(population).build(), 502, r -> r
                .body("source", equalTo("population"))
                .body("detail", containsString("connection refused")));
        }
    }

    @Test
    void aBadCountIsRejectedWithItsLineAndColumn() {
        URI pfizer = serve("/bad-count/pfizer.csv",
            withLine("pfizer.csv", "\"Ohio\",\"2021-01-04T00:00:00.000\",\"1O0\",\"100\""));
        loaded.refreshFails(good().pfizer(pfizer).build(), 422, r -> r
            .body("type", equalTo("/problems/source-content"))
            .body("source", equalTo("pfizer"))
            .body("url", equalTo(pfizer.toString()))
            .body("line", equalTo(9))
            .body("column", equalTo("_1st_dose_allocations"))
            .body("detail", containsString("'1O0' is not a whole number")));
    }

    @Test
    void anErrorPageServedAsOkIsNotLoaded() {
        URI moderna = serve("/html/moderna.csv", "<html><body>Service Unavailable</body></html>");
        loaded.refreshFails(good().moderna(moderna).build(), 422, r -> r
            .body("source", equalTo("moderna"))
            .body("line", equalTo(1))
            .body("detail", containsString("not CSV")));
    }

    @Test
    void aWeekListedTwiceWithDifferentValuesIsRejected() {
        URI moderna = serve("/conflict/moderna.csv",
            withLine("moderna.csv", "\"Vermont\",\"2021-01-04T00:00:00.000\",\"300\",\"301\""));
        loaded.refreshFails(good().moderna(moderna).build(), 422, r -> r
            .body("source", equalTo("moderna"))
            .body("line", equalTo(10))
            .body("detail", containsString("Vermont has two different allocations for the week of 2021-01-04 "
                + "(lines 4 and 10)")));
    }

    @Test
    void aConflictIsReportedAtTheFirstLineWithOtherValues() {
        // Line 4 (Vermont, 2021-01-04, 300 + 300) repeated verbatim as line 10 is harmless; line
        // 11 gives the week other values, and is the line to blame.
        URI moderna = serve("/conflict-after-repeat/moderna.csv", withLine("moderna.csv",
            "\"Vermont\",\"2021-01-04T00:00:00.000\",\"300\",\"300\"\n"
                + "\"Vermont\",\"2021-01-04T00:00:00.000\",\"300\",\"299\""));
        loaded.refreshFails(good().moderna(moderna).build(), 422, r -> r
            .body("source", equalTo("moderna"))
            .body("line", equalTo(11))
            .body("detail", containsString("Vermont has two different allocations for the week of 2021-01-04 "
                + "(lines 4 and 11)")));
    }

    @Test
    void aPopulationFileWithoutSomeStateIsRejected() {
        String withoutWyoming = new String(Fixtures.bytes("county_population.csv"), StandardCharsets.UTF_8)
            .lines().filter(line -> !line.contains(",Wyoming,")).reduce("", (a, b) -> a + b + "\n");
        URI population = serve("/no-wyoming/County_Population.csv", withoutWyoming);
        loaded.refreshFails(good().countyPopulation(population).build(), 422, r -> r
            .body("source", equalTo("population"))
            .body("column", equalTo("State"))
            .body("detail", containsString("no county of Wyoming")));
    }

    @Test
    void aSourceWithOnlyAHeaderIsRejected() {
        URI pfizer = serve("/empty/pfizer.csv",
            "\"jurisdiction\",\"week_of_allocations\",\"_1st_dose_allocations\",\"_2nd_dose_allocations\"\n");
        loaded.refreshFails(good().pfizer(pfizer).build(), 422, r -> r
            .body("source", equalTo("pfizer"))
            .body("detail", containsString("no data rows")));
    }

    @Test
    void anImpossiblyLargeCountIsRejectedBeforeItCanOverflowASum() {
        URI moderna = serve("/huge/moderna.csv",
            withLine("moderna.csv", "\"Alabama\",\"2021-01-11T00:00:00.000\",\"9000000000000000000\",\"0\""));
        loaded.refreshFails(good().moderna(moderna).build(), 422, r -> r
            .body("line", equalTo(10))
            .body("column", equalTo("_1st_dose_allocations"))
            .body("detail", containsString("larger than any real count")));
    }

    @Test
    void anUnknownHostIsABadGateway() {
        URI moderna = URI.create("http://no-such-host.invalid/moderna.csv");
        loaded.refreshFails(good().moderna(moderna).build(), 502, r -> r
            .body("source", equalTo("moderna"))
            .body("url", equalTo(moderna.toString()))
            .body("detail", containsString("unknown host")));
    }

    /**
     * A URL the HTTP client cannot make a request of (Config refuses it at start; a Config built
     * otherwise still has it) fails as that source's, not as a 500 that names none.
     */
    @Test
    void aUrlNoRequestCanBeMadeOfIsABadGatewayNamingTheSource() {
        URI moderna = URI.create("http://127.0.0.1:99999/moderna.csv");
        loaded.refreshFails(good().moderna(moderna).build(), 502, r -> r
            .body("type", equalTo("/problems/source-unavailable"))
            .body("source", equalTo("moderna"))
            .body("url", equalTo(moderna.toString()))
            .body("detail", equalTo("moderna source (" + moderna + "): cannot request this URL: port out of range:99999")));
    }

    /**
     * A file: source that is a named pipe is refused, not opened: opening it waits for a writer,
     * and reading it may never end, beyond any SOURCE_TIMEOUT (here 2 s). Should the refresh
     * still wait on the pipe after 15 s, a writer opens and closes it, so that the test fails
     * with the refresh's other answer rather than hang.
     */
    @Test
    void aNamedPipeAsAFileSourceIsRefusedNotRead(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("moderna.csv");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        Assumptions.assumeTrue(mkfifo.waitFor() == 0 && Files.exists(fifo), "mkfifo is not available here");
        CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
            try (OutputStream writer = Files.newOutputStream(fifo)) {
                writer.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, CompletableFuture.delayedExecutor(15, TimeUnit.SECONDS));
        try {
            loaded.refreshFails(good().moderna(fifo.toUri())
                .sourceLimits(Duration.ofSeconds(2), loaded.config().sourceMaxBytes()).build(), 502, r -> r
                .body("type", equalTo("/problems/source-unavailable"))
                .body("source", equalTo("moderna"))
                .body("url", equalTo(fifo.toUri().toString()))
                .body("detail", equalTo("moderna source (" + fifo.toUri() + "): " + fifo
                    + " is not a regular file (a named pipe, socket or device): a source must be a file on disk")));
        } finally {
            release.cancel(false);
        }
        Path folder = Files.createDirectory(dir.resolve("population"));
        loaded.refreshFails(good().countyPopulation(folder.toUri()).build(), 502, r -> r
            .body("source", equalTo("population"))
            .body("detail", containsString(folder + " is not a regular file (a directory)")));
    }

    @Test
    void anUpstreamSlowerThanTheTimeoutToAnswerIsAGatewayTimeout() {
        URI pfizer = loaded.upstream().serveAfter("/slow/pfizer.csv", Duration.ofSeconds(4),
            Fixtures.bytes("pfizer.csv"));
        loaded.refreshFails(good().pfizer(pfizer)
            .sourceLimits(Duration.ofSeconds(1), loaded.config().sourceMaxBytes()).build(), 504, r -> r
            .body("type", equalTo("/problems/source-timeout"))
            .body("source", equalTo("pfizer"))
            .body("detail", containsString("no response within 1 s")));
    }

    @Test
    void aBodyStillArrivingAfterTheTimeoutIsAGatewayTimeout() {
        // Headers at once, then the body in 5 pieces 0.6 s apart: 3 s in all against a 1 s budget.
        URI population = loaded.upstream().serveTrickling("/trickle/County_Population.csv",
            Fixtures.bytes("county_population.csv"), 5, Duration.ofMillis(600));
        loaded.refreshFails(good().countyPopulation(population)
            .sourceLimits(Duration.ofSeconds(1), loaded.config().sourceMaxBytes()).build(), 504, r -> r
            .body("type", equalTo("/problems/source-timeout"))
            .body("source", equalTo("population"))
            .body("detail", containsString("the body did not arrive in full within 1 s")));
    }

    @Test
    void aBodyLargerThanTheLimitIsABadGateway() {
        loaded.refreshFails(good().sourceLimits(loaded.config().sourceTimeout(), 300).build(), 502, r -> r
            .body("type", equalTo("/problems/source-unavailable"))
            .body("source", equalTo("moderna"))
            .body("detail", containsString("larger than SOURCE_MAX_BYTES (300 bytes)")));
    }

    @Test
    void aBodyShorterThanItsContentLengthIsCutShort() {
        byte[] moderna = Fixtures.bytes("moderna.csv");
        URI cut = loaded.upstream().serveCutOff("/cut/moderna.csv", moderna, 200);
        long line = 1 + new String(moderna, 0, 200, StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count();
        loaded.refreshFails(good().moderna(cut).build(), 422, r -> r
            .body("type", equalTo("/problems/source-truncated"))
            .body("source", equalTo("moderna"))
            .body("line", equalTo((int) line))
            .body("detail", containsString("the body ends after 200 bytes, before its end"))
            .body("detail", containsString("the download was cut short")));
    }

    @Test
    void aFileThatEndsMidRowIsRejected() {
        String moderna = new String(Fixtures.bytes("moderna.csv"), StandardCharsets.UTF_8);
        // Cut inside line 9, after its second field.
        String cut = moderna.substring(0, moderna.lastIndexOf("\"100\",\"100\""));
        URI url = serve("/truncated/moderna.csv", cut);
        loaded.refreshFails(good().moderna(url).build(), 422, r -> r
            .body("type", equalTo("/problems/source-truncated"))
            .body("line", equalTo(9))
            .body("detail", containsString("the body ends in the middle of a line")));
    }
}
