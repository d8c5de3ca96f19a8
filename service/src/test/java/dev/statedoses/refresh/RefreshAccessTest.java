package dev.statedoses.refresh;

import static org.hamcrest.Matchers.equalTo;

import dev.statedoses.support.AppWithUpstream;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.RunningApp;
import dev.statedoses.support.TestWarehouse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With REFRESH_TOKEN set, only a caller with the token can refresh; reading stays open. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RefreshAccessTest {

    private static final String TOKEN = "s3cret-Token_42";

    @RegisterExtension
    static final AppWithUpstream served = new AppWithUpstream(upstream -> ConfigBuilder.from(
        upstream.serveFixtureSources(TestWarehouse.newDatabase())).refreshToken(TOKEN).build());

    @Test
    @Order(1)
    void withoutTheTokenARefreshIsUnauthorizedAndChangesNothing() {
        served.given().post("/refresh").then()
            .statusCode(401).contentType("application/problem+json")
            .header("WWW-Authenticate", "Bearer realm=\"state-doses\"")
            .body("type", equalTo("/problems/unauthorized"))
            .body("detail", equalTo("POST /refresh needs the header Authorization: Bearer <REFRESH_TOKEN>"));
        for (String wrong : new String[] {"Bearer nope", "Bearer " + TOKEN + "x", "Bearer " + TOKEN.substring(1),
            "Basic " + TOKEN, TOKEN, "Bearer"}) {
            served.given().header("Authorization", wrong).post("/refresh").then()
                .statusCode(401)
                .header("WWW-Authenticate", "Bearer realm=\"state-doses\"")
                .body("detail", equalTo("the bearer token is not the refresh token"));
        }
        // Two Authorization lines are no token: refused whichever line holds the right one, and
        // when both do.
        for (String[] lines : new String[][] {{"Bearer " + TOKEN, "Bearer nope"}, {"Bearer nope", "Bearer " + TOKEN},
            {"Bearer " + TOKEN, "Bearer " + TOKEN}}) {
            served.given().header("Authorization", lines[0]).header("Authorization", lines[1]).post("/refresh").then()
                .statusCode(401)
                .body("detail", equalTo("Authorization came on 2 lines; the bearer token goes on one"));
        }
        served.given().get("/ratios").then().statusCode(200).body(equalTo("[]"));
    }

    /**
     * A token holding ", ": two lines are one value joined by ", " (RFC 9110, 5.3), and its two
     * halves on two lines were taken for it. A token is one line.
     */
    @Test
    @Order(2)
    void aTokenIsOneLineEvenWhenItsHalvesJoinedWouldMakeIt() {
        try (RunningApp app = RunningApp.start(ConfigBuilder.from(served.config()).refreshToken("abc, def").build())) {
            app.given().header("Authorization", "Bearer abc").header("Authorization", "def").post("/refresh").then()
                .statusCode(401)
                .body("detail", equalTo("Authorization came on 2 lines; the bearer token goes on one"));
            long runs = app.wiring().warehouse().jdbi().withHandle(h -> h.createQuery(
                "select count(*) from dwh.refresh_runs").mapTo(Long.class).one());
            org.junit.jupiter.api.Assertions.assertEquals(0, runs, "no refresh ran");
        }
    }

    @Test
    @Order(3)
    void withTheTokenARefreshRuns() {
        served.given().header("Authorization", "Bearer " + TOKEN).post("/refresh").then()
            .statusCode(200).body("state_rows", equalTo(51));
        served.given().header("Authorization", "bearer " + TOKEN).post("/refresh").then()
            .statusCode(200);
        served.given().get("/ratios/NY").then().statusCode(200).body("doses_total", equalTo(7500));
    }
}
