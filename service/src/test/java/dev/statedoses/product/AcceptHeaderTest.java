package dev.statedoses.product;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
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
        // The most specific range gives the weight, parameters counting: in either order.
        "'text/csv;charset=utf-8;q=0.1, text/csv;q=0.9, application/json;q=0.5'|json",
        "'text/csv;q=0.9, text/csv;charset=utf-8;q=0.1, application/json;q=0.5'|json",
        "'text/*;charset=utf-8;q=0.9, text/csv;q=0.2, application/json;q=0.5'|json",
        // A range naming a CSV this service does not send gives ours no weight.
        "'text/csv;level=1, application/json;q=0.5'|json",
        "'text/csv;charset=latin1, application/json;q=0.9'|json",
        "'text/csv;header=present, */*;q=0.1'|json",
        "'text/csv;charset=\"UTF-8\", application/json;q=0.5'|csv",
        "'text/csv;CHARSET=Utf-8;q=0.6, application/json;q=0.5'|csv",
        // JSON is UTF-8 only: a client asking for it so still prefers it.
        "'application/json;charset=utf-8, text/csv;q=0.5'|json",
        "'application/json;charset=iso-8859-1, text/csv;q=0.5'|csv",
        // The same range twice with two weights counts at the lower, whichever comes first.
        "'text/csv;q=1, text/csv;q=0'|json",
        "'text/csv;q=0, text/csv;q=1'|json",
        // A weight is HTTP's decimal number, not Java's; parameters after it are extensions.
        "'text/csv;q=0x1p-1, application/json;q=0.4'|json",
        "'text/csv;q=5e-1, application/json;q=0.4'|json",
        "'text/csv;q=0.5f, application/json;q=0.4'|json",
        "'text/csv;q=.5, application/json;q=0.4'|csv",
        "'text/csv;q=0.5;level=1, application/json;q=0.4'|csv",
        "'text/csv;q = 0.1, application/json;q=0.5'|json",
        // A parameter without a value, or a quote left open, makes its element malformed.
        "'text/csv;q, application/json;q=0.5'|json",
        "'text/csv;level, application/json;q=0.5'|json",
        "'text/csv;charset=\"utf-8, application/json;q=0.5'|json",
        // A quoted value may hold the separators.
        "'text/csv;foo=\"a,b;c\", application/json;q=0.5'|json",
        "'application/json;q=0.1;ext=\"x,text/csv\", text/csv;q=0.2'|csv",
    })
    void csvOnlyWhenPreferredToJson(String accept, String expected) {
        assertEquals(expected.equals("csv"), AcceptHeader.prefersCsv(accept));
    }

    /**
     * 20,000 generated headers, each read again with its elements shuffled: the choice never
     * depends on the order of the ranges (it did when two ranges were equally specific).
     */
    @Test
    void theOrderOfTheRangesNeverChangesTheChoice() {
        sameChoice(20261206, 4, (random, elements) -> {
            List<String> shuffled = new ArrayList<>(elements);
            Collections.shuffle(shuffled, random);
            return String.join(", ", shuffled);
        });
    }

    /**
     * 20,000 generated headers, each read again with ranges that match neither format put in at
     * random places (other types, and CSV or JSON with a parameter they are not sent with, at any
     * weight): such ranges never change the choice.
     */
    @Test
    void rangesForNeitherFormatNeverChangeTheChoice() {
        List<String> neither = List.of("text/html", "application/xml;q=0.9", "text/csv;level=1", "text/csv;charset=latin1",
            "text/csv;header=present;q=1", "application/json;charset=utf-16", "text/*;level=2", "*/*;foo=bar",
            "application/*;charset=\"x\";q=1", "image/*;q=0.8");
        sameChoice(20261207, 3, (random, elements) -> {
            List<String> more = new ArrayList<>(elements);
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                more.add(random.nextInt(more.size() + 1), neither.get(random.nextInt(neither.size())));
            }
            return String.join(", ", more);
        });
    }

    /**
     * 20,000 generated headers, each also read with malformed elements put in at random places: no
     * header throws (the fault was a 500 for ";;;"), and the malformed elements never change the
     * choice. The headers are {@link GeneratedAccept}'s: ranges with every kind of parameter.
     */
    @Test
    void malformedElementsNeverThrowNorChangeTheChoice() {
        sameChoice(20261202, 3, (random, elements) -> GeneratedAccept.header(random,
            GeneratedAccept.withNoRange(random, elements, 1 + random.nextInt(3))));
    }

    /** 20,000 headers of up to {@code most} generated elements, each read again as {@code variant} writes it: the same choice. */
    private static void sameChoice(long seed, int most, BiFunction<Random, List<String>, String> variant) {
        Random random = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            List<String> elements = GeneratedAccept.elements(random, most);
            String header = String.join(", ", elements);
            String other = variant.apply(random, elements);
            assertEquals(AcceptHeader.prefersCsv(header), AcceptHeader.prefersCsv(other),
                "Accept: '" + header + "' and '" + other + "'");
        }
    }
}
