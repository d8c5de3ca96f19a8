package dev.statedoses.support;

import dev.statedoses.Config;
import dev.statedoses.Wiring;
import dev.statedoses.web.ServerLimits;
import io.javalin.Javalin;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/** The real service, wired from a Config and serving on a random port, for rest-assured. */
public final class RunningApp implements AutoCloseable {

    private final Wiring wiring;
    private final Javalin app;

    private RunningApp(Wiring wiring, Javalin app) {
        this.wiring = wiring;
        this.app = app;
    }

    public static RunningApp start(Config config) {
        return start(config, ServerLimits.DEFAULT);
    }

    /** With other limits on the server's threads: a small pool, to exhaust it cheaply. */
    public static RunningApp start(Config config, ServerLimits limits) {
        Wiring wiring = Wiring.start(ConfigBuilder.from(config).port(0).build());
        try {
            return new RunningApp(wiring, wiring.app(limits).start(0));
        } catch (RuntimeException e) {
            wiring.close();
            throw e;
        }
    }

    public RequestSpecification given() {
        // No keep-alive: an idle pooled connection would hold up the server's graceful stop.
        // Every response is checked against openapi.yaml (support/Contract).
        return RestAssured.given().baseUri("http://127.0.0.1").port(app.port()).header("Connection", "close")
            .filter(Contract.filter());
    }

    /** The port it serves on, for clients other than rest-assured (a browser, a raw socket). */
    public int port() {
        return app.port();
    }

    /** Where it serves: {@code http://127.0.0.1:<port>}, without a trailing slash. */
    public String baseUrl() {
        return "http://127.0.0.1:" + app.port();
    }

    public Wiring wiring() {
        return wiring;
    }

    /**
     * Waits (at most 20 s) until a refresh is copying rows into {@code table} (such as
     * {@code raw.cdc_moderna_allocations}): it has its source's answer, and reads its body. A
     * test that holds the body back from there knows the refresh is in the middle of it.
     */
    public void awaitCopyingInto(String table) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        try (org.jdbi.v3.core.Handle observer = wiring.warehouse().jdbi().open()) {
            while (observer.createQuery("select count(*) from pg_stat_activity where datname = current_database() "
                    + "and pid <> pg_backend_pid() and state = 'active' and query like :copy")
                    .bind("copy", "copy " + table + " (%").mapTo(Integer.class).one() == 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no refresh copied rows into " + table + " within 20 s");
                }
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for a refresh to copy into " + table, e);
        }
    }

    @Override
    public void close() {
        app.stop();
        wiring.close();
    }
}
