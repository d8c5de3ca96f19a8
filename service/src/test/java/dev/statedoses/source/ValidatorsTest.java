package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
