package dev.statedoses.product;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.statedoses.Wiring;
import dev.statedoses.util.Sha256;
import dev.statedoses.web.EntityTag;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * An answer written as it is sent ({@link ProductResponse.Streamed}) is the very bytes the same
 * rows made whole ({@link ProductResponse#prepare}) are, in both formats, with the ETag and length
 * of those bytes; kept only when no longer than the limit. Over generated rows: names with the
 * characters CSV must quote (comma, quote, line ends) and beyond ASCII, null and zero-padded
 * ratios, and lists from empty to a few thousand rows, against limits below, at and above their
 * length.
 */
class StreamedAnswerTest {

    private static final long SEED = 20261205L;
    private static final String[] NAMES = {"New York", "Doña Ana", "Quote \"Q\"", "Comma, State", "Line\nEnd",
        "Carriage\rReturn", "日本", "x"};

    @Test
    void generatedRowsStreamToTheBytesTheyMakeWhole() throws IOException {
        Random random = new Random(SEED);
        for (int round = 0; round < 60; round++) {
            List<StateWeek> rows = rows(random, round < 5 ? round : random.nextInt(round < 50 ? 200 : 4000));
            String why = "seed " + SEED + ", round " + round + ", " + rows.size() + " rows";
            ProductResponse whole = new ProductResponse(Wiring.objectMapper());
            ProductResponse.Prepared prepared = whole.prepare(rows, Columns.STATE_WEEK, null);
            for (boolean csv : new boolean[] {false, true}) {
                byte[] expected = csv ? prepared.csv() : prepared.json();
                String etag = csv ? prepared.csvEtag() : prepared.jsonEtag();
                // Limits under, at and over the answer's length: kept exactly when it fits.
                for (int limit : new int[] {0, expected.length - 1, expected.length, expected.length + 1,
                    random.nextInt(expected.length + 1)}) {
                    if (limit < 0) {
                        continue;
                    }
                    ProductResponse streaming = new ProductResponse(Wiring.objectMapper(), limit);
                    ProductResponse.Streamed body = streaming.stream(rows, Columns.STATE_WEEK, null);
                    ProductResponse.Measured measured = body.measured(csv);
                    String at = why + (csv ? ", csv" : ", json") + ", limit " + limit;
                    assertEquals(etag, measured.etag(), at);
                    assertEquals(expected.length, measured.length(), at);
                    if (expected.length <= limit) {
                        assertNotNull(measured.bytes(), at);
                        assertArrayEquals(expected, measured.bytes(), at);
                    } else {
                        assertNull(measured.bytes(), at);
                    }
                    ByteArrayOutputStream sent = new ByteArrayOutputStream();
                    body.write(csv, sent);
                    assertArrayEquals(expected, sent.toByteArray(), at);
                    assertEquals(EntityTag.of(sent.toByteArray()), measured.etag(), at);
                }
            }
        }
    }

    /** A hand-made case: the exact text of two rows, one with a ratio of trailing zeros and one without. */
    @Test
    void twoRowsAreWrittenExactly() throws IOException {
        List<StateWeek> rows = List.of(
            new StateWeek("New York", "NY", LocalDate.of(2021, 1, 4), 2800, 4000, 7500, new BigDecimal("0.8000")),
            new StateWeek("Comma, \"State\"", "CS", LocalDate.of(2021, 1, 11), 0, 0, 0, null));
        ProductResponse.Streamed body = new ProductResponse(Wiring.objectMapper(), 0)
            .stream(rows, Columns.STATE_WEEK, null);
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        body.write(false, json);
        assertEquals("[{\"state\":\"New York\",\"state_code\":\"NY\",\"week\":\"2021-01-04\",\"doses_moderna\":2800,"
            + "\"doses_pfizer\":4000,\"doses_total\":7500,\"people_per_dose\":0.8000},{\"state\":\"Comma, \\\"State\\\"\","
            + "\"state_code\":\"CS\",\"week\":\"2021-01-11\",\"doses_moderna\":0,\"doses_pfizer\":0,\"doses_total\":0,"
            + "\"people_per_dose\":null}]", json.toString(StandardCharsets.UTF_8));
        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        body.write(true, csv);
        assertEquals("state,state_code,week,doses_moderna,doses_pfizer,doses_total,people_per_dose\r\n"
            + "New York,NY,2021-01-04,2800,4000,7500,0.8000\r\n"
            + "\"Comma, \"\"State\"\"\",CS,2021-01-11,0,0,0,\r\n", csv.toString(StandardCharsets.UTF_8));
        assertEquals("\"" + Sha256.hex(csv.toByteArray()).substring(0, 32) + "\"", body.measured(true).etag());
        assertNull(body.measured(true).bytes(), "a limit of 0 keeps nothing");
    }

    private static List<StateWeek> rows(Random random, int size) {
        List<StateWeek> rows = new ArrayList<>();
        LocalDate week = LocalDate.of(2020, 12, 14);
        for (int i = 0; i < size; i++) {
            String name = NAMES[random.nextInt(NAMES.length)];
            long moderna = random.nextInt(5) == 0 ? 0 : random.nextInt(1_000_000);
            long pfizer = random.nextInt(1_000_000);
            BigDecimal ratio = switch (random.nextInt(4)) {
                case 0 -> null;
                case 1 -> new BigDecimal("0.8000");
                default -> BigDecimal.valueOf(random.nextInt(10_000_000), 4);
            };
            String code = name.substring(0, 1).toUpperCase(Locale.ROOT) + "X";
            rows.add(new StateWeek(name, code, week.plusWeeks(i % 300), moderna, pfizer, moderna + pfizer, ratio));
        }
        return rows;
    }
}
