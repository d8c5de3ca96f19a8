package dev.statedoses.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statedoses.support.AppOnNewDatabase;
import dev.statedoses.support.LoadedProduct;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A request that is malformed anywhere is answered 400 for what is malformed, whatever else it
 * asks for: a state the product lacks (or no product yet) is a 404 only for an otherwise
 * well-formed request. A 404 there had told a client to look for another state when its format
 * or date was what was wrong (`/ratios/PR?format=xml`, `/ratios/weekly?state=PR,N;Y`).
 *
 * <p>Generated: requests to the four state reads, each with a state key that is known (NY),
 * unknown but well-formed (PR, Atlantis) or malformed (N;Y), and query values that are right or
 * wrong, in random order. The expected answer is worked out from the parts: the first malformed
 * part's 400 type when there is one (any of them, when several), else 404 when any state is
 * unknown (no-data before the first refresh), else 200.
 */
class MalformedBeforeMissingTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();
    @RegisterExtension
    static final AppOnNewDatabase empty = new AppOnNewDatabase();

    private static final List<String> KNOWN = List.of("NY", "vermont", "IL");
    private static final List<String> UNKNOWN = List.of("PR", "Atlantis", "Guam");
    private static final List<String> MALFORMED = List.of("N;Y", "1NY", "N*Y");

    /** One query value of a request: a name, a value, and the problem type when the value is wrong. */
    private record Part(String name, String value, String fault) {
    }

    private enum Route { ONE, ONE_WEEKLY, ALL_WEEKLY, LIST }

    @Test
    void aMalformedRequestIsA400WhateverStateItNames() {
        Random random = new Random(9110_400L);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            Route route = Route.values()[random.nextInt(Route.values().length)];
            boolean beforeRefresh = random.nextInt(4) == 0;
            List<String> faults = new ArrayList<>();
            boolean unknown = false;
            boolean namesAState = route == Route.ONE || route == Route.ONE_WEEKLY;
            List<Part> parts = new ArrayList<>();
            String path;
            if (route == Route.ALL_WEEKLY || route == Route.LIST) {
                path = route == Route.LIST ? "/ratios" : "/ratios/weekly";
            } else {
                int kind = random.nextInt(3);
                String key = pick(random, kind == 0 ? KNOWN : kind == 1 ? UNKNOWN : MALFORMED);
                if (kind == 2) {
                    faults.add("/problems/invalid-state");
                }
                unknown |= kind == 1;
                path = "/ratios/" + key + (route == Route.ONE_WEEKLY ? "/weekly" : "");
            }
            if (route == Route.ALL_WEEKLY) {
                for (int n = random.nextInt(3); n > 0; n--) {
                    List<String> keys = new ArrayList<>();
                    for (int k = 1 + random.nextInt(3); k > 0; k--) {
                        int kind = random.nextInt(3);
                        keys.add(pick(random, kind == 0 ? KNOWN : kind == 1 ? UNKNOWN : MALFORMED));
                        unknown |= kind == 1;
                        if (kind == 2) {
                            faults.add("/problems/invalid-state");
                        }
                    }
                    parts.add(new Part("state", String.join(",", keys), null));
                    namesAState = true;
                }
                if (random.nextBoolean()) {
                    parts.add(random.nextBoolean() ? new Part("from", "2020-12-28", null)
                        : new Part("from", "2021-02-30", "/problems/invalid-week-range"));
                }
                if (random.nextBoolean()) {
                    parts.add(random.nextBoolean() ? new Part("to", "2021-01-04", null)
                        : new Part("to", "04/01/2021", "/problems/invalid-week-range"));
                }
            }
            if ((route == Route.ONE || route == Route.LIST) && random.nextBoolean()) {
                parts.add(random.nextBoolean() ? new Part("as_of", "2021-01-01", null)
                    : new Part("as_of", "2021-13-01", "/problems/invalid-as-of"));
            }
            if (random.nextBoolean()) {
                parts.add(random.nextBoolean() ? new Part("format", random.nextBoolean() ? "csv" : "JSON", null)
                    : new Part("format", "xml", "/problems/invalid-format"));
            }
            Collections.shuffle(parts, random);
            for (Part part : parts) {
                if (part.fault() != null) {
                    faults.add(part.fault());
                }
            }
            StringBuilder query = new StringBuilder();
            for (Part part : parts) {
                query.append(query.length() == 0 ? "?" : "&").append(part.name()).append('=').append(part.value());
            }
            String target = path + query;
            Response response = (beforeRefresh ? empty.given() : loaded.given()).urlEncodingEnabled(false)
                .get(target.replace(";", "%3B").replace("*", "%2A"));
            int status = response.statusCode();
            String where = (beforeRefresh ? "before a refresh: " : "") + target + " answered " + status;
            if (!faults.isEmpty()) {
                String type = status == 400 ? JsonPath.from(response.asString()).getString("type") : null;
                if (status != 400 || !faults.contains(type)) {
                    failures.add(where + " " + type + ", expected 400, one of " + faults);
                }
            } else if (namesAState && (unknown || beforeRefresh)) {
                String type = status == 404 ? JsonPath.from(response.asString()).getString("type") : null;
                String expected = beforeRefresh ? "/problems/no-data" : "/problems/unknown-state";
                if (status != 404 || !expected.equals(type)) {
                    failures.add(where + " " + type + ", expected 404 " + expected);
                }
            } else if (status != 200) {
                failures.add(where + ", expected 200");
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of 400:\n" + String.join("\n", failures));
    }

    /** The two cases a client met: a wrong format and a malformed state listed after an unknown one. */
    @Test
    void theCasesAsAClientSentThem() {
        JsonPath format = loaded.given().get("/ratios/PR?format=xml").then().statusCode(400).extract().jsonPath();
        assertEquals("/problems/invalid-format", format.getString("type"));
        assertEquals("format must be csv or json, not 'xml'", format.getString("detail"));
        JsonPath state = loaded.given().urlEncodingEnabled(false).get("/ratios/weekly?state=PR,N%3BY").then()
            .statusCode(400).extract().jsonPath();
        assertEquals("/problems/invalid-state", state.getString("type"));
        JsonPath noData = empty.given().get("/ratios/NY/weekly?format=xml").then().statusCode(400).extract().jsonPath();
        assertEquals("/problems/invalid-format", noData.getString("type"));
    }

    private static String pick(Random random, List<String> values) {
        return values.get(random.nextInt(values.size()));
    }
}
