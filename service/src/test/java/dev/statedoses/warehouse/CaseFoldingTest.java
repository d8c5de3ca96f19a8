package dev.statedoses.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every case fold in the service's SQL (lower, upper, in sql/ and in the Java that writes
 * statements) names the "C" collation. The database's collation decides otherwise: under ICU's
 * tr-TR, lower('I') is a dotless 'ı' and upper('i') a dotted 'İ', so Illinois was no state for
 * /ratios/illinois?as_of=..., 'OHIO' in an allocation file was no state written another way, and
 * a county named "STATEWIDE" was no total. The names compared are ASCII (the letters left after
 * the others are dropped, or the states' names), which "C" folds exactly.
 * WarehouseSettingsTest runs the service on such a database.
 */
class CaseFoldingTest {

    private static final Pattern FOLD = Pattern.compile("\\b(?i:lower|upper)\\(");
    private static final Path MAIN = Path.of("src", "main");

    @Test
    void everyCaseFoldInTheServicesSqlIsInTheCCollation() {
        List<String> folds = new ArrayList<>();
        List<String> unnamed = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".sql") || f.toString().endsWith(".java")).toList()) {
                // The file without its comments, line for line: an argument may run over lines.
                String code = String.join("\n", Files.readAllLines(file).stream().map(l -> code(file, l)).toList());
                Matcher m = FOLD.matcher(code);
                while (m.find()) {
                    String argument = argument(code, m.end());
                    int line = (int) code.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
                    String where = file + ":" + line + ": " + code.substring(m.start(), m.end() + argument.length())
                        .replaceAll("\\s+", " ");
                    folds.add(where);
                    if (!argument.replace("\\\"", "\"").contains("collate \"C\"")) {
                        unnamed.add(where);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(folds.size() >= 10, "the scan saw the service's folds: " + folds);
        assertEquals(List.of(), unnamed, "case folds without collate \"C\"");
    }

    /** {@code line} without its comment: SQL's "--" on, a Java line of comment whole. */
    private static String code(Path file, String line) {
        if (file.toString().endsWith(".java")) {
            String t = line.strip();
            return t.startsWith("//") || t.startsWith("*") || t.startsWith("/*") ? "" : line;
        }
        int comment = line.indexOf("--");
        return comment < 0 ? line : line.substring(0, comment);
    }

    /** The text from {@code start} to the parenthesis that closes the one before it (or the file's end). */
    private static String argument(String code, int start) {
        int depth = 1;
        for (int i = start; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return code.substring(start, i);
            }
        }
        return code.substring(start);
    }
}
