package dev.statedoses.refresh;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.statedoses.Config;
import dev.statedoses.support.ConfigBuilder;
import dev.statedoses.support.Fixtures;
import dev.statedoses.support.LoadedProduct;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A footer line under a source's data (`Source: U.S. Census Bureau Population Division`), ended
 * by a line break, is a whole line: the refresh refuses it as content (422
 * `/problems/source-content`, naming the source, its URL, the line and "the row has 1 fields, the
 * header has M"), never as a download cut short, which would tell a client to fetch again. The
 * same footer without its line break may be what a cut left: still `/problems/source-truncated`.
 * Each source, served with a Content-Length, chunked and as a {@code file:} source, with LF, CRLF
 * or CR line ends (and a byte-order mark on some); the product stays as it was.
 *
 * <p>Lines, from src/test/resources/fixtures: moderna.csv has 8 data rows (lines 2-9), pfizer.csv
 * 7 (lines 2-8), county_population.csv 53 (lines 2-54), so a line appended is line 10, 9 or 55.
 */
class FooterLineTest {

    @RegisterExtension
    static final LoadedProduct loaded = new LoadedProduct();

    @TempDir
    static Path files;

    enum Transport { CONTENT_LENGTH, CHUNKED, FILE }

    record Case(String source, Transport transport, String lineEnd, boolean bom, boolean lineBreak) {
        @Override
        public String toString() {
            return source + " with a footer " + (lineBreak ? "and" : "but no") + " line break, "
                + transport.name().toLowerCase(Locale.ROOT).replace('_', '-') + ", "
                + (lineEnd.equals("\n") ? "LF" : lineEnd.equals("\r\n") ? "CRLF" : "CR") + (bom ? ", BOM" : "");
        }

        String fixture() {
            return switch (source) {
                case "moderna" -> "moderna.csv";
                case "pfizer" -> "pfizer.csv";
                default -> "county_population.csv";
            };
        }

        int footerLine() {
            return switch (source) {
                case "moderna" -> 10;
                case "pfizer" -> 9;
                default -> 55;
            };
        }

        int columns() {
            return source.equals("population") ? 5 : 4;
        }

        String footer() {
            return source.equals("population") ? "Source: U.S. Census Bureau Population Division"
                : "Source: CDC COVID-19 Vaccine Distribution Allocations by Jurisdiction";
        }

        /** The fixture in this case's line ends, the footer under it (ended or not). */
        byte[] body() {
            String text = new String(Fixtures.bytes(fixture()), StandardCharsets.UTF_8).replace("\n", lineEnd)
                + footer() + (lineBreak ? lineEnd : "");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (bom) {
                out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
            }
            out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            return out.toByteArray();
        }
    }

    static Stream<Case> footers() {
        List<String> lineEnds = List.of("\n", "\r\n", "\r");
        List<Case> cases = new ArrayList<>();
        int i = 0;
        for (boolean lineBreak : List.of(true, false)) {
            for (String source : List.of("moderna", "pfizer", "population")) {
                for (Transport transport : Transport.values()) {
                    cases.add(new Case(source, transport, lineEnds.get(i % 3), i % 2 == 1, lineBreak));
                    i++;
                }
            }
        }
        return cases.stream();
    }

    private static URI serve(Case footer) throws IOException {
        byte[] body = footer.body();
        String name = footer.toString().replaceAll("[^A-Za-z0-9]+", "-") + ".csv";
        return switch (footer.transport()) {
            case CONTENT_LENGTH -> loaded.upstream().serve("/footer/" + name, body);
            case CHUNKED -> loaded.upstream().serve("/footer/" + name, exchange -> {
                exchange.getResponseHeaders().set("Content-Type", "text/csv");
                exchange.sendResponseHeaders(200, 0); // no length: chunked
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body, 0, body.length / 2);
                    out.flush();
                    out.write(body, body.length / 2, body.length - body.length / 2);
                }
            });
            case FILE -> Files.write(files.resolve(name), body).toUri();
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("footers")
    void aFooterLineIsContentWithItsLineBreakAndCutShortWithout(Case footer) throws IOException {
        URI url = serve(footer);
        ConfigBuilder sources = ConfigBuilder.from(loaded.config());
        Config config = switch (footer.source()) {
            case "moderna" -> sources.moderna(url).build();
            case "pfizer" -> sources.pfizer(url).build();
            default -> sources.countyPopulation(url).build();
        };
        String where = footer.source() + " source (" + url + "), line " + footer.footerLine() + ": ";
        if (footer.lineBreak()) {
            loaded.refreshFails(config, 422, r -> r
                .body("type", equalTo("/problems/source-content"))
                .body("source", equalTo(footer.source()))
                .body("url", equalTo(url.toString()))
                .body("line", equalTo(footer.footerLine()))
                .body("column", nullValue())
                .body("detail", startsWith(where + "the row has 1 fields, the header has " + footer.columns()
                    + ", on the last line, which a line break ends: a footer or a note under the data?"))
                .body("detail", not(containsString("cut short"))));
        } else {
            loaded.refreshFails(config, 422, r -> r
                .body("type", equalTo("/problems/source-truncated"))
                .body("source", equalTo(footer.source()))
                .body("url", equalTo(url.toString()))
                .body("line", equalTo(footer.footerLine()))
                .body("detail", startsWith(where))
                .body("detail", containsString("the download looks cut short")));
        }
    }
}
