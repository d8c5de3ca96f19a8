package dev.statedoses.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** What a quoted outside value looks like in a log line, a problem detail or the run log. */
class PrintableTest {

    @Test
    void controlCharactersAreEscaped() {
        assertEquals("a\\nb\\r\\tc\\u0000d\\u007f", Printable.escape("a\nb\r\tc\u0000d\u007f"));
        assertEquals("\\u202eevil", Printable.escape("\u202eevil"));
    }

    @Test
    void invisibleCharactersAreEscapedSoTheDifferenceShows() {
        assertEquals("Texas\\u00a0", Printable.escape("Texas\u00a0"));
        assertEquals("Te\\u200bxas", Printable.escape("Te\u200bxas"));
        assertEquals("\\ufeffOhio", Printable.escape("\ufeffOhio"));
        assertEquals("New\\u2009York\\u3000", Printable.escape("New\u2009York\u3000"));
        assertEquals("41\\u00ad220", Printable.escape("41\u00ad220"));
    }

    @Test
    void visibleTextIsLeftAsItIs() {
        String text = "Do\u00f1a Ana, New York, \u041ehio, 41,220 \u00e9";
        assertSame(text, Printable.escape(text));
        assertNull(Printable.escape(null));
    }

    @Test
    void aNoBreakSpaceIsShownEscapedButIsNoControlCharacter() {
        // isControl decides what a source may not contain; invisible characters only change how
        // a value is shown, never whether it is accepted.
        assertFalse(Printable.isControl('\u00a0'));
        assertFalse(Printable.isControl('\u200b'));
        assertEquals("41220\\u00a0", Printable.shorten("41220\u00a0", 10));
        assertEquals("12345\u2026 (7 characters)", Printable.shorten("1234567", 5));
    }

    /**
     * In a source's names, a character beyond Latin-1 is a look-alike and is shown escaped, so
     * that a message about 'Verm\u043ent' (a Cyrillic o) does not read as one about Vermont;
     * Latin-1's accented letters stay as written.
     */
    @Test
    void aNameShowsEveryCharacterBeyondLatin1Escaped() {
        assertEquals("Verm\\u043ent", Printable.name("Verm\u043ent", 60));
        assertEquals("\\u03a4exas", Printable.name("\u03a4exas", 60)); // a Greek capital tau
        assertEquals("Do\u00f1a Ana", Printable.name("Do\u00f1a Ana", 60));
        assertEquals("Mayag\u00fcez", Printable.name("Mayag\u00fcez", 60));
        // Latin look-alikes outside Latin-1: the Kelvin sign, a fullwidth T, a long s, a dotless i,
        // and a mathematical T (a surrogate pair, both halves shown).
        assertEquals("\\u212aansas", Printable.name("\u212aansas", 60));
        assertEquals("\\uff34exas", Printable.name("\uff34exas", 60));
        assertEquals("Kan\\u017fas", Printable.name("Kan\u017fas", 60));
        assertEquals("Illino\\u0131s", Printable.name("Illino\u0131s", 60));
        assertEquals("\\ud835\\uddb3exas", Printable.name("\ud835\uddb3exas", 60));
        assertEquals("Texas\\u00a0", Printable.name("Texas\u00a0", 60));
        assertEquals("Ohio, Lucas County (Toledo) 2", Printable.name("Ohio, Lucas County (Toledo) 2", 60));
        assertEquals("Ve\\u0440\u2026 (8 characters)", Printable.name("Ve\u0440mont!", 3));
        // Plain text elsewhere (a header, a path) keeps its letters.
        assertEquals("Verm\u043ent", Printable.shorten("Verm\u043ent", 60));
    }
}
