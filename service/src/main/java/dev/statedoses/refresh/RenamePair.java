package dev.statedoses.refresh;

import dev.statedoses.source.SourceName;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An unknown name of an allocation source that stands where a state, DC or counted city has no
 * doses (sql/checks/sources/renamed_jurisdictions.sql): the state, perhaps, under a new name.
 * {@code distance} is how far apart their doses per week are (|ln ratio|), null when the state has
 * no doses to compare with.
 */
record RenamePair(SourceName source, String name, long weeks, long doses, LocalDate firstWeek, LocalDate lastWeek,
                  String missing, String state, String stateCode, boolean partway, long sharedWeeks, long named,
                  long names, Double distance) {

    /**
     * The most likely first: pairs whose doses per week are within 4 times of each other (or
     * cannot be compared), as a renamed state's are; among them a new name that holds the state's
     * name ({@code Vermont (VT)}; the longest such, so {@code State of West Virginia} is West
     * Virginia's, not Virginia's), then one that holds its postal code as a word ({@code VT}),
     * then the closest doses. When several states were renamed at once, doses alone paired a
     * quarter of the pairs wrongly: they grow up to three times over the series, and states of a
     * size are many. And a name alone misled: a new {@code Kansas City} beside Kansas renamed
     * {@code KS} is not Kansas, its doses a fifth of Kansas's.
     */
    static final Comparator<RenamePair> LIKELIEST = Comparator
        .comparing(RenamePair::comparable, Comparator.reverseOrder())
        .thenComparing(Comparator.comparingInt(RenamePair::heldName).reversed())
        .thenComparing(RenamePair::holdsCode, Comparator.reverseOrder())
        .thenComparing(RenamePair::distance, Comparator.nullsLast(Comparator.naturalOrder()))
        .thenComparing(RenamePair::firstWeek)
        .thenComparing(p -> p.source().label())
        .thenComparing(RenamePair::name)
        .thenComparing(RenamePair::missing);

    /** Whether the doses per week are within 4 times of each other, or the state has none to compare. */
    boolean comparable() {
        return distance == null || distance <= Math.log(4);
    }

    /** The length of the state's name when the new name holds it (letters and digits, any case), else 0. */
    int heldName() {
        String state = letters(missing);
        return letters(name).contains(state) ? state.length() : 0;
    }

    /** Whether the new name holds the state's postal code as a word. */
    boolean holdsCode() {
        if (stateCode != null) {
            for (String word : name.split("[^\\p{L}\\p{N}]+")) {
                if (word.equalsIgnoreCase(stateCode)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String letters(String text) {
        return text.replaceAll("[^\\p{L}\\p{N}]", "").toLowerCase(Locale.ROOT);
    }

    /**
     * One new name for each state, per source, the likeliest pairs first: what a batch of renames
     * most likely was. The first is the likeliest pair of all.
     */
    static List<RenamePair> match(List<RenamePair> pairs) {
        List<RenamePair> ranked = new ArrayList<>(pairs);
        ranked.sort(LIKELIEST);
        Set<String> names = new HashSet<>();
        Set<String> states = new HashSet<>();
        List<RenamePair> matched = new ArrayList<>();
        for (RenamePair pair : ranked) {
            String source = pair.source().label() + '\n';
            if (!names.contains(source + pair.name()) && !states.contains(source + pair.missing())) {
                names.add(source + pair.name());
                states.add(source + pair.missing());
                matched.add(pair);
            }
        }
        return matched;
    }
}
