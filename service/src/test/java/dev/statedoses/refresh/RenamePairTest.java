package dev.statedoses.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statedoses.source.SourceName;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the pairs of a batch of renames are ranked and matched, one new name to one state. */
class RenamePairTest {

    private static final LocalDate WEEK = LocalDate.of(2021, 3, 1);

    private static RenamePair pair(String name, String state, String code, Double distance) {
        return new RenamePair(SourceName.MODERNA, name, 10, 1000, WEEK, WEEK.plusWeeks(9), state, state, code, true, 0,
            54, 54, distance);
    }

    private static List<String> matched(RenamePair... pairs) {
        return RenamePair.match(List.of(pairs)).stream().map(p -> p.name() + " = " + p.missing()).toList();
    }

    @Test
    void theLongestStateNameHeldWinsOverTheClosestDoses() {
        // Virginia's doses are the closer to 'State of West Virginia', and Kansas's to 'Arkansas (new)'.
        assertEquals(List.of("State of West Virginia = West Virginia", "State of Virginia = Virginia"), matched(
            pair("State of West Virginia", "Virginia", "VA", 0.1), pair("State of West Virginia", "West Virginia", "WV",
                0.9), pair("State of Virginia", "Virginia", "VA", 0.5), pair("State of Virginia", "West Virginia", "WV",
                0.2)));
        assertEquals(List.of("Arkansas (new) = Arkansas"), matched(pair("Arkansas (new)", "Kansas", "KS", 0.0),
            pair("Arkansas (new)", "Arkansas", "AR", 1.0)));
    }

    @Test
    void aPostalCodeAsAWordComesNextThenTheDoses() {
        assertEquals(List.of("WY = Wyoming", "VT = Vermont"), matched(pair("VT", "Wyoming", "WY", 0.01),
            pair("VT", "Vermont", "VT", 1.3), pair("WY", "Vermont", "VT", 0.02), pair("WY", "Wyoming", "WY", 1.2)));
        // A code inside a word is not the code: 'Vtopia' is not Vermont's.
        assertEquals(List.of("Vtopia = Wyoming", "Utopia = Vermont"), matched(pair("Vtopia", "Wyoming", "WY", 0.1),
            pair("Vtopia", "Vermont", "VT", 0.3), pair("Utopia", "Vermont", "VT", 0.2)));
    }

    @Test
    void eachNameAndEachStateIsMatchedOnceAndAStateWithoutDosesToCompareComesLast() {
        assertEquals(List.of("Green Mountain State = Vermont", "Lone Star State = Texas"), matched(
            pair("Green Mountain State", "Texas", "TX", null), pair("Green Mountain State", "Vermont", "VT", 0.3),
            pair("Lone Star State", "Vermont", "VT", 0.4), pair("Lone Star State", "Texas", "TX", 0.5)));
    }

    @Test
    void aHeldNameDoesNotWinWithDosesFarOff() {
        // Kansas renamed 'KS', beside a new 'Kansas City' with a fifth of Kansas's doses.
        assertEquals(List.of("KS = Kansas"), matched(pair("Kansas City", "Kansas", "KS", Math.log(5)),
            pair("KS", "Kansas", "KS", 0.1)));
    }
}
