package dev.statedoses.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.CommandLine;
import dev.statedoses.Config;
import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reads come from a snapshot in memory; a refresh anywhere on the warehouse (another instance,
 * the command line) reaches every serving instance through NOTIFY within a second or so.
 */
class ProductSnapshotTest {

    private FixtureServer upstream;
    private Config config;
    private RunningApp first;
    private RunningApp second;

    @BeforeEach
    void twoInstances() {
        upstream = FixtureServer.start();
        config = upstream.serveFixtureSources(TestWarehouse.newDatabase());
        first = RunningApp.start(config);
        second = RunningApp.start(config);
    }

    @AfterEach
    void stop() {
        first.close();
        second.close();
        upstream.close();
    }

    @Test
    void anotherInstancesRefreshReachesThisOneWithoutARestart() {
        assertEquals("[]", second.given().get("/ratios").asString());
        first.given().post("/refresh").then().statusCode(200);
        String product = first.given().get("/ratios").asString();
        assertEquals(product, awaitChange(() -> second.given().get("/ratios").asString(), "[]"),
            "the second instance serves the first one's product");
        assertEquals(first.given().get("/ratios/NY").header("ETag"), second.given().get("/ratios/NY").header("ETag"));
    }

    @Test
    void aRefreshFromTheCommandLineReachesTheRunningService() {
        first.given().post("/refresh").then().statusCode(200);
        String before = first.given().get("/ratios/VT").jsonPath().getString("refreshed_at");
        // The same file with CRLF line ends: other bytes, the same rows; so the command builds anew.
        upstream.serve("/moderna.csv", new String(Fixtures.bytes("moderna.csv"), StandardCharsets.UTF_8)
            .replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));

        assertEquals(0, CommandLine.refresh(TestWarehouse.environment(config)));

        String after = awaitChange(() -> first.given().get("/ratios/VT").jsonPath().getString("refreshed_at"), before);
        assertNotEquals(before, after);
        assertTrue(Instant.parse(after).isAfter(Instant.parse(before)));
    }

    /** Polls for up to 3 s until {@code read} answers something other than {@code old}; returns it. */
    private static String awaitChange(Supplier<String> read, String old) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(3));
        String value = read.get();
        while (value.equals(old) && Instant.now().isBefore(deadline)) {
            sleep();
            value = read.get();
        }
        return value;
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
