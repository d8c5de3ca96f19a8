package dev.statedoses.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * StrictQuery on its own, without a server: what it decodes, and every way a query string can be
 * malformed, repeated or unknown. StrictQueryApiTest sends the same through the real service.
 */
class StrictQueryTest {

    private static final QueryParameter AS_OF = QueryParameter.once("as_of", "invalid-as-of", "Invalid as_of",
        "as a date YYYY-MM-DD such as 2021-01-04");
    private static final QueryParameter FORMAT = QueryParameter.once("format", "invalid-format", "Invalid format",
        "as csv or json");
    private static final QueryParameter STATE = QueryParameter.repeatable("state");
    private static final List<QueryParameter> TAKES = List.of(AS_OF, FORMAT, STATE);

    private static StrictQuery parse(String raw) {
        return StrictQuery.parse(raw, "GET /x", TAKES);
    }

    private static Problem refused(String raw) {
        return assertThrows(ProblemException.class, () -> parse(raw), raw).problem();
    }

    @Test
    void wellFormedEscapesDecodeAsUtf8AndPlusIsASpace() {
        StrictQuery query = parse("as_of=2021%2D01%2d04&state=New%20York&state=New+Jersey,vt&state=%C3%A9%F0%9F%98%80");
        assertEquals("2021-01-04", query.one("as_of"));
        assertEquals(List.of("New York", "New Jersey,vt", "\u00e9\uD83D\uDE00"), query.all("state"));
        assertEquals(null, query.one("format"));
        assertEquals(List.of(), query.all("format"));
        // An escaped name is the name; %25 is a percent sign; %2B a plus, not a space.
        StrictQuery escaped = parse("%61s%5Fof=100%25&format=a%2Bb");
        assertEquals("100%", escaped.one("as_of"));
        assertEquals("a+b", escaped.one("format"));
        // No value, an empty one, and empty pieces.
        assertEquals("", parse("as_of").one("as_of"));
        assertEquals("", parse("as_of=").one("as_of"));
        assertEquals("a=b", parse("as_of=a=b").one("as_of"));
        assertEquals("json", parse("&&format=json&").one("format"));
        assertTrue(parse(null).all("state").isEmpty());
        assertTrue(parse("").all("state").isEmpty());
        // %00 is a well-formed escape (a NUL): the endpoint decides what to make of it.
        assertEquals("\u0000", parse("as_of=%00").one("as_of"));
    }

    @Test
    void everyMalformedEscapeIsAProblemNamingTheParameter() {
        for (String bad : malformedEscapes()) {
            // Never straight before a hex digit, which could complete the escape ("%" + "20…" is a space).
            for (String value : List.of(bad, "2021-01-04" + bad, bad + "x2021-01-04", "20" + bad + "-21")) {
                Problem problem = refused("format=csv&as_of=" + value);
                assertEquals("/problems/http-400", problem.type(), value);
                assertEquals("Bad Request", problem.title());
                assertEquals(400, problem.status());
                assertTrue(problem.detail().startsWith("the value of as_of, '"), problem.detail());
                assertTrue(problem.detail().contains("is not percent-encoded correctly"), problem.detail());
            }
            Problem inName = refused("as_of" + bad + "=2021-01-04");
            assertEquals("/problems/http-400", inName.type(), bad);
            assertTrue(inName.detail().startsWith("the parameter name 'as_of"), inName.detail());
        }
        assertTrue(refused("as_of=%").detail().contains("a % must be followed by two hex digits"));
        assertTrue(refused("as_of=%C0%AF").detail().contains("its escapes are not UTF-8 text"));
        // Even for a parameter the endpoint does not take: the query cannot be read at all.
        assertEquals("/problems/http-400", refused("nope=%").type());
    }

    /** Escapes no strict reader may accept: bad hex, cut short, and bytes that are not UTF-8. */
    static List<String> malformedEscapes() {
        List<String> bad = new ArrayList<>(List.of(
            "%", "%%", "%X", "%GZ", "%zz", "%1", "%1G", "%G1", "%-1", "%+1", "%%41", "%\u0661\u0662",
            "%C3", "%E2%82", "%F0%9F%98", "%80", "%BF", "%FF", "%FE", "%C0%AF", "%C0%80", "%E0%80%AF",
            "%F0%80%80%AF", "%ED%A0%80", "%ED%BF%BF", "%F4%90%80%80", "%F8%88%80%80%80", "%C3%28", "%C3+%A9"));
        // Generated: a lead byte of a multi-byte sequence without (all) its continuation bytes.
        Random random = new Random(20261130);
        for (int i = 0; i < 40; i++) {
            int lead = 0xC2 + random.nextInt(0xF4 - 0xC2 + 1);
            int needed = lead < 0xE0 ? 1 : lead < 0xF0 ? 2 : 3;
            StringBuilder escape = new StringBuilder(String.format(Locale.ROOT, "%%%02X", lead));
            for (int k = random.nextInt(needed); k > 0; k--) {
                escape.append(String.format(Locale.ROOT, "%%%02X", 0x80 + random.nextInt(0x40)));
            }
            bad.add(escape.toString());
        }
        return bad;
    }

    @Test
    void everyWellFormedUtf8EscapeDecodes() {
        Random random = new Random(11302026);
        for (int i = 0; i < 2000; i++) {
            int codePoint;
            do {
                codePoint = random.nextInt(0x110000);
            } while (codePoint >= 0xD800 && codePoint <= 0xDFFF);
            String text = new String(Character.toChars(codePoint));
            StringBuilder escaped = new StringBuilder();
            for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
                escaped.append(String.format(Locale.ROOT, i % 2 == 0 ? "%%%02X" : "%%%02x", b & 0xFF));
            }
            assertEquals(text, parse("as_of=" + escaped).one("as_of"), escaped.toString());
        }
    }

    @Test
    void aSingleValuedParameterGivenTwiceIsItsOwnProblem() {
        Problem problem = refused("as_of=2021-01-04&format=csv&as_of=2021-01-04");
        assertEquals("/problems/invalid-as-of", problem.type());
        assertEquals("Invalid as_of", problem.title());
        assertEquals("as_of is given 2 times: give it once, as a date YYYY-MM-DD such as 2021-01-04",
            problem.detail());
        assertEquals("format is given 3 times: give it once, as csv or json",
            refused("format=csv&format=json&format=").detail());
        // Written two ways, it is still one name given twice.
        assertEquals("/problems/invalid-format", refused("format=csv&%66ormat=csv").type());
        // A repeatable one is read whole.
        assertEquals(List.of("NY", "VT", "NY"), parse("state=NY&state=VT&state=NY").all("state"));
    }

    @Test
    void aParameterTheEndpointDoesNotTakeIsAProblemListingTheOnesItTakes() {
        Problem problem = refused("as_of=2021-01-04&from=2021-01-01");
        assertEquals("/problems/unknown-parameter", problem.type());
        assertEquals("Unknown parameter", problem.title());
        assertEquals(400, problem.status());
        assertEquals("GET /x does not take the parameter 'from'; it takes as_of, format, state", problem.detail());
        assertEquals("GET /x does not take the parameter 'AS_OF' (names are case-sensitive: did you mean as_of?); "
            + "it takes as_of, format, state", refused("AS_OF=2021-01-04").detail());
        assertTrue(refused("Format=csv").detail().contains("did you mean format?"));
        assertTrue(refused("sTaTe=NY").detail().contains("did you mean state?"));
        // Shown safely: escaped, and cut.
        assertTrue(refused("a%0Ab=1").detail().contains("'a\\nb'"), refused("a%0Ab=1").detail());
        assertTrue(refused("x".repeat(500) + "=1").detail().contains("… (500 characters)'"));
        assertTrue(refused("=1").detail().contains("parameter ''"));
        Problem none = assertThrows(ProblemException.class,
            () -> StrictQuery.parse("limit=1", "GET /refreshes/{id}", List.of())).problem();
        assertEquals("GET /refreshes/{id} does not take the parameter 'limit'; it takes no query parameters",
            none.detail());
    }
}
