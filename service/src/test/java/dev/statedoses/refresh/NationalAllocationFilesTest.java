package dev.statedoses.refresh;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.support.FixtureServer;
import dev.statedoses.support.NationalFiles;
import io.restassured.response.ValidatableResponse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * National allocation files (ones that name 51 or more of the 54 states, DC and counted cities),
 * short of a place or of weeks. A place with no row at all: New York City left out of both files
 * published New York at 1.47 people per dose instead of 0.84, without a warning. Weeks one file
 * has and the other has no row in, but for Pfizer's first (2020-12-14): every state would be short
 * of those weeks' doses. A place with no row in some weeks of its file: it would be short of
 * those weeks' doses (but for the week of the file's last line, where a cut file stops). A file
 * of fewer places beside a national one: each place it leaves out would have one manufacturer's
 * doses only. Generated files of all 54 places, each week alike, place i
 * (states in alphabetical order, then DC, New York City, Chicago, Philadelphia) allocated
 * moderna 20 × (121 + 3i) and pfizer 1,170 × (1 + i mod 5) of each dose, Alaska and Vermont 0 (the
 * fixture's populations, 900 and 1,234, would put them more than 10 times from the median).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NationalAllocationFilesTest {


    private FixtureServer upstream;

    @BeforeAll
    void start() {
        upstream = FixtureServer.start();
    }

    @AfterAll
    void stop() {
        upstream.close();
    }

    /** The week of 2021-01-04 for every place but {@code without}; pfizer's counts or moderna's. */
    private static String file(boolean pfizer, Set<String> without) {
        return file(pfizer, without, "2021-01-04");
    }

    /** These weeks for every place but {@code without}; pfizer's counts or moderna's. */
    private static String file(boolean pfizer, Set<String> without, String... weeks) {
        return file(pfizer, Map.of(), without, weeks);
    }

    /**
     * These weeks for every place but {@code without}, and for a place of {@code lacking} but in
     * the weeks it maps to; pfizer's counts or moderna's.
     */
    private static String file(boolean pfizer, Map<String, Set<String>> lacking, Set<String> without,
                               String... weeks) {
        List<String> lines = new ArrayList<>();
        for (int row = 0; row < NationalFiles.PLACES.size() * weeks.length; row++) {
            int i = row % NationalFiles.PLACES.size();
            String week = weeks[row / NationalFiles.PLACES.size()];
            String place = NationalFiles.PLACES.get(i);
            if (without.contains(place) || lacking.getOrDefault(place, Set.of()).contains(week)) {
                continue;
            }
            lines.add(line(place, week, i, pfizer));
        }
        return NationalFiles.file(lines);
    }

    /** Place {@code i}'s line of {@code week}; pfizer's counts or moderna's. */
    private static String line(String place, String week, int i, boolean pfizer) {
        int doses = place.equals("Alaska") || place.equals("Vermont") ? 0
            : pfizer ? 1170 * (1 + i % 5) : 20 * (121 + 3 * i);
        return NationalFiles.line(place, week, doses);
    }

    private ValidatableResponse refresh(String name, String moderna, String pfizer, boolean newYork) {
        return NationalFiles.refresh(upstream, name, moderna, pfizer, app -> {
            if (newYork) {
                // New York (31): moderna 2 × 20 × 214 = 8,560, pfizer 2 × 1,170 × 2 = 4,680; New
                // York City (51): moderna 2 × 20 × 274 = 10,960, pfizer 4,680. 6,000 people / 28,880.
                app.given().get("/ratios/NY").then().statusCode(200)
                    .body("doses_moderna", equalTo(19520))
                    .body("doses_pfizer", equalTo(9360))
                    .body("people_per_dose", equalTo(0.2078f));
            }
        });
    }

    @Test
    void everyPlaceInBothFilesLoads() {
        refresh("all", file(false, Set.of()), file(true, Set.of()), true).statusCode(200);
    }

    @Test
    void newYorkCityLeftOutOfBothFails() {
        refresh("nyc", file(false, Set.of("New York City")), file(true, Set.of("New York City")), false)
            .statusCode(422)
            .body("type", equalTo("/problems/source-content"))
            .body("source", equalTo("moderna"))
            .body("line", nullValue())
            .body("column", equalTo("jurisdiction"))
            .body("state", equalTo("New York"))
            .body("detail", equalTo("moderna source (" + upstream.url("/nyc/m.csv") + "), column jurisdiction, state "
                + "New York: New York City has no row in the moderna source, which names 53 of the 54 states, DC and "
                + "counted cities, nor in the pfizer source: New York would be published short of the city's doses. "
                + "Is the file part of the national one?"));
    }

    @Test
    void aFileWithoutItsRowsOfZeroIsToldSo() {
        // Alaska and Vermont are allocated 0 every week: a Moderna file that leaves its rows of 0
        // out lacks them as one that lost them. Pfizer's file has its two rows of 0.
        refresh("no-zeros", file(false, Set.of("Alaska", "Vermont")), file(true, Set.of()), false)
            .statusCode(422)
            .body("source", equalTo("moderna"))
            .body("state", equalTo("Alaska"))
            .body("detail", equalTo("moderna source (" + upstream.url("/no-zeros/m.csv") + "), column jurisdiction, "
                + "state Alaska: Alaska has no row in the moderna source, which names 52 of the 54 states, DC and "
                + "counted cities, though the pfizer source has 1 row of it (1 more missing: Vermont): Alaska would "
                + "be published short of its doses. Is the file part of the national one? The moderna source has no "
                + "row of 0 doses, where the pfizer source has 2: if the file leaves its rows of 0 out, the places it "
                + "lacks were allocated none, but the service cannot tell that from lines lost with doses in them; "
                + "serve the file with its rows of 0."));
        // A file that lacks a place but has rows of 0 is not told of them.
        refresh("zeros-kept", file(false, Set.of("Alaska")), file(true, Set.of()), false)
            .statusCode(422)
            .body("detail", endsWith("Alaska would be published short of its doses. Is the file part of the national "
                + "one?"));
    }

    @Test
    void theCitiesLeftOutOfPfizersFileFail() {
        // A "states only" export: 51 of 54 is still a national file.
        refresh("states-only", file(false, Set.of()), file(true, Set.of("New York City", "Chicago", "Philadelphia")),
            false)
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("state", equalTo("Illinois"))
            .body("detail", equalTo("pfizer source (" + upstream.url("/states-only/p.csv") + "), column jurisdiction, "
                + "state Illinois: Chicago has no row in the pfizer source, which names 51 of the 54 states, DC and "
                + "counted cities, though the moderna source has 1 row of it (2 more missing: New York City, "
                + "Philadelphia): Illinois would be published short of the city's doses. Is the file part of the "
                + "national one?"));
    }

    @Test
    void texasLeftOutOfModernasFileFails() {
        refresh("texas", file(false, Set.of("Texas")), file(true, Set.of()), false)
            .statusCode(422)
            .body("source", equalTo("moderna"))
            .body("state", equalTo("Texas"));
    }

    @Test
    void aFileOfFiftyIsNotJudged() {
        // Four left out: a partial file, as the generated test files of 50 states are; it loads.
        Set<String> four = Set.of("New York City", "Chicago", "Philadelphia", "Texas");
        refresh("fifty", file(false, four), file(true, four), false).statusCode(200);
    }

    @Test
    void placesLeftOutOfAFileBesideANationalOneFail() {
        // Five states left out of the real Pfizer file loaded with a warning, Texas at 2.03 people
        // per dose instead of 0.92: beside a national file, a file of 49 is judged.
        Set<String> five = Set.of("Texas", "Ohio", "Georgia", "Florida", "Iowa");
        refresh("beside", file(false, Set.of()), file(true, five), false)
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("column", equalTo("jurisdiction"))
            .body("state", equalTo("Florida"))
            .body("detail", equalTo("pfizer source (" + upstream.url("/beside/p.csv") + "), column jurisdiction, "
                + "state Florida: Florida has no row in the pfizer source, which names 49 of the 54 states, DC and "
                + "counted cities, though the moderna source has 1 row of it (4 more missing: Georgia, Iowa, Ohio, "
                + "Texas): Florida would be published short of its doses. Is the file part of the national one?"));
    }

    @Test
    void aFileOfTerritoriesAloneBesideANationalOneFails() {
        // No place at all: every state would have Moderna's doses only.
        String territories = NationalFiles.file(List.of(
            "\"Guam\",\"2021-01-04T00:00:00.000\",\"1170\",\"1170\"",
            "\"Puerto Rico\",\"2021-01-04T00:00:00.000\",\"2340\",\"2340\"",
            "\"Federal Entities\",\"2021-01-04T00:00:00.000\",\"3510\",\"3510\""));
        refresh("territories", file(false, Set.of()), territories, false)
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("state", equalTo("Alabama"))
            .body("detail", containsString("Alabama has no row in the pfizer source, which names 0 of the 54 states, "
                + "DC and counted cities, though the moderna source has 1 row of it (53 more missing: Alaska, "));
    }

    @Test
    void generatedFilesBesideANationalOneFailOnTheirFirstMissingPlace() {
        Random random = new Random(20261201);
        for (int round = 0; round < 4; round++) {
            // From 4 places left out (a file of 50, which alone is not judged) to 50 (a file of 4,
            // as the fixtures are): whichever file, the first missing by name is named.
            int count = 4 + random.nextInt(47);
            List<String> shuffled = new ArrayList<>(NationalFiles.PLACES);
            Collections.shuffle(shuffled, random);
            TreeSet<String> left = new TreeSet<>(shuffled.subList(0, count));
            String first = left.first();
            boolean pfizer = random.nextBoolean();
            String partial = file(pfizer, left);
            String whole = file(!pfizer, Set.of());
            refresh("gen-beside-" + round, pfizer ? whole : partial, pfizer ? partial : whole, false)
                .statusCode(422)
                .body("source", equalTo(pfizer ? "pfizer" : "moderna"))
                .body("state", equalTo(NationalFiles.stateOf(first)))
                .body("detail", containsString(first + " has no row in the " + (pfizer ? "pfizer" : "moderna")
                    + " source, which names " + (54 - count) + " of the 54 states, DC and counted cities, though the "
                    + (pfizer ? "moderna" : "pfizer") + " source has 1 row of it (" + (count - 1) + " more missing: "));
        }
    }

    @Test
    void aWeekOneNationalFileLacksFails() {
        refresh("week", file(false, Set.of(), "2021-01-04", "2021-01-11", "2021-01-18"),
            file(true, Set.of(), "2021-01-04", "2021-01-18"), false)
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("line", nullValue())
            .body("column", equalTo("week_of_allocations"))
            .body("detail", equalTo("pfizer source (" + upstream.url("/week/p.csv") + "), column week_of_allocations: "
                + "the pfizer source has no doses (no row, or rows of 0 only) in 1 week that the moderna source has "
                + "doses in (2021-01-11), though both are national files: every state would be published short of "
                + "those doses. Is one file cut short, or older than the other?"));
    }

    @Test
    void aWeekOfDosesForNoStateAloneLoads() {
        // A week more in Moderna's file in which only Federal Entities and a territory got doses: no
        // state would be short of them in the other file. The check counted every jurisdiction's
        // doses, and refused the pair saying every state would be short. (A state's doses in such a
        // week fail: aWeekOneNationalFileLacksFails. A name no one knows there is a state's new
        // name, beside the states that lack the week: RenamedJurisdictionsApiTest.)
        String moderna = file(false, Set.of(), "2021-01-04") + NationalFiles.line("Federal Entities", "2021-01-11", 1000)
            + "\n" + NationalFiles.line("Guam", "2021-01-11", 10) + "\n";
        refresh("no-state-week", moderna, file(true, Set.of(), "2021-01-04"), true).statusCode(200);
    }

    /**
     * A week that names no place, only jurisdictions that count for no state (Federal Entities,
     * territories), before the files' first week or after their last: no place is short of it,
     * wherever its lines stand. Generated: one or two such weeks (a week on with doses or rows of
     * 0, or farther with rows of 0 only, or the week before the first), their lines anywhere in one
     * file or both, the files newest first or oldest first. The check of places missing weeks
     * judged it every place's lines lost ("Alabama has no row in 1 of the 4 weeks ... (53 more
     * places lack weeks)") unless it held the file's last line, so a new week's first lines at the
     * top of a file that runs newest first refused the real files.
     */
    @Test
    void generatedWeeksForNoStateAloneLoadWhereverTheirLinesStand() {
        List<String> noPlace = List.of("Federal Entities", "Guam", "American Samoa", "Puerto Rico", "U.S. Virgin Islands");
        Random random = new Random(20261205);
        for (int variant = 0; variant < 12; variant++) {
            boolean newestFirst = random.nextBoolean();
            String[] weeks = newestFirst ? new String[] {"2021-01-11", "2021-01-04"}
                : new String[] {"2021-01-04", "2021-01-11"};
            List<List<String>> files = List.of(
                new ArrayList<>(List.of(file(false, Set.of(), weeks).split("\n"))),
                new ArrayList<>(List.of(file(true, Set.of(), weeks).split("\n"))));
            int extraWeeks = 1 + random.nextInt(2);
            List<String> said = new ArrayList<>();
            Set<String> used = new TreeSet<>();
            for (int w = 0; w < extraWeeks; w++) {
                // Doses only next to the files' weeks: a week of doses with a week of none between
                // is lost_weeks' gap, however it is made.
                int kind = random.nextInt(3);
                String week = switch (kind) {
                    case 0 -> "2021-01-18";
                    case 1 -> LocalDate.parse("2021-01-18").plusWeeks(1 + random.nextInt(30)).toString();
                    default -> "2020-12-28";
                };
                if (!used.add(week)) {
                    continue; // a place's two lines of one week would be another fault
                }
                boolean doses = kind != 1 && random.nextBoolean();
                int which = random.nextInt(3); // 0: moderna's, 1: pfizer's, 2: both
                for (int f = 0; f < 2; f++) {
                    if (which != 2 && which != f) {
                        continue;
                    }
                    List<String> lines = files.get(f);
                    List<String> places = new ArrayList<>(noPlace);
                    Collections.shuffle(places, random);
                    for (String place : places.subList(0, 1 + random.nextInt(3))) {
                        // After the header, anywhere: the top, between weeks, the very end.
                        int at = 1 + random.nextInt(lines.size());
                        lines.add(at, NationalFiles.line(place, week, doses ? 10 + random.nextInt(500) : 0));
                        said.add((f == 0 ? "moderna" : "pfizer") + " " + place + " " + week + " at line " + (at + 1)
                            + (doses ? " with doses" : " of 0"));
                    }
                }
            }
            ValidatableResponse answer = NationalFiles.refresh(upstream, "no-place-" + variant,
                String.join("\n", files.get(0)) + "\n", String.join("\n", files.get(1)) + "\n", app -> {
                    if (app.given().get("/ratios/NY").statusCode() == 200) {
                        // Twice refresh(..., true)'s week: moderna 2 x 19,520, pfizer 2 x 9,360;
                        // 6,000 people / 57,760 doses. The lines added change nothing.
                        app.given().get("/ratios/NY").then()
                            .body("doses_moderna", equalTo(39040))
                            .body("doses_pfizer", equalTo(18720))
                            .body("people_per_dose", equalTo(0.1039f));
                    }
                });
            assertEquals(200, answer.extract().statusCode(), said + ": " + answer.extract().asString());
        }
    }

    @Test
    void aWeekForNoStateBetweenTheFilesWeeksIsEveryPlacesLinesLost() {
        // The week of 2021-01-11 with every place's lines left out of both files, Federal
        // Entities' kept (the 3rd line): every place would be published short of that week's doses.
        String[] weeks = {"2021-01-18", "2021-01-11", "2021-01-04"};
        Map<String, Set<String>> lacking = new HashMap<>();
        NationalFiles.PLACES.forEach(place -> lacking.put(place, Set.of("2021-01-11")));
        List<String> files = new ArrayList<>();
        for (boolean pfizer : new boolean[] {false, true}) {
            List<String> lines = new ArrayList<>(List.of(file(pfizer, lacking, Set.of(), weeks).split("\n")));
            lines.add(1 + NationalFiles.PLACES.size(), NationalFiles.line("Federal Entities", "2021-01-11", 1000));
            files.add(String.join("\n", lines) + "\n");
        }
        refresh("no-place-between", files.get(0), files.get(1), false)
            .statusCode(422)
            .body("source", equalTo("moderna"))
            .body("column", equalTo("week_of_allocations"))
            .body("detail", containsString("has no row in 1 of the 3 weeks of the moderna source (2021-01-04 to "
                + "2021-01-18): 2021-01-11 (53 more places lack weeks)"));
    }

    /**
     * One row dated into a week of its own (a year mistyped: Connecticut's 2021-01-11 written
     * 2027-01-11): the file that has that week is named, at the row's line, not the other file for
     * lacking a week that only one place has. It was blamed on the other file, without a line,
     * saying every state would be short. Three rows so, in two such weeks, are named the same way,
     * at the first of them. A whole week moved is still named both ways (below).
     */
    @Test
    void rowsDatedIntoAWeekOfTheirOwnAreNamedAtTheirLine() {
        String[] weeks = {"2021-01-04", "2021-01-11", "2021-01-18"};
        String pfizer = file(true, Set.of(), weeks);
        String one = file(false, Set.of(), weeks).replace("\"Connecticut\",\"2021-01-11T", "\"Connecticut\",\"2027-01-11T");
        refresh("stray-row", one, pfizer, false)
            .statusCode(422)
            .body("source", equalTo("moderna"))
            .body("line", equalTo(lineOf(one, "\"Connecticut\",\"2027-01-11T")))
            .body("column", equalTo("week_of_allocations"))
            .body("detail", equalTo("moderna source (" + upstream.url("/stray-row/m.csv") + "), line "
                + lineOf(one, "\"Connecticut\",\"2027-01-11T") + ", column week_of_allocations: the moderna source has "
                + "doses in the week of 2027-01-11 from 1 place only (Connecticut, line "
                + lineOf(one, "\"Connecticut\",\"2027-01-11T") + "), where its fullest week has 54, and the pfizer source "
                + "has no doses in that week: are those rows dated wrong (a year, a month mistyped)? Their doses would "
                + "count in a week of their own, and be missing from the week they belong to."));
        String three = file(true, Set.of(), weeks).replace("\"Ohio\",\"2021-01-04T", "\"Ohio\",\"2031-01-06T")
            .replace("\"Texas\",\"2021-01-18T", "\"Texas\",\"2031-01-06T")
            .replace("\"Iowa\",\"2021-01-11T", "\"Iowa\",\"2029-01-08T");
        refresh("stray-rows", file(false, Set.of(), weeks), three, false)
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("line", equalTo(lineOf(three, "\"Iowa\",\"2029-01-08T")))
            .body("detail", containsString("the pfizer source has doses in 2 weeks (2029-01-08, 2031-01-06) that few of "
                + "its places have (the first from 1 place: Iowa, line " + lineOf(three, "\"Iowa\",\"2029-01-08T")
                + "), where its fullest week has 53, and the moderna source has no doses in those weeks"));
    }

    /** The 1-based line of the file's first line that starts with {@code start}. */
    private static int lineOf(String file, String start) {
        List<String> lines = file.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(start)) {
                return i + 1;
            }
        }
        throw new AssertionError("no line starts with " + start);
    }

    @Test
    void aWeekMovedInOneFileIsNamedBothWays() {
        // Moderna's 2021-01-11 dated 2021-01-18: each file has a week the other lacks.
        refresh("moved", file(false, Set.of(), "2021-01-04", "2021-01-18"),
            file(true, Set.of(), "2021-01-04", "2021-01-11"), false)
            .statusCode(422)
            .body("source", equalTo("moderna"))
            .body("detail", equalTo("moderna source (" + upstream.url("/moved/m.csv")
                + "), column week_of_allocations: the moderna source has no doses (no row, or rows of 0 only) in 1 "
                + "week that the pfizer source has doses in (2021-01-11); the pfizer source has no doses (no row, or "
                + "rows of 0 only) in 1 week that the moderna source has doses in (2021-01-18), though both are "
                + "national files: "
                + "every state would be published short of those weeks' doses. Is one file cut short, or older than "
                + "the other?"));
    }

    @Test
    void pfizersFirstWeekAloneIsExpected() {
        // Pfizer's allocations began on 2020-12-14, Moderna's a week later.
        refresh("first-week", file(false, Set.of(), "2020-12-21"), file(true, Set.of(), "2020-12-14", "2020-12-21"),
            false).statusCode(200);
    }

    @Test
    void aWeekBothNationalFilesLackFails() {
        refresh("gap", file(false, Set.of(), "2021-01-04", "2021-01-18"), file(true, Set.of(), "2021-01-04", "2021-01-18"),
            false)
            .statusCode(422)
            .body("source", equalTo("moderna"))
            .body("line", nullValue())
            .body("column", equalTo("week_of_allocations"))
            .body("detail", equalTo("moderna source (" + upstream.url("/gap/m.csv") + "), column week_of_allocations: "
                + "no allocation source has doses in the week of 2021-01-11 (no row, or rows of 0 only), though the "
                + "national files run from "
                + "2021-01-04 to 2021-01-18, week after week: every state would be published short of that week's "
                + "doses. Were weeks lost from both files?"));
    }

    @Test
    void everyWeekBothLackIsCounted() {
        String[] weeks = {"2021-01-04", "2021-01-25", "2021-02-15"};
        refresh("gaps", file(false, Set.of(), weeks), file(true, Set.of(), weeks), false)
            .statusCode(422)
            .body("detail", containsString("no allocation source has doses in 4 weeks (2021-01-11, 2021-01-18, "
                + "2021-02-01, 2021-02-08) (no row, or rows of 0 only), though the national files run from 2021-01-04 "
                + "to 2021-02-15"));
    }

    @Test
    void pfizersFirstWeekLostFails() {
        // Pfizer's rows of 2020-12-14 cut away: both files start with Moderna's first week.
        refresh("pfizer-first", file(false, Set.of(), "2020-12-21", "2020-12-28"),
            file(true, Set.of(), "2020-12-21", "2020-12-28"), false)
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("column", equalTo("week_of_allocations"))
            .body("detail", equalTo("pfizer source (" + upstream.url("/pfizer-first/p.csv") + "), column "
                + "week_of_allocations: the pfizer source has no doses (no row, or rows of 0 only) in the week of "
                + "2020-12-14, the first week of pfizer allocations, though it has the week after: every state would "
                + "be published short of that week's doses. Is the file cut short?"));
    }

    @Test
    void filesOfZerosOnlyAreNotCalledCutShort() {
        // Every count 0 in both files: refused, as every first week lost, but not "though it has
        // the week after ... Is the file cut short?": the file has no doses in any week.
        List<String> moderna = new ArrayList<>();
        List<String> pfizer = new ArrayList<>();
        for (String week : new String[] {"2020-12-28", "2020-12-21", "2020-12-14"}) {
            for (String place : NationalFiles.PLACES) {
                pfizer.add(NationalFiles.line(place, week, 0));
                if (!week.equals("2020-12-14")) {
                    moderna.add(NationalFiles.line(place, week, 0));
                }
            }
        }
        refresh("zeros-only", NationalFiles.file(moderna), NationalFiles.file(pfizer), false)
            .statusCode(422)
            .body("source", equalTo("moderna"))
            .body("column", equalTo("_1st_dose_allocations"))
            .body("detail", equalTo("moderna source (" + upstream.url("/zeros-only/m.csv") + "), column "
                + "_1st_dose_allocations: the moderna source has no doses in any of its weeks (every count is 0), its "
                + "first week of allocations, 2020-12-21, included: every state would be published without moderna "
                + "doses. Were its counts lost?"));
    }

    @Test
    void modernasFirstWeekLostFails() {
        refresh("moderna-first", file(false, Set.of(), "2020-12-28", "2021-01-04"),
            file(true, Set.of(), "2020-12-28", "2021-01-04"), false)
            .statusCode(422)
            .body("source", equalTo("moderna"))
            .body("detail", containsString("the moderna source has no doses (no row, or rows of 0 only) in the week "
                + "of 2020-12-21, the first week of moderna allocations, though it has the week after"));
    }

    @Test
    void filesCutToLaterWeeksLoad() {
        // As the lake's are: neither file has its maker's first week, nor the week after.
        String[] weeks = {"2021-03-01", "2021-03-08", "2021-03-15"};
        refresh("later", file(false, Set.of(), weeks), file(true, Set.of(), weeks), false).statusCode(200);
    }

    @Test
    void aGapInFilesOfFiftyIsNotJudged() {
        Set<String> four = Set.of("New York City", "Chicago", "Philadelphia", "Texas");
        refresh("fifty-gap", file(false, four, "2021-01-04", "2021-01-18"), file(true, four, "2021-01-04", "2021-01-18"),
            false).statusCode(200);
    }

    @Test
    void generatedGapsFailOnTheFirst() {
        Random random = new Random(20261201);
        for (int round = 0; round < 5; round++) {
            int span = 5 + random.nextInt(5);
            LocalDate start = LocalDate.of(2021, 1, 4).plusWeeks(random.nextInt(10));
            TreeSet<Integer> lost = new TreeSet<>();
            int count = 1 + random.nextInt(3);
            while (lost.size() < count) {
                lost.add(1 + random.nextInt(span - 2));
            }
            List<String> weeks = new ArrayList<>();
            for (int w = 0; w < span; w++) {
                if (!lost.contains(w)) {
                    weeks.add(start.plusWeeks(w).toString());
                }
            }
            String[] kept = weeks.toArray(String[]::new);
            String first = start.plusWeeks(lost.first()).toString();
            refresh("gen-gap-" + round, file(false, Set.of(), kept), file(true, Set.of(), kept), false)
                .statusCode(422)
                .body("source", equalTo("moderna"))
                .body("detail", containsString(count == 1 ? "in the week of " + first + " (no row"
                    : "in " + count + " weeks (" + first + ", "))
                .body("detail", containsString("run from " + start + " to " + start.plusWeeks(span - 1)));
        }
    }

    /** {@code file} with {@code place}'s counts written 0 in {@code weeks}. */
    private static String zeroed(String file, String place, String... weeks) {
        String zeroed = file;
        for (String week : weeks) {
            zeroed = zeroed.replaceAll("(?m)^(\"" + place + "\",\"" + week + "T00:00:00.000\"),.*$", "$1,\"0\",\"0\"");
        }
        return zeroed;
    }

    private static final String[] SIX_WEEKS = {"2021-01-04", "2021-01-11", "2021-01-18", "2021-01-25", "2021-02-01",
        "2021-02-08"};

    @Test
    void aPlacesWeeksWrittenZeroFail() {
        // Texas (42)'s last two of eight Pfizer weeks written 0: line 2 + 54 × 6 + 42 = 368.
        String[] eight = {"2021-01-04", "2021-01-11", "2021-01-18", "2021-01-25", "2021-02-01", "2021-02-08",
            "2021-02-15", "2021-02-22"};
        refresh("zeros", file(false, Set.of(), eight),
            zeroed(file(true, Set.of(), eight), "Texas", "2021-02-15", "2021-02-22"), false)
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("line", equalTo(368))
            .body("column", equalTo("_1st_dose_allocations"))
            .body("state", equalTo("Texas"))
            .body("detail", equalTo("pfizer source (" + upstream.url("/zeros/p.csv") + "), line 368, column "
                + "_1st_dose_allocations, state Texas: Texas has no doses (0 and 0) in 2 of its 8 weeks in the "
                + "pfizer source (2021-02-15, 2021-02-22), weeks the moderna source gives it doses in, though it has "
                + "doses in the other 6: Texas would be "
                + "published short of those weeks' doses. Were values lost written 0?"));
    }

    @Test
    void aWeekWrittenZeroInBothFilesIsLost() {
        String moderna = file(false, Set.of(), SIX_WEEKS);
        String pfizer = file(true, Set.of(), SIX_WEEKS);
        for (String place : NationalFiles.PLACES) {
            moderna = zeroed(moderna, place, "2021-01-18");
            pfizer = zeroed(pfizer, place, "2021-01-18");
        }
        refresh("zero-week", moderna, pfizer, false)
            .statusCode(422)
            .body("source", equalTo("moderna"))
            .body("detail", containsString("no allocation source has doses in the week of 2021-01-18 (no row, or rows "
                + "of 0 only)"));
    }

    @Test
    void weeksOfZeroAreJudgedWhereThreeInFourHaveDoses() {
        String[] four = {"2021-01-04", "2021-01-11", "2021-01-18", "2021-01-25"};
        refresh("zero-one-of-four", file(false, Set.of(), four), zeroed(file(true, Set.of(), four), "Ohio", "2021-01-11"),
            false).statusCode(422)
            .body("state", equalTo("Ohio"))
            .body("detail", containsString("Ohio has no doses (0 and 0) in 1 of its 4 weeks in the pfizer source "
                + "(2021-01-11), weeks the moderna source gives it doses in, though it has doses in the other 3: Ohio "
                + "would be published short of that week's"));
        // Two of six, or half its weeks (as Alaska's real files are), are a pattern: not judged.
        refresh("zero-two-of-six", file(false, Set.of(), SIX_WEEKS),
            zeroed(file(true, Set.of(), SIX_WEEKS), "Ohio", "2021-01-11", "2021-01-25"), false).statusCode(200);
        refresh("zero-half", zeroed(file(false, Set.of(), SIX_WEEKS), "Ohio", "2021-01-04", "2021-01-18", "2021-02-01"),
            file(true, Set.of(), SIX_WEEKS), false).statusCode(200);
    }

    /** {@code file} with every place's counts of {@code week} written 0. */
    private static String weekZeroed(String file, String week) {
        String zeroed = file;
        for (String place : NationalFiles.PLACES) {
            zeroed = zeroed(zeroed, place, week);
        }
        return zeroed;
    }

    @Test
    void weeksOfZerosOnlyAfterTheWeeksOfDosesLoad() {
        // A week listed ahead of its allocations, every count 0: in both files, or in one (the
        // other has no doses in it either). No dose is lacking; both load.
        String[] three = {"2021-01-04", "2021-01-11", "2021-01-18"};
        String[] four = {"2021-01-04", "2021-01-11", "2021-01-18", "2021-01-25"};
        refresh("ahead-both", weekZeroed(file(false, Set.of(), four), "2021-01-25"),
            weekZeroed(file(true, Set.of(), four), "2021-01-25"), false).statusCode(200);
        refresh("ahead-one", file(false, Set.of(), three), weekZeroed(file(true, Set.of(), four), "2021-01-25"),
            false).statusCode(200);
        // The newest week written 0 in both files is such a week too.
        refresh("newest-both", weekZeroed(file(false, Set.of(), three), "2021-01-18"),
            weekZeroed(file(true, Set.of(), three), "2021-01-18"), false).statusCode(200);
    }

    @Test
    void aWeekOfZerosOnlyInOneFileIsAWeekItLacks() {
        // Pfizer's week of 2021-01-11, or its newest, every count 0 where Moderna's has doses.
        String[] three = {"2021-01-04", "2021-01-11", "2021-01-18"};
        for (String week : new String[] {"2021-01-11", "2021-01-18"}) {
            refresh("zero-week-" + week, file(false, Set.of(), three), weekZeroed(file(true, Set.of(), three), week),
                false)
                .statusCode(422)
                .body("source", equalTo("pfizer"))
                .body("column", equalTo("week_of_allocations"))
                .body("detail", containsString("the pfizer source has no doses (no row, or rows of 0 only) in 1 week "
                    + "that the moderna source has doses in (" + week + "), though both are national files"));
        }
    }

    @Test
    void weeksOfZeroInBothFilesAreAPause() {
        // Ohio's week of 2021-01-11 at 0 in both files: its allocations paused (as the real
        // Alaska's were, some months), not values lost from one file. It loads.
        String[] four = {"2021-01-04", "2021-01-11", "2021-01-18", "2021-01-25"};
        refresh("zero-both", zeroed(file(false, Set.of(), four), "Ohio", "2021-01-11"),
            zeroed(file(true, Set.of(), four), "Ohio", "2021-01-11"), false).statusCode(200);
        // And 2021-02-01 at 0 in Pfizer's file only, of eight weeks: that one is judged, the pause
        // not counted among the weeks of doses.
        String[] eight = {"2021-01-04", "2021-01-11", "2021-01-18", "2021-01-25", "2021-02-01", "2021-02-08",
            "2021-02-15", "2021-02-22"};
        refresh("zero-both-and-one", zeroed(file(false, Set.of(), eight), "Ohio", "2021-01-11"),
            zeroed(file(true, Set.of(), eight), "Ohio", "2021-01-11", "2021-02-01"), false)
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("state", equalTo("Ohio"))
            .body("detail", containsString("Ohio has no doses (0 and 0) in 1 of its 8 weeks in the pfizer source "
                + "(2021-02-01), weeks the moderna source gives it doses in, though it has doses in 6 of the others: "
                + "Ohio would be published short of that week's doses."));
    }

    @Test
    void zerosInFilesOfFiftyAreNotJudged() {
        Set<String> four = Set.of("New York City", "Chicago", "Philadelphia", "Texas");
        refresh("fifty-zeros", zeroed(file(false, four, SIX_WEEKS), "Ohio", "2021-01-11"), file(true, four, SIX_WEEKS),
            false).statusCode(200);
    }

    @Test
    void generatedWeeksWrittenZeroFail() {
        Random random = new Random(20261201);
        for (int round = 0; round < 5; round++) {
            int weeks = 4 + random.nextInt(5);
            String[] all = weeksFrom2021(weeks);
            int place = placeWithDoses(random);
            String name = NationalFiles.PLACES.get(place);
            int week = random.nextInt(weeks);
            boolean pfizer = random.nextBoolean();
            String zeroedFile = zeroed(file(pfizer, Set.of(), all), name, all[week]);
            refresh("gen-zero-" + round, pfizer ? file(false, Set.of(), all) : zeroedFile,
                pfizer ? zeroedFile : file(true, Set.of(), all), false)
                .statusCode(422)
                .body("source", equalTo(pfizer ? "pfizer" : "moderna"))
                .body("line", equalTo(2 + 54 * week + place))
                .body("state", equalTo(NationalFiles.stateOf(name)))
                .body("detail", containsString(name + " has no doses (0 and 0) in 1 of its " + weeks + " weeks"));
        }
    }

    @Test
    void weeksOfFilesOfFiftyAreNotJudged() {
        Set<String> four = Set.of("New York City", "Chicago", "Philadelphia", "Texas");
        refresh("fifty-weeks", file(false, four, "2021-01-04", "2021-01-11"), file(true, four, "2021-01-04"), false)
            .statusCode(200);
    }

    @Test
    void weeksMissingInsideAStatesWeeksFail() {
        String[] weeks = {"2021-01-04", "2021-01-11", "2021-01-18", "2021-01-25"};
        refresh("hole", file(false, Map.of("Texas", Set.of("2021-01-11", "2021-01-18")), Set.of(), weeks),
            file(true, Set.of(), weeks), false)
            .statusCode(422)
            .body("source", equalTo("moderna"))
            .body("line", nullValue())
            .body("column", equalTo("week_of_allocations"))
            .body("state", equalTo("Texas"))
            .body("detail", equalTo("moderna source (" + upstream.url("/hole/m.csv") + "), column "
                + "week_of_allocations, state Texas: Texas has no row in 2 of the 4 weeks of the moderna source "
                + "(2021-01-04 to 2021-01-25): 2021-01-11, 2021-01-18: Texas would be published short of its doses "
                + "in those weeks. Were lines of the file lost?"));
    }

    @Test
    void aCitysMissingWeekIsItsStates() {
        String[] weeks = {"2021-01-04", "2021-01-11", "2021-01-18"};
        refresh("city-hole", file(false, Set.of(), weeks),
            file(true, Map.of("Chicago", Set.of("2021-01-11"), "Ohio", Set.of("2021-01-11")), Set.of(), weeks), false)
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("state", equalTo("Illinois"))
            .body("detail", containsString("Chicago has no row in 1 of the 3 weeks of the pfizer source (2021-01-04 "
                + "to 2021-01-18): 2021-01-11 (1 more places lack weeks): Illinois would be published short of the "
                + "city's doses in those weeks."));
    }

    @Test
    void aPlaceThatStartsLateFails() {
        // Texas's first five weeks left out of the real Pfizer file loaded with a warning.
        String[] weeks = {"2021-01-04", "2021-01-11", "2021-01-18"};
        refresh("late", file(false, Map.of("Texas", Set.of("2021-01-04")), Set.of(), weeks),
            file(true, Set.of(), weeks), false)
            .statusCode(422)
            .body("source", equalTo("moderna"))
            .body("state", equalTo("Texas"))
            .body("detail", containsString("Texas has no row in 1 of the 3 weeks of the moderna source (2021-01-04 "
                + "to 2021-01-18): 2021-01-04: Texas"));
    }

    @Test
    void aPlaceThatStopsEarlyFails() {
        // The files run newest first, as the CDC's do: the earliest week holds the last line.
        String[] weeks = {"2021-01-18", "2021-01-11", "2021-01-04"};
        refresh("early", file(false, Set.of(), weeks),
            file(true, Map.of("Chicago", Set.of("2021-01-18", "2021-01-11")), Set.of(), weeks), false)
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("state", equalTo("Illinois"))
            .body("detail", containsString("Chicago has no row in 2 of the 3 weeks of the pfizer source (2021-01-04 "
                + "to 2021-01-18): 2021-01-11, 2021-01-18: Illinois"));
    }

    @Test
    void onlyTheWeekOfTheLastLineMayBeCut() {
        // As the lake's files, cut after 1000 lines in the earliest week they hold (newest first),
        // or a download cut at a line end in its newest (oldest first): completeness warns of it.
        // Moderna's cut after Ohio (34), Pfizer's after Chicago (52).
        String[] newestFirst = {"2021-01-18", "2021-01-11", "2021-01-04"};
        refresh("cut-earliest", file(false, cutAfter(34, "2021-01-04"), Set.of(), newestFirst),
            file(true, cutAfter(52, "2021-01-04"), Set.of(), newestFirst), false).statusCode(200);
        String[] oldestFirst = {"2021-01-04", "2021-01-11", "2021-01-18"};
        refresh("cut-newest", file(false, cutAfter(42, "2021-01-18"), Set.of(), oldestFirst),
            file(true, Set.of(), oldestFirst), false).statusCode(200);
    }

    // ---- second doses against first ---------------------------------------------------------

    @Test
    void aStatesSecondDosesWrittenZeroInSomeWeeksFail() {
        // Texas (42): Moderna's 20 × (121 + 3 × 42) = 4,940 a dose a week; its second doses written
        // 0 in the last two of three weeks: 4,940 for 14,820 first doses.
        String[] weeks = {"2021-01-04", "2021-01-11", "2021-01-18"};
        assertEquals(42, NationalFiles.PLACES.indexOf("Texas"));
        refresh("second-zero", withDoseZero(file(false, Set.of(), weeks), "Texas", Set.of("2021-01-11", "2021-01-18"),
            false), file(true, Set.of(), weeks), false)
            .statusCode(422)
            .body("source", equalTo("moderna"))
            .body("column", equalTo("_2nd_dose_allocations"))
            .body("state", equalTo("Texas"))
            .body("detail", containsString("the moderna source allocates Texas 4940 second doses for 14820 first "
                + "doses (0.33 times), though both vaccines are given in two doses, allocated together"));
    }

    @Test
    void everyPlacesSecondDosesLostFailCountingThem() {
        // Pfizer's second-dose column written 0 throughout: 54 places, Alaska and Vermont (no doses) aside.
        String[] weeks = {"2021-01-04", "2021-01-11"};
        String pfizer = file(true, Set.of(), weeks);
        for (String place : NationalFiles.PLACES) {
            pfizer = withDoseZero(pfizer, place, Set.of(weeks), false);
        }
        refresh("second-column-lost", file(false, Set.of(), weeks), pfizer, false)
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("detail", containsString(" second doses for "))
            .body("detail", containsString("(0.00 times) (and " + (NationalFiles.PLACES.size() - 3)
                + " more places are so)"));
    }

    @Test
    void aPlaceWithNoSecondDosesIsNamedBeforeOnesWithSome() {
        // Ohio's second doses 0 in both weeks (no second doses at all), Texas's in one (0.5 times):
        // Ohio, the further off, is named first (a ratio of 0 once sorted as the nearest of all).
        String[] weeks = {"2021-01-04", "2021-01-11"};
        String moderna = withDoseZero(withDoseZero(file(false, Set.of(), weeks), "Ohio", Set.of(weeks), false),
            "Texas", Set.of("2021-01-11"), false);
        refresh("second-none", moderna, file(true, Set.of(), weeks), false)
            .statusCode(422)
            .body("state", equalTo("Ohio"))
            .body("detail", containsString("allocates Ohio 0 second doses for "))
            .body("detail", containsString("(0.00 times) (and 1 more places are so)"));
    }

    @Test
    void firstDosesLostFailAndATerritorysFirstDosesAloneLoad() {
        String[] weeks = {"2021-01-04", "2021-01-11"};
        // Ohio's first doses written 0 in both its Moderna weeks: second doses without any first.
        int ohio = NationalFiles.PLACES.indexOf("Ohio");
        refresh("first-zero", withDoseZero(file(false, Set.of(), weeks), "Ohio", Set.of(weeks), true),
            file(true, Set.of(), weeks), false)
            .statusCode(422)
            .body("state", equalTo("Ohio"))
            .body("detail", containsString("allocates Ohio " + 2 * 20 * (121 + 3 * ohio) + " second doses for 0 "
                + "first doses, though"));
        // Guam's doses all first doses, as the real files give the Pacific islands theirs: no state's.
        String guam = "\"Guam\",\"2021-01-04T00:00:00.000\",\"900\",\"0\"";
        refresh("territory-first-only", NationalFiles.file(List.of(
                file(false, Set.of(), weeks).substring(NationalFiles.HEADER.length()).strip(), guam)),
            file(true, Set.of(), weeks), false).statusCode(200);
    }

    /**
     * Generated: a random place's second (or first) doses written 0 in k of its w weeks, in a random
     * file, each week's doses alike: (w - k) / w of the other column. Under 0.8 (or over 1.25) times
     * fails naming the place's state; within, loads.
     */
    @Test
    void generatedDosesWrittenZeroFailPastTheLimits() {
        Random random = new Random(20261202);
        for (int round = 0; round < 10; round++) {
            int weeks = 3 + random.nextInt(6);
            String[] all = weeksFrom2021(weeks);
            String place = NationalFiles.PLACES.get(placeWithDoses(random));
            int zeroed = 1 + random.nextInt(Math.min(2, weeks));
            Set<String> lost = new TreeSet<>();
            while (lost.size() < zeroed) {
                lost.add(all[random.nextInt(weeks)]);
            }
            boolean firstLost = random.nextBoolean();
            boolean pfizer = random.nextBoolean();
            String damaged = withDoseZero(file(pfizer, Set.of(), all), place, lost, firstLost);
            double ratio = firstLost ? (double) weeks / (weeks - zeroed) : (double) (weeks - zeroed) / weeks;
            ValidatableResponse answer = refresh("gen-second-" + round, pfizer ? file(false, Set.of(), all) : damaged,
                pfizer ? damaged : file(true, Set.of(), all), false);
            String what = place + " " + (firstLost ? "first" : "second") + " doses 0 in " + zeroed + " of " + weeks;
            if (ratio < 0.8 || ratio > 1.25) {
                assertEquals(List.of(422, pfizer ? "pfizer" : "moderna", "_2nd_dose_allocations",
                        NationalFiles.stateOf(place)),
                    List.of(answer.extract().statusCode(), answer.extract().<String>path("source"),
                        answer.extract().<String>path("column"), answer.extract().<String>path("state")), what);
            } else {
                assertEquals(200, answer.extract().statusCode(), what);
            }
        }
    }

    /** {@code weeks} weeks from 2021-01-04. */
    private static String[] weeksFrom2021(int weeks) {
        String[] all = new String[weeks];
        for (int w = 0; w < weeks; w++) {
            all[w] = LocalDate.of(2021, 1, 4).plusWeeks(w).toString();
        }
        return all;
    }

    /** A place drawn at random among those with doses (not Alaska, not Vermont): its index. */
    private static int placeWithDoses(Random random) {
        int place;
        do {
            place = random.nextInt(NationalFiles.PLACES.size());
        } while (Set.of("Alaska", "Vermont").contains(NationalFiles.PLACES.get(place)));
        return place;
    }

    /** {@code file} with {@code place}'s first (or second) doses written 0 in {@code weeks}. */
    private static String withDoseZero(String file, String place, Set<String> weeks, boolean first) {
        List<String> out = new ArrayList<>();
        for (String line : file.split("\n", -1)) {
            String[] fields = line.split("\",\"", -1);
            if (fields.length == 4 && fields[0].equals("\"" + place) && weeks.contains(fields[1].substring(0, 10))) {
                fields[first ? 2 : 3] = first ? "0" : "0\"";
                line = String.join("\",\"", fields);
            }
            out.add(line);
        }
        return String.join("\n", out);
    }

    @Test
    void aCutFileInAnotherOrderFailsSayingSo() {
        // The cut file of onlyTheWeekOfTheLastLineMayBeCut, Moderna's lines put the other way round
        // (oldest first): its short week is now its first lines', and its last line's week whole.
        String[] newestFirst = {"2021-01-18", "2021-01-11", "2021-01-04"};
        List<String> lines = new ArrayList<>();
        Map<String, Set<String>> cut = cutAfter(34, "2021-01-04");
        for (String week : newestFirst) {
            for (int i = 0; i < NationalFiles.PLACES.size(); i++) {
                String place = NationalFiles.PLACES.get(i);
                if (!cut.getOrDefault(place, Set.of()).contains(week)) {
                    lines.add(line(place, week, i, false));
                }
            }
        }
        Collections.reverse(lines);
        refresh("cut-reversed", NationalFiles.file(lines), file(true, Set.of(), newestFirst), false)
            .statusCode(422)
            .body("source", equalTo("moderna"))
            .body("detail", containsString("in 1 of the 3 weeks of the moderna source (2021-01-04 to 2021-01-18): "
                + "2021-01-04 (" + (NationalFiles.PLACES.size() - 35) + " more places lack weeks)"))
            .body("detail", endsWith("Were lines of the file lost? A file cut short may lack places only in the week "
                + "of its last line (here 2021-01-18), where it stops; one whose rows were put in another order after "
                + "the cut cannot be told from one that lost lines: serve it in the order it was cut in."));
    }

    @Test
    void aLineLostFromTheWeekOfTheLastLineFails() {
        // Texas's line of the earliest week deleted from a whole file: the week of its last line
        // (Philadelphia's), but Texas comes before Philadelphia in the week before.
        String[] newestFirst = {"2021-01-18", "2021-01-11", "2021-01-04"};
        refresh("lost-last-week", file(false, Map.of("Texas", Set.of("2021-01-04")), Set.of(), newestFirst),
            file(true, Set.of(), newestFirst), false)
            .statusCode(422)
            .body("source", equalTo("moderna"))
            .body("state", equalTo("Texas"))
            .body("detail", containsString("Texas has no row in 1 of the 3 weeks of the moderna source (2021-01-04 "
                + "to 2021-01-18): 2021-01-04: Texas would be published short of its doses in those weeks."));
        // Ohio's line lost from a file cut after Texas: before the cut.
        Map<String, Set<String>> cut = new HashMap<>(cutAfter(43, "2021-01-04"));
        cut.put("Ohio", Set.of("2021-01-04"));
        refresh("lost-before-cut", file(false, Set.of(), newestFirst), file(true, cut, Set.of(), newestFirst), false)
            .statusCode(422)
            .body("source", equalTo("pfizer"))
            .body("state", equalTo("Ohio"))
            .body("detail", containsString("Ohio has no row in 1 of the 3 weeks of the pfizer source"));
    }

    @Test
    void aWeekOfTheLastLineInAnotherOrderIsNotJudged() {
        // The real files changed their order once. Cut in the first week of a new order (its
        // places backwards, cut after 40 of them), the places it lacks may come before its last
        // line's in the week before: a cut cannot be told from lines lost, and it loads.
        List<String> lines = new ArrayList<>();
        for (String week : new String[] {"2021-01-18", "2021-01-11"}) {
            for (int i = 0; i < NationalFiles.PLACES.size(); i++) {
                lines.add(line(NationalFiles.PLACES.get(i), week, i, false));
            }
        }
        for (int i = NationalFiles.PLACES.size() - 1; i >= NationalFiles.PLACES.size() - 40; i--) {
            lines.add(line(NationalFiles.PLACES.get(i), "2021-01-04", i, false));
        }
        String[] newestFirst = {"2021-01-18", "2021-01-11", "2021-01-04"};
        refresh("reordered-cut", NationalFiles.file(lines), file(true, cutAfter(52, "2021-01-04"), Set.of(), newestFirst),
            false).statusCode(200);
    }

    /** Every place from {@code index} on lacking {@code week}: a file cut there, in that week. */
    private static Map<String, Set<String>> cutAfter(int index, String week) {
        Map<String, Set<String>> lacking = new HashMap<>();
        for (int i = index; i < NationalFiles.PLACES.size(); i++) {
            lacking.put(NationalFiles.PLACES.get(i), Set.of(week));
        }
        return lacking;
    }

    @Test
    void generatedWeeksLackedFailButForACut() {
        Random random = new Random(20261130);
        for (int round = 0; round < 6; round++) {
            int count = 3 + random.nextInt(6);
            List<String> ordered = new ArrayList<>();
            for (int w = 0; w < count; w++) {
                ordered.add(LocalDate.of(2021, 1, 4).plusWeeks(w).toString());
            }
            // Half the files newest first, as the CDC's: the week of the last line is the earliest.
            boolean newestFirst = random.nextBoolean();
            if (newestFirst) {
                Collections.reverse(ordered);
            }
            String[] weeks = ordered.toArray(String[]::new);
            String cut = weeks[count - 1];
            int index = 1 + random.nextInt(NationalFiles.PLACES.size() - 2);
            String place = NationalFiles.PLACES.get(index);
            boolean pfizer = random.nextBoolean();
            // Any weeks but the last lacking, and half the time the file cut at the place in its
            // last week (the place and every one after it lacking it).
            Set<String> lacking = new TreeSet<>();
            int judged = 1 + random.nextInt(count - 2);
            while (lacking.size() < judged) {
                lacking.add(weeks[random.nextInt(count - 1)]);
            }
            Map<String, Set<String>> holes = random.nextBoolean() ? new HashMap<>(cutAfter(index, cut)) : new HashMap<>();
            Set<String> placeLacks = new TreeSet<>(lacking);
            placeLacks.addAll(holes.getOrDefault(place, Set.of()));
            holes.put(place, placeLacks);
            String holed = file(pfizer, holes, Set.of(), weeks);
            String whole = file(!pfizer, Set.of(), weeks);
            String firstLacked = lacking.iterator().next();
            refresh("gen-" + round, pfizer ? whole : holed, pfizer ? holed : whole, false)
                .statusCode(422)
                .body("source", equalTo(pfizer ? "pfizer" : "moderna"))
                .body("state", equalTo(NationalFiles.stateOf(place)))
                .body("detail", containsString(place + " has no row in " + judged + " of the " + count
                    + " weeks of the " + (pfizer ? "pfizer" : "moderna") + " source (" + ordered.stream().sorted()
                    .findFirst().orElseThrow() + " to " + ordered.stream().sorted().reduce((a, b) -> b).orElseThrow()
                    + "): " + firstLacked));
            // The file cut at the place in its last week: it loads.
            String trimmed = file(pfizer, cutAfter(index, cut), Set.of(), weeks);
            refresh("gen-cut-" + round, pfizer ? whole : trimmed, pfizer ? trimmed : whole, false).statusCode(200);
            // The place's line of the last week alone lost, the file whole: it fails.
            String lost = file(pfizer, Map.of(place, Set.of(cut)), Set.of(), weeks);
            refresh("gen-lost-" + round, pfizer ? whole : lost, pfizer ? lost : whole, false)
                .statusCode(422)
                .body("state", equalTo(NationalFiles.stateOf(place)))
                .body("detail", containsString(place + " has no row in 1 of the " + count + " weeks"));
        }
    }
}
