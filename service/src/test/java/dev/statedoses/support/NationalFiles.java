package dev.statedoses.support;

import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * What the tests that write allocation files of many states share: the lake's header, the
 * states and places such a file names (in a fixed order: tests work doses out from a place's
 * index), and a refresh of a new warehouse with two such files beside the fixture's county file.
 */
public final class NationalFiles {

    /** The lake's header of an allocation file. */
    public static final String HEADER =
        "\"jurisdiction\",\"week_of_allocations\",\"_1st_dose_allocations\",\"_2nd_dose_allocations\"\n";
    /** The 50 states, alphabetically (Alabama is 0, New York 31, Wyoming 49). */
    public static final List<String> STATES = List.of("Alabama", "Alaska", "Arizona", "Arkansas", "California",
        "Colorado", "Connecticut", "Delaware", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa",
        "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota",
        "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico",
        "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island",
        "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington",
        "West Virginia", "Wisconsin", "Wyoming");
    /** The 54 places every week of a national file names: the states, then DC (50) and the three counted cities. */
    public static final List<String> PLACES = places();

    private NationalFiles() {
    }

    private static List<String> places() {
        List<String> places = new ArrayList<>(STATES);
        places.addAll(List.of("District of Columbia", "New York City", "Chicago", "Philadelphia"));
        return List.copyOf(places);
    }

    /** The state a place's doses count for: a counted city's, or the place's own. */
    public static String stateOf(String place) {
        return switch (place) {
            case "New York City" -> "New York";
            case "Chicago" -> "Illinois";
            case "Philadelphia" -> "Pennsylvania";
            default -> place;
        };
    }

    /** The 56 jurisdictions of the tests' files that follow the census: the 54 places, Puerto Rico and Federal Entities. */
    public static final List<String> WITH_OTHERS = withOthers();

    private static List<String> withOthers() {
        List<String> all = new ArrayList<>(PLACES);
        all.addAll(List.of("Puerto Rico", "Federal Entities"));
        return List.copyOf(all);
    }

    /**
     * An allocation file of these weeks, in that order, each of {@link #WITH_OTHERS} in each week,
     * with round({@code count} × {@code scale}) of each dose.
     */
    public static String weekly(String[] weeks, ToLongFunction<String> count, double scale) {
        List<String> lines = new ArrayList<>();
        for (String week : weeks) {
            for (String place : WITH_OTHERS) {
                lines.add(line(place, week, Math.round(count.applyAsLong(place) * scale)));
            }
        }
        return file(lines);
    }

    /** A line of an allocation file: {@code doses} of each dose for {@code place} in {@code week}. */
    public static String line(String place, String week, long doses) {
        return "\"" + place + "\",\"" + week + "T00:00:00.000\",\"" + doses + "\",\"" + doses + "\"";
    }

    /** An allocation file of {@code lines} under the header. */
    public static String file(List<String> lines) {
        return HEADER + String.join("\n", lines) + "\n";
    }

    /**
     * Refreshes a new warehouse with {@code moderna} and {@code pfizer}, served by {@code upstream}
     * under {@code /name/}, and the fixture's county file; {@code after} looks at the app (a row
     * the refresh published) before it stops. Answers the refresh's response.
     */
    public static ValidatableResponse refresh(FixtureServer upstream, String name, String moderna, String pfizer,
                                              Consumer<RunningApp> after) {
        try (RunningApp app = RunningApp.start(ConfigBuilder.from(upstream.serveFixtureSources(
                TestWarehouse.newDatabase()))
                .moderna(upstream.serve("/" + name + "/m.csv", moderna.getBytes(StandardCharsets.UTF_8)))
                .pfizer(upstream.serve("/" + name + "/p.csv", pfizer.getBytes(StandardCharsets.UTF_8))).build())) {
            ValidatableResponse answer = app.given().post("/refresh").then();
            after.accept(app);
            return answer;
        }
    }
}
