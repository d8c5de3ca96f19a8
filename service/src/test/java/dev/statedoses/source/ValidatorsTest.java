package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValidatorsTest {

    @ParameterizedTest(name = "ETag: {0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "(none)", value = {
        "'\"m-v1\"'|'\"m-v1\"'",
        "'W/\"m-v1\"'|'W/\"m-v1\"'",
        "'\"\"'|'\"\"'",
        "' \"x\" '|'\"x\"'",
        "'\"d41d8cd98f00b204e9800998ecf8427e-12\"'|'\"d41d8cd98f00b204e9800998ecf8427e-12\"'",
        // Not one version: any version, a list, a bare word, a half-quoted tag.
        "*|(none)",
        "'\"a\", \"b\"'|(none)",
        "unquoted|(none)",
        "'W/unquoted'|(none)",
        "'\"open'|(none)",
        "'\"'|(none)",
        "'w/\"x\"'|(none)",
        "'\"a b\"'|(none)",
        "'\"é\"'|(none)",
        "(none)|(none)",
    })
    void onlyOneEntityTagIsKept(String etag, String kept) {
        assertEquals(kept, Validators.usableEtag(etag));
    }

    /**
     * 50,000 generated values from the characters that matter (quotes, W/, commas, spaces, *,
     * controls, beyond ASCII): one is kept exactly when RFC 9110's grammar of one entity-tag
     * (8.8.3) reads it, ASCII only, and then as it was sent, less the spaces around it.
     */
    @Test
    void whatIsKeptIsExactlyOneEntityTag() {
        Pattern entityTag = Pattern.compile("(W/)?\"[\\x21\\x23-\\x7E]*\"");
        String[] pieces = {"\"", "W/", "w/", "a", "0", "-", ",", " ", "*", "\t", "\u0001", "\u007F", "é", "\"x\"", "/",
            "\\"};
        Random random = new Random(20261206);
        int kept = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder value = new StringBuilder();
            for (int n = random.nextInt(6); n > 0; n--) {
                value.append(pieces[random.nextInt(pieces.length)]);
            }
            String etag = value.toString();
            String expected = entityTag.matcher(etag.strip()).matches() ? etag.strip() : null;
            assertEquals(expected, Validators.usableEtag(etag), "ETag: '" + etag + "'");
            if (expected != null) {
                kept++;
            }
        }
        assertTrue(kept > 500, "only " + kept + " generated values were entity-tags");
    }

    /** A header given once, or more than once with the same value, has that value; otherwise none. */
    @Test
    void aValidatorGivenTwiceDifferentlyIsNone() {
        assertEquals(null, Validators.single(List.of()));
        assertEquals("\"a\"", Validators.single(List.of("\"a\"")));
        assertEquals("\"a\"", Validators.single(List.of("\"a\"", " \"a\" ")));
        assertEquals(null, Validators.single(List.of("\"a\"", "\"b\"")));
        assertEquals(null, Validators.single(List.of("\"a\"", "\"a\"", "W/\"a\"")));
        assertEquals(null, Validators.single(List.of("Mon, 01 Mar 2021 00:00:00 GMT", "Tue, 02 Mar 2021 00:00:00 GMT")));
    }

    /**
     * A 304 names another version when any value of a validator we sent differs from it: one
     * that also names ours does not say which it speaks of. Values of a validator we did not
     * send are not compared.
     */
    @Test
    void aNotModifiedNamingOursAndAnotherNamesAnother() {
        KnownSource asked = new KnownSource("0", "\"v1\"", "Mon, 01 Mar 2021 00:00:00 GMT", null);
        assertEquals(null, Validators.otherVersion(asked, List.of(), List.of()));
        assertEquals(null, Validators.otherVersion(asked, List.of("W/\"v1\"", "\"v1\""),
            List.of("Monday, 01-Mar-21 00:00:00 GMT")));
        assertEquals("ETag \"v2\", not the \"v1\" asked about",
            Validators.otherVersion(asked, List.of("\"v1\"", "\"v2\""), List.of()));
        assertEquals("Last-Modified Tue, 02 Mar 2021 00:00:00 GMT, not the Mon, 01 Mar 2021 00:00:00 GMT asked about",
            Validators.otherVersion(asked, List.of("\"v1\""),
                List.of("Mon, 01 Mar 2021 00:00:00 GMT", "Tue, 02 Mar 2021 00:00:00 GMT")));
        KnownSource byDate = new KnownSource("0", null, "Mon, 01 Mar 2021 00:00:00 GMT", null);
        assertEquals(null, Validators.otherVersion(byDate, List.of("\"x\"", "\"y\""), List.of()));
    }
}
