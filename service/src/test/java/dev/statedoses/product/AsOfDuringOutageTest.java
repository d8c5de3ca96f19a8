package dev.statedoses.product;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.StoppableWarehouse;
import io.restassured.response.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Once the service knows the warehouse is away, a read that needs it answers 503 at once instead
 * of holding a thread for the pool's 3 s: a week slider's many as_of reads then cannot take every
 * thread from the reads served from memory. It asks again once a second, aside, so that no read
 * waits for that either, and answers again within a couple of seconds of the warehouse coming back.
 */
class AsOfDuringOutageTest {

    private static final String AS_OF = "/ratios?as_of=2021-01-04";

    @Test
    void aKnownOutageAnswersAtOnceAndTheFirstLookAfterItsEndAnswers() throws Exception {
        StoppableWarehouse.withRefreshedApp((warehouse, app) -> {
            String product = app.given().get(AS_OF).then().statusCode(200).extract().asString();

            warehouse.stop();
            app.given().get(AS_OF).then().statusCode(503); // the look that finds the outage may wait
            long start = System.nanoTime();
            app.given().get(AS_OF).then()
                .statusCode(503).contentType("application/problem+json")
                .header("Retry-After", "10")
                .body("type", equalTo("/problems/warehouse-unavailable"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            // Asking the pool instead would wait its 3 s connection timeout; half of that leaves a
            // loaded machine room without letting a wait pass.
            assertTrue(took.toMillis() < 1_500, "a known outage answered in " + took);

            // One read every 100 ms for 3.5 s, as a dashboard polls: the service looks again three
            // times meanwhile, and no read waits for it (each look once held its read 3 s).
            List<Long> polled = new ArrayList<>();
            for (int i = 0; i < 35; i++) {
                long sent = System.nanoTime();
                app.given().get(AS_OF).then().statusCode(503);
                polled.add((System.nanoTime() - sent) / 1_000_000);
                Thread.sleep(100);
            }
            assertTrue(polled.stream().allMatch(ms -> ms < 1_000), "reads polled in an outage took " + polled + " ms");

            // Many at once: none of them waits for the warehouse, and the log says it once, not
            // once a read (one WARN per 10 s; the others at DEBUG).
            ch.qos.logback.classic.Logger appLog =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(dev.statedoses.App.class);
            ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
            logged.start();
            appLog.addAppender(logged);
            HttpClient client = HttpClient.newHttpClient();
            ExecutorService callers = Executors.newFixedThreadPool(40);
            List<Future<Long>> answers = new ArrayList<>();
            for (int i = 0; i < 80; i++) {
                answers.add(callers.submit(() -> {
                    long sent = System.nanoTime();
                    HttpResponse<Void> answer = client.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + AS_OF))
                        .build(), HttpResponse.BodyHandlers.discarding());
                    assertEquals(503, answer.statusCode());
                    return (System.nanoTime() - sent) / 1_000_000;
                }));
            }
            int slow = 0;
            List<Long> millis = new ArrayList<>();
            for (Future<Long> answer : answers) {
                millis.add(answer.get());
                if (answer.get() >= 1_000) {
                    slow++;
                }
            }
            callers.shutdown();
            appLog.detachAppender(logged);
            assertEquals(0, slow, slow + " of 80 concurrent as_of reads waited a second or more: " + millis);
            long warnings = logged.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN
                && e.getFormattedMessage().contains("warehouse unavailable")).count();
            assertTrue(warnings <= 1, warnings + " WARN lines for 80 reads refused in one outage");
            app.given().get("/ratios/NY/weekly").then().statusCode(200); // from memory

            warehouse.restart();
            long back = System.nanoTime();
            Response again = null;
            while (System.nanoTime() - back < Duration.ofSeconds(10).toNanos()) {
                again = app.given().get(AS_OF);
                if (again.statusCode() == 200) {
                    break;
                }
                Thread.sleep(100);
            }
            Duration recovered = Duration.ofNanos(System.nanoTime() - back);
            assertEquals(200, again.statusCode(), "the service did not recover: " + again.asString());
            assertEquals(product, again.asString());
            assertTrue(recovered.toMillis() < 2_500, "answered again " + recovered + " after the warehouse");
        });
    }
}
