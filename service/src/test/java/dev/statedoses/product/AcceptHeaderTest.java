package dev.statedoses.product;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AcceptHeaderTest {

    @ParameterizedTest(name = "Accept: {0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "(none)", value = {
        "(none)|json",
        "''|json",
        "*/*|json",
        "text/csv|csv",
        "TEXT/CSV; charset=utf-8|csv",
        "text/*|csv",
        "application/json|json",
        "text/html|json",
        "text/html, text/csv;q=0.5|csv",
        // JSON, the default, wins ties: no preference is no reason to switch.
        "text/csv, application/json|json",
        "application/json;q=0.9, text/csv|csv",
        "text/csv;q=0.9, application/json|json",
        "text/csv;q=0, */*|json",
        "text/csv;q=0|json",
        // The most specific range decides: text/csv;q=0 overrides text/* and */*.
        "text/*, text/csv;q=0|json",
        "*/*;q=0.1, text/csv|csv",
        "application/*;q=0.2, text/*;q=0.3|csv",
        // Malformed weights and ranges are ignored, not guessed at.
        "text/csv;q=abc|json",
        "text/csv;q=2|json",
        "csv, text|json",
        "text/csv ;  Q=0.8 , application/json;q=0.7|csv",
        // Elements of separators only, or parameters without a range, are malformed: ignored.
        "';;;'|json",
        "';'|json",
        "','|json",
        "' ; , ;; '|json",
        "';q=1, text/csv'|csv",
        "'text/csv;;q=0.5;, application/json;q=0.4;'|csv",
    })
    void csvOnlyWhenPreferredToJson(String accept, String expected) {
        assertEquals(expected.equals("csv"), AcceptHeader.prefersCsv(accept));
    }

    /** Pieces of ranges, well formed and not, that generated headers are made of. */
    private static final String[] RANGES = {"text/csv", "TEXT/CSV", "text/*", "*/*", "application/json",
        "application/*", "text/html", "csv", "/", "text/", "/csv", "*", ""};
    private static final String[] PARAMETERS = {"q=0", "q=1", "q=0.5", "Q=0.25", "q=0.9", "q=abc", "q=2", "q=",
        "q", "charset=utf-8", "", " ", "=", "q=-1", "q=NaN"};
    /** Elements that name no media range: whatever surrounds them, they change nothing. */
    private static final String[] MALFORMED = {"", " ", ";", ";;;", " ; ; ", "\t", ";q=0.5", "=;", ";q=1;",
        "/", "/;q=1", "q=1", ";;q=0"};

    /**
     * 20,000 generated headers, each also read with malformed elements put in at random places: no
     * header throws (the fault was a 500 for ";;;"), and the malformed elements never change the
     * choice. The test headers mix the ranges above with every kind of parameter.
     */
    @Test
    void malformedElementsNeverThrowNorChangeTheChoice() {
        Random random = new Random(20261202);
        for (int i = 0; i < 20_000; i++) {
            List<String> elements = new ArrayList<>();
            for (int n = random.nextInt(4); n > 0; n--) {
                StringBuilder element = new StringBuilder(pick(random, RANGES));
                for (int p = random.nextInt(3); p > 0; p--) {
                    element.append(random.nextBoolean() ? ";" : " ; ").append(pick(random, PARAMETERS));
                }
                elements.add(element.toString());
            }
            String header = String.join(", ", elements);
            boolean expected = AcceptHeader.prefersCsv(header);
            List<String> withJunk = new ArrayList<>(elements);
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                withJunk.add(random.nextInt(withJunk.size() + 1), pick(random, MALFORMED));
            }
            String junky = String.join(random.nextBoolean() ? "," : ", ", withJunk);
            assertEquals(expected, AcceptHeader.prefersCsv(junky), "Accept: '" + header + "' and '" + junky + "'");
        }
    }

    private static String pick(Random random, String[] choices) {
        return choices[random.nextInt(choices.length)];
    }
}
