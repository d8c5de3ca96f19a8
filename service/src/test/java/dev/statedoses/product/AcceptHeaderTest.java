package dev.statedoses.product;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    /**
     * 20,000 generated headers, each also read with malformed elements put in at random places: no
     * header throws (the fault was a 500 for ";;;"), and the malformed elements never change the
     * choice. The headers are {@link GeneratedAccept}'s: ranges with every kind of parameter.
     */
    @Test
    void malformedElementsNeverThrowNorChangeTheChoice() {
        Random random = new Random(20261202);
        for (int i = 0; i < 20_000; i++) {
            List<String> elements = GeneratedAccept.elements(random, 3);
            String header = String.join(", ", elements);
            boolean expected = AcceptHeader.prefersCsv(header);
            String junky = GeneratedAccept.header(random,
                GeneratedAccept.withNoRange(random, elements, 1 + random.nextInt(3)));
            assertEquals(expected, AcceptHeader.prefersCsv(junky), "Accept: '" + header + "' and '" + junky + "'");
        }
    }
}
