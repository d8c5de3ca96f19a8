package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SourceValuesTest {
    /** The forms a refused week is named in as it was read alone; any other is quoted too. */
    private static final Pattern ISO_WEEK = Pattern.compile("\\d{4}-\\d{2}-\\d{2}(T00:00:00\\.000)?");
    private static final Pattern SHORT_YEAR = Pattern.compile("^\\d{1,2}/\\d{1,2}/\\d{2}(?!\\d)");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "54360|54360",
        "0|0",
        "' 120 '|120",
        "'63,300'|63300",
        "'39,557,045'|39557045",
        "100000000000|100000000000",
        "0000000000000042|42",
        "000000000042|42",
        "99999999999|99999999999",
        // As pandas writes a column it read as floats.
        "41220.0|41220",
        "'0.0'|0",
        "'63,300.00'|63300",
    })
    void countsArePlainOrGroupedWholeNumbers(String field, long expected) {
        assertEquals(expected, SourceValues.count(field));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|the count is empty",
        "-5|the count -5 is negative",
        "12a|'12a' is not a whole number",
        "1.5|'1.5' is not a whole number",
        "41220.5|'41220.5' is not a whole number",
        "41220.|'41220.' is not a whole number",
        "'.0'|'.0' is not a whole number",
        // Five thousand as much of Europe writes it: not 5 with a fraction of zeros.
        "5.000|'5.000' is not a whole number",
        "-3.0|the count -3.0 is negative",
        "'-1,234'|the count -1,234 is negative",
        // Zero with a minus sign is no negative count, but no count has a sign.
        "-0|the count -0 has a minus sign, which no count has",
        "'-0,000'|the count -0,000 has a minus sign, which no count has",
        "-0.0|the count -0.0 has a minus sign, which no count has",
        // A minus sign alone, or before what is no count, is not a negative count.
        "-|'-' is not a whole number",
        "--5|'--5' is not a whole number",
        "-x|'-x' is not a whole number",
        "100000000001.0|the count 100000000001.0 is larger than any real count (100000000000)",
        "'1,23'|'1,23' is not a whole number",
        "'12,3456'|'12,3456' is not a whole number",
        "99999999999999999999|the count 99999999999999999999 is larger than any real count (100000000000)",
        "9000000000000000000|the count 9000000000000000000 is larger than any real count (100000000000)",
        "100000000001|the count 100000000001 is larger than any real count (100000000000)",
    })
    void otherCountsAreRejectedWithTheReason(String field, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SourceValues.count(field));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
        "2021-06-21T00:00:00.000",
        "2021-06-21",
        "06/21/2021",
        // Socrata's CSV export of a timestamp, Excel's date-time cell and short dates, pandas's
        // dates with a zone, year first with slashes, and the month by name.
        "06/21/2021 12:00:00 AM",
        "6/21/2021 12:00 am",
        "6/21/2021 0:00",
        "6/21/21",
        "06/21/21 00:00:00",
        "2021-06-21T00:00:00Z",
        "2021-06-21T00:00:00.000Z",
        "2021-06-21 00:00:00+00:00",
        "2021-06-21T00:00:00-05:00",
        "2021-06-21T00:00:00+14:00",
        "2021-06-21T00:00:00-12:00",
        "2021-06-21T00:00:00+0545",
        "2021-06-21 00:00 UTC",
        "2021/06/21",
        "2021-6-21",
        "21-Jun-2021",
        "21 June 2021",
        "21-JUN-2021 00:00:00",
    })
    void weeksComeInTheApisTheIsoAndTheExportsForm(String field) {
        assertEquals(LocalDate.of(2021, 6, 21), SourceValues.week(field));
    }

    @ParameterizedTest
    @CsvSource({
        // A time other than midnight: a date shifted by a zone may be a day off.
        "2021-06-21T05:00:00Z",
        "2021-06-20T19:00:00-05:00",
        "06/21/2021 12:00:00 PM",
        "06/21/2021 00:00:01",
        // A midnight with nothing before it, a zone without a time, a month no language has,
        // separators mixed, a three-digit year.
        "T00:00:00",
        "2021-06-21Z",
        // An offset no zone has: hours past 14, minutes past 59.
        "2021-06-21T00:00:00.000+99:00",
        "2021-06-21T00:00:00-99:99",
        "2021-06-21T00:00:00+00:60",
        "2021-06-21T00:00:00+19:00",
        "2021-06-21T00:00:00+1500",
        "21-Jux-2021",
        "2021-06/21",
        "6/21/202",
        "21.06.2021",
    })
    void otherDatesAndTimesAreNotWeeks(String field) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SourceValues.week(field));
        assertEquals("'" + field + "' is not a date (expected a form such as 2021-06-21T00:00:00.000, 2021-06-21, "
            + "2021/06/21, 06/21/2021, 6/21/21 or 21-Jun-2021; a time, if any, at midnight)", e.getMessage());
    }

    /** Each form the refusal names is one a week may be written in, and each names 21 June 2021. */
    @Test
    void everyFormTheRefusalNamesIsRead() {
        List<String> forms = List.of(SourceValues.DATE_FORMS.split(", | or "));
        assertEquals(6, forms.size(), forms.toString());
        for (String form : forms) {
            assertEquals(LocalDate.of(2021, 6, 21), SourceValues.week(form), form);
        }
    }

    @Test
    void aMalformedWeekSaysWhatWasExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SourceValues.week("21.06.2021"));
        assertEquals("'21.06.2021' is not a date (expected a form such as 2021-06-21T00:00:00.000, 2021-06-21, "
            + "2021/06/21, 06/21/2021, 6/21/21 or 21-Jun-2021; a time, if any, at midnight)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SourceValues.week("2021-02-30"));
        assertThrows(IllegalArgumentException.class, () -> SourceValues.week("2021-02-30T00:00:00.000"));
        assertThrows(IllegalArgumentException.class, () -> SourceValues.week("2021-13-01T00:00:00.000"));
        assertThrows(IllegalArgumentException.class, () -> SourceValues.week("2021-1-041T00:00:00.000"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2021-06-20T00:00:00.000|the week 2021-06-20 is a Sunday",
        "2021-06-22|the week 2021-06-22 is a Tuesday",
        // A form other than ISO is named as written, and as read.
        "06/26/2021|the week '06/26/2021' (read as 2021-06-26) is a Saturday",
        // 7 June 2021, a Monday, written day first: read as the US form, 6 July, a Tuesday.
        "07/06/2021|the week '07/06/2021' (read as 2021-07-06) is a Tuesday",
        // A short year is read in the century 2000: a line from 1969 is not said to be from 2069.
        "6/21/69|the week '6/21/69' (read as 2069-06-21, its two-digit year in the century 2000) is a Friday",
        "22-Jun-2021 00:00 UTC|the week '22-Jun-2021 00:00 UTC' (read as 2021-06-22) is a Tuesday",
    })
    void aWeekNotDatedByItsMondayIsRejected(String field, String start) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SourceValues.week(field));
        assertEquals(start + ": allocation weeks are dated by their Monday (a date shifted by a time zone, or day "
            + "and month swapped?)", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1920-12-28T00:00:00.000|the week 1920-12-28",
        "12/28/1920|the week '12/28/1920' (read as 1920-12-28)",
        "28 Dec 1919 00:00|the week '28 Dec 1919 00:00' (read as 1919-12-28)",
    })
    void aWeekBefore2020IsNamedAsWrittenAndAsRead(String field, String start) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SourceValues.week(field));
        assertEquals(start + " is before 2020: no vaccine was allocated before December 2020", e.getMessage());
    }

    @Test
    void anyDateIsAWeekExactlyWhenItIsAMonday() {
        // Every day of 2020 to 2030, in each of the three forms: accepted as itself on a Monday,
        // rejected naming its day otherwise.
        DateTimeFormatter us = DateTimeFormatter.ofPattern("MM/dd/yyyy", Locale.ROOT);
        int mondays = 0;
        for (LocalDate day = LocalDate.of(2020, 1, 1); day.getYear() <= 2030; day = day.plusDays(1)) {
            for (String field : List.of(day + "T00:00:00.000", day.toString(), us.format(day))) {
                assertWeekOrNot(day, field);
            }
            if (day.getDayOfWeek() == DayOfWeek.MONDAY) {
                mondays++;
            }
        }
        assertEquals(574, mondays); // 2020-01-06 to 2030-12-30
    }

    /**
     * The other forms, generated: every day of 2020 to 2030 in one of eight date forms (chosen by
     * a seeded random), with no time or a midnight in one of eleven spellings, with or without a
     * zone: each is that day on a Monday, and refused naming its day otherwise.
     */
    @Test
    void anyDateInAnyFormIsAWeekExactlyWhenItIsAMonday() {
        List<DateTimeFormatter> dates = List.of("yyyy-MM-dd", "yyyy/MM/dd", "yyyy-M-d", "MM/dd/yyyy", "M/d/yy",
            "d-MMM-yyyy", "dd MMMM yyyy", "d MMM yyyy").stream()
            .map(pattern -> DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH)).toList();
        List<String> midnights = List.of("", "T00:00", "T00:00:00", "T00:00:00.000", " 00:00", " 0:00", " 0:00:00",
            " 12:00 AM", " 12:00:00 AM", " 12:00:00am", " 00:00:00.000000");
        List<String> zones = List.of("", "", "Z", "+00:00", "-05:00", " UTC", "+0530");
        Random random = new Random(20261202);
        for (LocalDate day = LocalDate.of(2020, 1, 1); day.getYear() <= 2030; day = day.plusDays(1)) {
            String date = dates.get(random.nextInt(dates.size())).format(day);
            String midnight = midnights.get(random.nextInt(midnights.size()));
            String field = date + midnight + (midnight.isEmpty() ? "" : zones.get(random.nextInt(zones.size())));
            String cased = random.nextBoolean() ? field : field.toUpperCase(Locale.ROOT);
            assertWeekOrNot(day, cased);
        }
    }

    private static void assertWeekOrNot(LocalDate day, String field) {
        if (day.getDayOfWeek() == DayOfWeek.MONDAY) {
            assertEquals(day, SourceValues.week(field), field);
        } else {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SourceValues.week(field),
                field);
            String said = ISO_WEEK.matcher(field).matches() ? day.toString()
                : "'" + field + "' (read as " + day
                    + (SHORT_YEAR.matcher(field).find() ? ", its two-digit year in the century 2000)" : ")");
            assertTrue(e.getMessage().startsWith("the week " + said + " is a "), field + ": " + e.getMessage());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Alaska|Alaska",
        "Alaska**|Alaska",
        "'New York City***'|New York City",
        "' Palau* '|Palau",
        "'Palau *'|Palau",
        "' Guam '|Guam",
        // Two footnotes at once, as the CDC's rows of 2021-03-08 and 2021-03-15 wrote some names.
        "'Alaska**,***'|Alaska",
        "'Guam*, **'|Guam",
        // A comma is a footnote's only between asterisks: otherwise it is the name's.
        "'New York City, NY'|'New York City, NY'",
        "'Alaska**,'|'Alaska**,'",
        "'U.S. Virgin Islands'|U.S. Virgin Islands",
    })
    void namesLoseTheirFootnoteMarks(String field, String expected) {
        assertEquals(expected, SourceValues.name(field));
    }

    @Test
    void headersCompareWithoutCaseOrPunctuation() {
        assertEquals(SourceValues.headerKey("_1st_dose_allocations"), SourceValues.headerKey("1st Dose Allocations"));
        assertEquals(SourceValues.headerKey("week_of_allocations"), SourceValues.headerKey("Week of Allocations"));
        assertEquals("populationestimate2018", SourceValues.headerKey("Population Estimate 2018"));
    }
}
