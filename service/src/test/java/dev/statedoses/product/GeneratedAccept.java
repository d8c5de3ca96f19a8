package dev.statedoses.product;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Accept headers for the tests, generated from pieces well formed and not: media ranges (and
 * things that are not ranges) with every kind of parameter, and elements that name no range at
 * all, which a reader of the header must pass over whatever surrounds them.
 */
final class GeneratedAccept {

    private static final String[] RANGES = {"text/csv", "TEXT/Csv", "text/*", "*/*", "application/json",
        "application/*", "text/html", "application/xml", "csv", "/", "text/", "/csv", "*", "", " "};
    private static final String[] PARAMETERS = {"q=0", "q=1", "q=0.5", "Q=0.25", "q=0.001", "q=abc", "q=2", "q=",
        "q", "charset=utf-8", "", " ", "=", "q=-1", "q=NaN", "level=1", "charset=UTF-8", "charset=\"utf-8\"",
        "charset=latin1", "foo=\"a,b;c\"", "q = 0.5", "q=0x1p-1", "q=.25", "level"};
    private static final String[] NO_RANGE = {"", " ", ";", ";;;", " ; ; ", "\t", ";q=0.5", "=;", ";q=1;", "/",
        "/;q=1", "q=1", ";;q=0", "="};

    private GeneratedAccept() {
    }

    /** Up to {@code most} elements, each a range (or not) with up to two parameters. */
    static List<String> elements(Random random, int most) {
        List<String> elements = new ArrayList<>();
        for (int n = random.nextInt(most + 1); n > 0; n--) {
            StringBuilder element = new StringBuilder(pick(random, RANGES));
            for (int p = random.nextInt(3); p > 0; p--) {
                element.append(random.nextBoolean() ? ";" : " ; ").append(pick(random, PARAMETERS));
            }
            elements.add(element.toString());
        }
        return elements;
    }

    /** {@code elements} with {@code count} elements that name no range put in at random places. */
    static List<String> withNoRange(Random random, List<String> elements, int count) {
        List<String> all = new ArrayList<>(elements);
        for (int n = count; n > 0; n--) {
            all.add(random.nextInt(all.size() + 1), pick(random, NO_RANGE));
        }
        return all;
    }

    /** The elements as one header, joined with or without a space. */
    static String header(Random random, List<String> elements) {
        return String.join(random.nextBoolean() ? "," : ", ", elements);
    }

    private static String pick(Random random, String[] choices) {
        return choices[random.nextInt(choices.length)];
    }
}
