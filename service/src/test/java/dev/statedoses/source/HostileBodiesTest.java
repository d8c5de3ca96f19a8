package dev.statedoses.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile allocation bodies, generated: every way a file can be cut, damaged, mis-encoded,
 * compressed, mislabelled or blown up. Each property says what the reader must answer: the
 * rows of a complete file, or a {@link SourceException} of the right kind naming the line (and
 * the column) at fault, and nothing else, ever (no other exception, no silently wrong row).
 *
 * <p>The bodies are made here, from a few jurisdictions and random counts, in both layouts the
 * sources come in: the API's (every value quoted) and the CDC export's (nothing quoted, US dates),
 * with LF or CRLF line ends. Each case is drawn from a {@link Random} with the seed in its name,
 * so a failing case is run again by its seed.
 */
class HostileBodiesTest {

    private static final URI URL = URI.create("http://upstream.test/moderna.csv");
    private static final List<String> JURISDICTIONS = List.of("New York", "New York City", "Vermont", "Alaska",
        "Guam", "Federal Entities", "District of Columbia", "Palau");
    private static final List<String> API_COLUMNS = List.of("jurisdiction", "week_of_allocations",
        "_1st_dose_allocations", "_2nd_dose_allocations");
    private static final List<String> EXPORT_COLUMNS = List.of("Jurisdiction", "Week of Allocations",
        "1st Dose Allocations", "2nd Dose Allocations");

    /** A generated allocation file and the rows it holds. */
    record Body(boolean quoted, String lineEnd, List<Allocation> rows) {

        List<String> columns() {
            return quoted ? API_COLUMNS : EXPORT_COLUMNS;
        }

        String headerLine() {
            return line(columns());
        }

        String line(List<String> values) {
            return String.join(",", values.stream().map(v -> quoted ? "\"" + v + "\"" : v).toList());
        }

        List<String> values(Allocation row) {
            String week = quoted ? row.week() + "T00:00:00.000"
                : String.format(Locale.ROOT, "%02d/%02d/%d", row.week().getMonthValue(), row.week().getDayOfMonth(),
                    row.week().getYear());
            return List.of(row.jurisdiction(), week, Long.toString(row.firstDoses()), Long.toString(row.secondDoses()));
        }

        /** Line {@code i} (1: the header), without its line end. */
        String lineText(int i) {
            return i == 1 ? headerLine() : line(values(rows.get(i - 2)));
        }

        String text() {
            StringBuilder text = new StringBuilder(headerLine()).append(lineEnd);
            for (Allocation row : rows) {
                text.append(line(values(row))).append(lineEnd);
            }
            return text.toString();
        }

        byte[] bytes() {
            return text().getBytes(StandardCharsets.UTF_8);
        }

        /** The body with line {@code i} replaced by {@code replacement}. */
        byte[] withLine(int i, String replacement) {
            List<String> lines = new ArrayList<>(Arrays.asList(text().split(lineEnd, -1)));
            lines.set(i - 1, replacement);
            return String.join(lineEnd, lines).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return (quoted ? "API" : "export") + " layout, " + (lineEnd.equals("\n") ? "LF" : "CRLF") + ", "
                + rows.size() + " rows";
        }
    }

    /** Seeds for the cases of one property: {@code count} of them, fixed, so every run sees the same cases. */
    static LongStream seeds(int count) {
        return LongStream.range(0, count).map(i -> 20261129L * 31 + i * 7919);
    }

    static LongStream seeds40() {
        return seeds(40);
    }

    static LongStream seeds120() {
        return seeds(120);
    }

    static LongStream seeds400() {
        return seeds(400);
    }

    /** A random allocation file: a layout, a line end, and 1 to 12 rows. */
    static Body body(Random random) {
        boolean quoted = random.nextBoolean();
        String lineEnd = random.nextBoolean() ? "\n" : "\r\n";
        int count = 1 + random.nextInt(12);
        List<Allocation> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rows.add(new Allocation(i + 2, JURISDICTIONS.get(random.nextInt(JURISDICTIONS.size())),
                LocalDate.of(2020, 12, 14).plusWeeks(random.nextInt(31)),
                edgeOrRandom(random), edgeOrRandom(random)));
        }
        return new Body(quoted, lineEnd, rows);
    }

    /** A count: now and then 0 or a single digit (short fields are where cuts are subtle), else any. */
    private static long edgeOrRandom(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> 0;
            case 1 -> random.nextInt(10);
            default -> random.nextInt(10_000_000);
        };
    }

    private static int controlByte(Random random) {
        int[] controls = {0, 1, 2, 3, 4, 5, 6, 7, 8, 0x0b, 0x0c, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
            0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x7f};
        return controls[random.nextInt(controls.length)];
    }

    // ---- reading -------------------------------------------------------------------------------

    private static List<Allocation> read(InputStream in) {
        List<Allocation> rows = new ArrayList<>();
        SourceStream stream = new SourceStream(in, SourceName.MODERNA, URL, 10_000_000);
        long count = new AllocationCsv(new UnivocityCsv()).read(stream, rows::add);
        assertEquals(rows.size(), count);
        return rows;
    }

    private static List<Allocation> read(byte[] body) {
        return read(new ByteArrayInputStream(body));
    }

    /** The reader's answer to {@code body}: its rows, or the SourceException; anything else fails the test. */
    private static Object answer(byte[] body) {
        return answer(new ByteArrayInputStream(body));
    }

    private static Object answer(InputStream body) {
        try {
            return read(body);
        } catch (SourceException e) {
            assertReadable(e);
            return e;
        } catch (RuntimeException e) {
            throw new AssertionError("not a SourceException: " + e, e);
        }
    }

    private static SourceException rejected(byte[] body) {
        Object answer = answer(body);
        if (answer instanceof SourceException e) {
            return e;
        }
        return fail("accepted: " + answer);
    }

    /** A message fit for an operator, a log line and the run log: ours, one line, no control characters. */
    private static void assertReadable(SourceException e) {
        String text = e.describe();
        for (char c : text.toCharArray()) {
            assertFalse(c < 0x20 || c == 0x7f, "a control character in: " + text);
        }
        for (String leak : List.of("Exception", "java.", "univocity", "ArrayIndex")) {
            assertFalse(text.contains(leak), "'" + leak + "' in: " + text);
        }
        assertTrue(text.length() < 1200, "too long: " + text.length());
    }

    /** The line a cut after {@code prefix} falls on: line breaks (a CRLF is one) so far, plus one. */
    private static long lineAt(String prefix) {
        return 1 + prefix.replace("\r\n", "\n").chars().filter(c -> c == '\n' || c == '\r').count();
    }

    // ---- truncation ----------------------------------------------------------------------------

    /**
     * Cut after every byte: a cut at a line end leaves a shorter, complete file (its rows load);
     * a cut anywhere else is a cut-off body naming the line it falls on, except where the last
     * value is closed by its quote (then that row is complete, and loads). Never a wrong row.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds40")
    void aBodyCutAfterAnyByteLoadsItsCompleteRowsOrIsACutOffBody(long seed) {
        Body body = body(new Random(seed));
        String text = body.text();
        int headerEnd = body.headerLine().length() + body.lineEnd().length();
        for (int cut = 1; cut < text.length(); cut++) {
            String prefix = text.substring(0, cut);
            Object answer = answer(prefix.getBytes(StandardCharsets.UTF_8));
            String where = body + ", cut after " + cut + " bytes: ..." + prefix.substring(Math.max(0, cut - 30));
            if (cut < headerEnd - body.lineEnd().length()) {
                SourceException e = assertInstance(answer, where);
                assertEquals(1L, e.line(), where);
                continue;
            }
            String partial = prefix.substring(prefix.lastIndexOf('\n') + 1);
            int complete = (int) (lineAt(prefix) - 2); // data lines ended by a line break
            if (prefix.endsWith("\r")) {
                complete = (int) (lineAt(prefix) - 2);
                partial = "";
            }
            boolean lastRowWhole = body.quoted() && !partial.isEmpty() && complete < body.rows().size()
                && partial.equals(body.lineText(complete + 2));
            if (partial.isEmpty() || lastRowWhole) {
                int rows = complete + (lastRowWhole ? 1 : 0);
                if (rows == 0) {
                    SourceException e = assertInstance(answer, where);
                    assertEquals(SourceException.Kind.CONTENT, e.kind(), where);
                    assertTrue(e.getMessage().contains("no data rows"), where + ": " + e.getMessage());
                } else {
                    assertEquals(body.rows().subList(0, rows), answer, where);
                }
            } else {
                SourceException e = assertInstance(answer, where);
                assertEquals(SourceException.Kind.TRUNCATED, e.kind(), where + ": " + e.describe());
                assertEquals(lineAt(prefix), e.line(), where + ": " + e.describe());
            }
        }
    }

    /** Bytes that stop before the length the upstream promised: the transport says the body was cut. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds120")
    void aBodyEndingBeforeItsPromisedLengthIsCutOffAtItsLine(long seed) {
        Random random = new Random(seed);
        Body body = body(random);
        int at = random.nextInt(10_000);
        byte[] bytes = body.bytes();
        int cut = at % bytes.length;
        SourceException e = assertInstance(answer(new CutOff(bytes, cut)), body + ", cut at " + cut);
        assertEquals(SourceException.Kind.TRUNCATED, e.kind(), e.describe());
        assertEquals(lineAt(new String(bytes, 0, cut, StandardCharsets.UTF_8)), e.line(), e.describe());
        assertTrue(e.getMessage().contains("the body ends after " + cut + " bytes, before its end"), e.getMessage());
    }

    /** The body as the JDK's HTTP client hands it over when the connection closes early. */
    private static final class CutOff extends InputStream {
        private final ByteArrayInputStream sent;

        CutOff(byte[] body, int sent) {
            this.sent = new ByteArrayInputStream(body, 0, sent);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = sent.read(b, off, len);
            if (n < 0) {
                throw new IOException("closed", new IOException("fixed content-length: 99999",
                    new EOFException("EOF reached while reading")));
            }
            return n;
        }
    }

    // ---- damage --------------------------------------------------------------------------------

    /** A control byte inside any value of any line: the file is damaged; the line and column say where. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds400")
    void aControlByteAnywhereInAValueNamesItsLineAndColumn(long seed) {
        Random random = new Random(seed);
        Body body = body(random);
        int lineSeed = random.nextInt(1000);
        int field = random.nextInt(4);
        int offsetSeed = random.nextInt(100);
        int control = controlByte(random);
        int line = 2 + lineSeed % body.rows().size();
        List<String> values = new ArrayList<>(body.values(body.rows().get(line - 2)));
        String value = values.get(field);
        int at = offsetSeed % (value.length() + 1);
        values.set(field, value.substring(0, at) + (char) control + value.substring(at));
        SourceException e = rejected(body.withLine(line, body.line(values)));
        assertEquals(SourceException.Kind.CONTENT, e.kind(), e.describe());
        assertEquals((long) line, e.line(), e.describe());
        assertEquals(body.columns().get(field), e.column(), e.describe());
        assertTrue(e.getMessage().startsWith("a control character ("), e.getMessage());
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds40")
    void aControlByteInTheHeaderIsDamageOnLineOne(long seed) {
        Random random = new Random(seed);
        Body body = body(random);
        int control = controlByte(random);
        String header = body.headerLine();
        int at = header.length() / 2;
        SourceException e = rejected(body.withLine(1, header.substring(0, at) + (char) control + header.substring(at)));
        assertEquals(1L, e.line(), e.describe());
        assertTrue(e.getMessage().contains("a control character"), e.getMessage());
    }

    // ---- encodings and compression -------------------------------------------------------------

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds40")
    void utf16AndUtf32AreRejectedAsSuchWithOrWithoutAByteOrderMark(long seed) {
        Random random = new Random(seed);
        Body body = body(random);
        String encoding = List.of("UTF-16BE", "UTF-16LE", "UTF-32BE", "UTF-32LE").get(random.nextInt(4));
        boolean bom = random.nextBoolean();
        byte[] bytes = body.text().getBytes(Charset.forName(encoding));
        byte[] withBom = bom ? concat(bom(encoding), bytes) : bytes;
        SourceException e = rejected(withBom);
        assertEquals(SourceException.Kind.CONTENT, e.kind());
        assertEquals(1L, e.line());
        String family = encoding.startsWith("UTF-32") ? "UTF-32" : "UTF-16";
        if (family.equals("UTF-16") || bom) {
            assertTrue(e.getMessage().contains(family + " is not supported, save the file as UTF-8"), e.getMessage());
        } else {
            // UTF-32 without a mark: NULs three bytes in four, binary to the eye of a UTF-8 reader.
            assertTrue(e.getMessage().contains("NUL bytes") || e.getMessage().contains("is not supported"),
                e.getMessage());
        }
    }

    /**
     * A workbook, an archive or another format's file at a source's URL: named as such, on line 1,
     * whatever follows its first bytes (here random bytes, printable or not).
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds40")
    void anArchiveOrWorkbookIsNamedForWhatItIs(long seed) {
        Random random = new Random(seed);
        List<Map.Entry<byte[], String>> formats = List.of(
            Map.entry(new byte[] {'P', 'K', 3, 4}, "a ZIP archive (an .xlsx workbook or a .zip file?)"),
            Map.entry(new byte[] {'B', 'Z', 'h', '9', '1', 'A', 'Y', '&', 'S', 'Y'}, "a bzip2 archive"),
            Map.entry(new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0}, "an xz archive"),
            Map.entry(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, "a Zstandard archive"),
            Map.entry(new byte[] {'7', 'z', (byte) 0xbc, (byte) 0xaf, 0x27, 0x1c}, "a 7-Zip archive"),
            Map.entry(new byte[] {(byte) 0xd0, (byte) 0xcf, 0x11, (byte) 0xe0, (byte) 0xa1, (byte) 0xb1, 0x1a,
                (byte) 0xe1}, "an Excel 97-2003 workbook"),
            Map.entry("%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII), "a PDF document"),
            Map.entry("PAR1".getBytes(StandardCharsets.US_ASCII), "a Parquet file"),
            Map.entry("SQLite format 3\0".getBytes(StandardCharsets.US_ASCII), "an SQLite database"));
        Map.Entry<byte[], String> format = formats.get(random.nextInt(formats.size()));
        byte[] rest = new byte[random.nextInt(600)];
        random.nextBytes(rest);
        if (random.nextBoolean()) {
            for (int i = 0; i < rest.length; i++) {
                rest[i] = (byte) (' ' + Math.floorMod(rest[i], 95)); // printable: no NUL to give it away
            }
        }
        SourceException e = rejected(concat(format.getKey(), rest));
        assertEquals(SourceException.Kind.CONTENT, e.kind(), e.describe());
        assertEquals(1L, e.line(), e.describe());
        assertTrue(e.getMessage().contains("the body is " + format.getValue()), e.getMessage());
        assertTrue(e.getMessage().contains("not CSV text"), e.getMessage());
    }

    private static byte[] bom(String encoding) {
        return switch (encoding) {
            case "UTF-16BE" -> new byte[] {(byte) 0xfe, (byte) 0xff};
            case "UTF-16LE" -> new byte[] {(byte) 0xff, (byte) 0xfe};
            case "UTF-32BE" -> new byte[] {0, 0, (byte) 0xfe, (byte) 0xff};
            default -> new byte[] {(byte) 0xff, (byte) 0xfe, 0, 0};
        };
    }

    /** gzip and deflate (zlib-wrapped or bare) bodies load as the plain file, header or no header. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds40")
    void compressedBodiesLoadAsThePlainFile(long seed) throws IOException {
        Random random = new Random(seed);
        Body body = body(random);
        String coding = coding(random);
        byte[] compressed = compress(body.bytes(), coding);
        List<String> header = coding.equals("gzip-unlabelled") ? List.of()
            : List.of(coding.startsWith("gzip") ? "gzip" : "deflate");
        assertEquals(body.rows(), read(ContentDecoding.decode(new ByteArrayInputStream(compressed), header)), coding);
    }

    /** A compressed body cut short is a cut-off body, or a damaged one: never rows. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds120")
    void aCompressedBodyCutShortIsNeverLoaded(long seed) throws IOException {
        Random random = new Random(seed);
        Body body = body(random);
        String coding = coding(random);
        int at = 1 + random.nextInt(10_000);
        byte[] compressed = compress(body.bytes(), coding);
        int cut = at % compressed.length;
        List<String> header = coding.equals("gzip-unlabelled") ? List.of()
            : List.of(coding.startsWith("gzip") ? "gzip" : "deflate");
        Object answer = answer(ContentDecoding.decode(new ByteArrayInputStream(compressed, 0, cut), header));
        SourceException e = assertInstance(answer, coding + " cut at " + cut + " of " + compressed.length);
        assertTrue(e.kind() == SourceException.Kind.TRUNCATED || e.kind() == SourceException.Kind.CONTENT,
            e.describe());
    }

    private static String coding(Random random) {
        return List.of("gzip", "gzip-unlabelled", "deflate-zlib", "deflate-raw").get(random.nextInt(4));
    }

    private static byte[] compress(byte[] plain, String coding) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var z = coding.startsWith("gzip") ? new GZIPOutputStream(out)
            : new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, coding.equals("deflate-raw")))) {
            z.write(plain);
        }
        return out.toByteArray();
    }

    // ---- gzip members, checked to the last byte ---------------------------------------------------

    /** A gzip body made by hand, member by member, and where each member's parts start and end. */
    record Gzip(byte[] bytes, List<Member> members) {
    }

    /** One member: its plain text's bytes, and its header's, data's and trailer's offsets in the body. */
    record Member(byte[] plain, int start, int dataStart, int trailerStart, int end) {
    }

    /**
     * {@code plain} as gzip members, split at 0 to 3 random points (at line ends, mid-line, and
     * empty members), each with random optional header fields (FEXTRA, FNAME, FCOMMENT, FHCRC, FTEXT),
     * as gzip, pigz or a concatenation of .gz files write them.
     */
    static Gzip gzipMembers(byte[] plain, Random random) {
        int splits = random.nextInt(4);
        List<Integer> points = new ArrayList<>(List.of(0, plain.length));
        List<Integer> lineEnds = new ArrayList<>();
        for (int i = 0; i < plain.length; i++) {
            if (plain[i] == '\n') {
                lineEnds.add(i + 1);
            }
        }
        for (int i = 0; i < splits; i++) {
            // Half at a line end, as the reported body was (lines 1-900, then a cut member): there
            // the members before a cut are a valid, shorter file, and only the gzip stream tells.
            points.add(random.nextBoolean() ? lineEnds.get(random.nextInt(lineEnds.size()))
                : random.nextInt(plain.length + 1));
        }
        points.sort(null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Member> members = new ArrayList<>();
        for (int i = 0; i + 1 < points.size(); i++) {
            byte[] part = Arrays.copyOfRange(plain, points.get(i), points.get(i + 1));
            int start = out.size();
            byte[] header = gzipHeader(random.nextInt(32), random);
            out.write(header, 0, header.length);
            int dataStart = out.size();
            byte[] data = deflateBare(part);
            out.write(data, 0, data.length);
            int trailerStart = out.size();
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(part);
            writeUint32(out, crc.getValue());
            writeUint32(out, part.length);
            members.add(new Member(part, start, dataStart, trailerStart, out.size()));
        }
        return new Gzip(out.toByteArray(), members);
    }

    /** A member's header with {@code flags} (bits 0 to 4) and the fields they announce. */
    private static byte[] gzipHeader(int flags, Random random) {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(0x1f);
        header.write(0x8b);
        header.write(8);
        header.write(flags);
        for (int i = 0; i < 6; i++) {
            header.write(random.nextInt(256)); // MTIME, XFL, OS: any value is valid
        }
        if ((flags & 4) != 0) {
            int length = random.nextInt(40);
            header.write(length);
            header.write(0);
            for (int i = 0; i < length; i++) {
                header.write(random.nextInt(256));
            }
        }
        for (int flag : new int[] {8, 16}) {
            if ((flags & flag) != 0) {
                for (int i = random.nextInt(20); i > 0; i--) {
                    header.write(1 + random.nextInt(255));
                }
                header.write(0);
            }
        }
        if ((flags & 2) != 0) {
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(header.toByteArray());
            header.write((int) crc.getValue() & 0xff);
            header.write((int) (crc.getValue() >> 8) & 0xff);
        }
        return header.toByteArray();
    }

    private static byte[] deflateBare(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, true))) {
            z.write(plain);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeUint32(ByteArrayOutputStream out, long value) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (value >> (8 * i)) & 0xff);
        }
    }

    private static Object gunzipped(byte[] bytes, boolean labelled) {
        return answer(ContentDecoding.decode(new ByteArrayInputStream(bytes), labelled ? List.of("gzip") : List.of()));
    }

    /** Several members, with any optional header fields, labelled or sniffed: the plain file's rows. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds120")
    void aGzipBodyOfSeveralMembersLoadsAsThePlainFile(long seed) {
        Random random = new Random(seed);
        Body body = body(random);
        Gzip gzip = gzipMembers(body.bytes(), random);
        assertEquals(body.rows(), gunzipped(gzip.bytes(), random.nextBoolean()), gzip.members().size() + " members");
    }

    /**
     * Cut after every byte. Exactly at a member's end, the body is the members before the cut,
     * as plain text would be read (a cut at a line end loads the complete rows; mid-line is a
     * cut-off body). Anywhere inside a member (header, data, trailer) it is a cut-off body,
     * never rows: on the line the decoded text stops at (the members before it, in a header or
     * trailer). The JDK's GZIPInputStream loaded the members before a cut header as the file.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds40")
    void aGzipBodyCutAfterAnyByteIsItsWholeMembersOrACutOffBody(long seed) {
        Random random = new Random(seed);
        Body body = body(random);
        Gzip gzip = gzipMembers(body.bytes(), random);
        boolean labelled = random.nextBoolean();
        byte[] bytes = gzip.bytes();
        // Unlabelled, a body is taken for gzip by its first two bytes: shorter, it is not gzip at all.
        for (int cut = labelled ? 0 : 2; cut <= bytes.length; cut++) {
            Object answer = gunzipped(Arrays.copyOf(bytes, cut), labelled);
            ByteArrayOutputStream before = new ByteArrayOutputStream();
            Member cutIn = null;
            for (Member member : gzip.members()) {
                if (cut >= member.end()) {
                    before.write(member.plain(), 0, member.plain().length);
                } else if (cutIn == null) {
                    cutIn = member;
                }
            }
            String where = gzip.members().size() + " members ending at "
                + gzip.members().stream().map(Member::end).toList() + ", " + (labelled ? "labelled" : "sniffed")
                + ", cut at " + cut;
            int at = cut;
            boolean atMemberEnd = cut > 0 && gzip.members().stream().anyMatch(m -> m.end() == at);
            if (atMemberEnd) {
                assertSameAnswer(answer(before.toByteArray()), answer, where);
                continue;
            }
            SourceException e = assertInstance(answer, where);
            assertEquals(SourceException.Kind.TRUNCATED, e.kind(), where + ": " + e.describe());
            long decodedBefore = lineAt(before.toString(StandardCharsets.UTF_8));
            if (cut < cutIn.dataStart() || cut >= cutIn.trailerStart()) {
                byte[] through = cut >= cutIn.trailerStart() ? concat(before.toByteArray(), cutIn.plain())
                    : before.toByteArray();
                assertEquals(lineAt(new String(through, StandardCharsets.UTF_8)), e.line(), where + ": " + e.describe());
            } else {
                long decodedAfter = lineAt(new String(concat(before.toByteArray(), cutIn.plain()), StandardCharsets.UTF_8));
                assertTrue(e.line() >= decodedBefore && e.line() <= decodedAfter, where + ": " + e.describe());
            }
        }
    }

    private static void assertSameAnswer(Object expected, Object actual, String where) {
        if (expected instanceof SourceException e) {
            SourceException a = assertInstance(actual, where);
            assertEquals(e.kind(), a.kind(), where + ": " + a.describe());
            assertEquals(e.line(), a.line(), where + ": " + a.describe());
            assertEquals(e.getMessage(), a.getMessage(), where);
        } else {
            assertEquals(expected, actual, where);
        }
    }

    /** Ways to damage a gzip body that no cut makes: each is damaged content, never rows nor a cut. */
    private static final List<String> GZIP_DAMAGE = List.of("junk after the last member", "junk between members",
        "0x1F then not 0x8B after a member", "zeros after the last member", "a wrong CRC-32", "a wrong size",
        "a reserved header flag", "a method other than deflate", "a wrong header CRC");

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds400")
    void aDamagedGzipBodyIsDamagedContent(long seed) {
        Random random = new Random(seed);
        Body body = body(random);
        String damage = GZIP_DAMAGE.get(random.nextInt(GZIP_DAMAGE.size()));
        Gzip gzip = gzipMembers(body.bytes(), random);
        List<Member> members = gzip.members();
        Member member = members.get(random.nextInt(members.size()));
        byte[] bytes = gzip.bytes().clone();
        bytes = switch (damage) {
            case "junk after the last member" -> concat(bytes, junk(random));
            case "junk between members" -> concat(Arrays.copyOf(bytes, member.end()), junk(random),
                Arrays.copyOfRange(bytes, member.end(), bytes.length));
            case "0x1F then not 0x8B after a member" -> concat(Arrays.copyOf(bytes, member.end()),
                new byte[] {0x1f, (byte) (random.nextInt(255) == 0x8b ? 0 : random.nextInt(0x8b))},
                Arrays.copyOfRange(bytes, member.end(), bytes.length));
            case "zeros after the last member" -> concat(bytes, new byte[1 + random.nextInt(512)]);
            case "a wrong CRC-32" -> flip(bytes, member.trailerStart() + random.nextInt(4), random);
            case "a wrong size" -> flip(bytes, member.trailerStart() + 4 + random.nextInt(4), random);
            case "a reserved header flag" -> flip(bytes, member.start() + 3, 0x20 << random.nextInt(3));
            case "a method other than deflate" -> flip(bytes, member.start() + 2, 1 + random.nextInt(7));
            default -> {
                // A member with a header CRC, damaged: the CRC's bytes or a byte it covers (MTIME).
                byte[] header = gzipHeader(2, random);
                byte[] withCrc = concat(header, Arrays.copyOfRange(bytes, member.dataStart(), member.end()));
                yield concat(Arrays.copyOf(bytes, member.start()),
                    flip(withCrc, random.nextBoolean() ? header.length - 1 - random.nextInt(2) : 4 + random.nextInt(4),
                        random), Arrays.copyOfRange(bytes, member.end(), bytes.length));
            }
        };
        boolean labelled = random.nextBoolean();
        SourceException e = assertInstance(gunzipped(bytes, labelled), damage);
        assertEquals(SourceException.Kind.CONTENT, e.kind(), damage + ": " + e.describe());
        assertTrue(e.getMessage().startsWith("the compressed body is damaged ("), e.getMessage());
    }

    /**
     * A byte of a gzip body's data changed where a stored block carries it as it is: the body
     * inflates, garbled, without a word, and only the CRC-32 at its end tells. A digit of one line
     * among the first thousand of a 40,000-line file (farther than the reader reads ahead) becomes
     * a letter, labelled or sniffed, 30 seeds: the fault is the damage, on that line, naming the
     * value it garbled. Before, it was the value alone ("is not a whole number"), as if the
     * upstream had written it.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds30")
    void aValueGarbledByADamagedGzipBodyIsReportedAsTheDamage(long seed) {
        Random random = new Random(seed);
        StringBuilder plain = new StringBuilder("jurisdiction,week_of_allocations,_1st_dose_allocations,"
            + "_2nd_dose_allocations\n");
        for (int i = 0; i < 40_000; i++) {
            plain.append("\"Place ").append(i).append("\",2021-01-04,").append(1 + random.nextInt(99_999)).append(',')
                .append(random.nextInt(100_000)).append('\n');
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out) {
            {
                def.setLevel(Deflater.NO_COMPRESSION);
            }
        }) {
            z.write(plain.toString().getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        byte[] bytes = out.toByteArray();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int place;
        int at;
        do {
            place = random.nextInt(1_000);
            // The line's start as the stored block holds it (one split by a block's header is not found).
            at = text.indexOf("\"Place " + place + "\",2021-01-04,");
        } while (at < 0);
        int digit = at + ("\"Place " + place + "\",2021-01-04,").length();
        bytes[digit] = (byte) ('a' + random.nextInt(26));
        long line = place + 2;
        boolean labelled = random.nextBoolean();
        SourceException e = assertInstance(gunzipped(bytes, labelled), "seed " + seed);
        assertEquals(SourceException.Kind.CONTENT, e.kind(), e.describe());
        assertEquals(line, e.line(), e.describe());
        assertEquals(AllocationCsv.FIRST_DOSES, e.column(), e.describe());
        assertTrue(e.getMessage().startsWith("the compressed body is damaged (the CRC-32 of gzip member 1 does not "
            + "match its data), so the value refused on line " + line + " may be the damage's doing: '"),
            e.getMessage());
    }

    static LongStream seeds30() {
        return seeds(30);
    }

    /** 1 to 40 bytes that do not start a gzip member. */
    private static byte[] junk(Random random) {
        byte[] junk = new byte[1 + random.nextInt(40)];
        random.nextBytes(junk);
        if (junk[0] == 0x1f) {
            junk[0] = 'x';
        }
        return junk;
    }

    private static byte[] flip(byte[] bytes, int at, Random random) {
        return flip(bytes, at, 1 + random.nextInt(255));
    }

    private static byte[] flip(byte[] bytes, int at, int mask) {
        byte[] copy = bytes.clone();
        copy[at] ^= (byte) mask;
        return copy;
    }

    /**
     * deflate (zlib or bare) is one stream: cut after any byte it is a cut-off body; anything
     * after its end is damage. (InflaterInputStream ignored what followed the stream.)
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds40")
    void aDeflateBodyIsWholeOnlyToItsLastByte(long seed) throws IOException {
        Random random = new Random(seed);
        Body body = body(random);
        String coding = random.nextBoolean() ? "deflate-zlib" : "deflate-raw";
        byte[] compressed = compress(body.bytes(), coding);
        for (int cut = 0; cut < compressed.length; cut++) {
            Object answer = answer(ContentDecoding.decode(new ByteArrayInputStream(compressed, 0, cut),
                List.of("deflate")));
            SourceException e = assertInstance(answer, coding + " cut at " + cut + " of " + compressed.length);
            assertEquals(SourceException.Kind.TRUNCATED, e.kind(), coding + " cut at " + cut + ": " + e.describe());
        }
        SourceException e = assertInstance(answer(ContentDecoding.decode(
            new ByteArrayInputStream(concat(compressed, junk(random))), List.of("deflate"))), coding + " and junk");
        assertEquals(SourceException.Kind.CONTENT, e.kind(), e.describe());
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"br", "zstd", "compress", "x-compress", "lzma", "gzip2"})
    void anEncodingWeCannotDecodeIsSaidSo(String coding) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ContentDecoding.codings("gzip, " + coding));
        assertTrue(e.getMessage().contains("cannot decode"), e.getMessage());
    }

    // ---- headers -------------------------------------------------------------------------------

    /** A column we read named twice (in either spelling): which holds the values is not clear. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds40")
    void aColumnNamedTwiceIsRejectedNamingIt(long seed) {
        Random random = new Random(seed);
        Body body = body(random);
        int twice = random.nextInt(4);
        boolean otherSpelling = random.nextBoolean();
        List<String> header = new ArrayList<>(body.columns());
        String again = (otherSpelling ? (body.quoted() ? EXPORT_COLUMNS : API_COLUMNS) : body.columns()).get(twice);
        header.add(again);
        StringBuilder text = new StringBuilder(body.line(header)).append(body.lineEnd());
        for (Allocation row : body.rows()) {
            List<String> values = new ArrayList<>(body.values(row));
            values.add(values.get(twice));
            text.append(body.line(values)).append(body.lineEnd());
        }
        SourceException e = rejected(text.toString().getBytes(StandardCharsets.UTF_8));
        assertEquals(1L, e.line());
        assertEquals(again, e.column());
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    /**
     * The header again after a row, in either layout and spelling, as two downloads joined into one
     * file: said so at its line, not as its first value that does not read.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds40")
    void theHeaderRepeatedAfterARowIsSaidSo(long seed) {
        Random random = new Random(seed);
        Body body = body(random);
        int line = 3 + random.nextInt(body.rows().size());
        List<String> again = switch (random.nextInt(3)) {
            case 0 -> body.columns();
            case 1 -> body.columns().stream().map(c -> c.toUpperCase(Locale.ROOT)).toList();
            default -> body.columns().stream().map(c -> " " + c).toList();
        };
        List<String> lines = new ArrayList<>(Arrays.asList(body.text().split(body.lineEnd(), -1)));
        lines.add(line - 1, body.line(again));
        SourceException e = rejected(String.join(body.lineEnd(), lines).getBytes(StandardCharsets.UTF_8));
        assertEquals((long) line, e.line(), body + ", header again at line " + line);
        assertEquals("the line repeats the header: two files joined into one?", e.getMessage());
    }

    /** A column missing, or its name left blank: the problem names the column it looked for. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds40")
    void aMissingOrBlankColumnNameIsRejectedNamingIt(long seed) {
        Random random = new Random(seed);
        Body body = body(random);
        int missing = random.nextInt(4);
        List<String> header = new ArrayList<>(body.columns());
        header.set(missing, "");
        SourceException e = rejected(body.withLine(1, body.line(header)));
        assertEquals(1L, e.line());
        assertEquals(AllocationCsvColumns.REQUIRED.get(missing), e.column());
        assertTrue(e.getMessage().startsWith("the header has no column " + AllocationCsvColumns.REQUIRED.get(missing)),
            e.getMessage());
    }

    /** The names AllocationCsv looks for, in header order. */
    private static final class AllocationCsvColumns {
        static final List<String> REQUIRED = List.of(AllocationCsv.JURISDICTION, AllocationCsv.WEEK,
            AllocationCsv.FIRST_DOSES, AllocationCsv.SECOND_DOSES);
    }

    // ---- values --------------------------------------------------------------------------------

    /** Counts that are negative, past any real count, or not whole: the line and column say which. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds120")
    void aPoisonedCountNamesItsLineAndColumn(long seed) {
        Random random = new Random(seed);
        Body body = body(random);
        int lineSeed = random.nextInt(1000);
        int field = 2 + random.nextInt(2);
        String count = poisonedCount(random);
        int line = 2 + lineSeed % body.rows().size();
        List<String> values = new ArrayList<>(body.values(body.rows().get(line - 2)));
        values.set(field, count);
        SourceException e = rejected(body.withLine(line, body.line(values)));
        assertEquals(SourceException.Kind.CONTENT, e.kind(), e.describe());
        assertEquals((long) line, e.line(), e.describe());
        assertEquals(body.columns().get(field), e.column(), e.describe());
    }

    /**
     * A count no source may hold: negative, past any real count, not whole (a fraction of zeros,
     * 41220.0, is whole), or not digits at all.
     */
    private static String poisonedCount(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> "-" + (1 + random.nextInt(Integer.MAX_VALUE));
            case 1 -> Long.toString(100_000_000_001L + Math.floorMod(random.nextLong(), Long.MAX_VALUE - 100_000_000_001L));
            case 2 -> "9" + "0123456789".repeat(2 + random.nextInt(40)).substring(random.nextInt(10));
            default -> List.of("1.5", "1e6", "0x10", "NaN", "Infinity", "+5", "", "   ", "1_000", "\u0661\u0662\u0663",
                "\uff15", "12 000", "0.5").get(random.nextInt(13));
        };
    }

    /** Lines with many fields, up to thousands: never a crash, always that line, in our words. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds40")
    void aLineWithThousandsOfFieldsNamesTheLine(long seed) {
        Random random = new Random(seed);
        Body body = body(random);
        int lineSeed = random.nextInt(1000);
        int fields = random.nextBoolean() ? 5 + random.nextInt(600) : 5 + random.nextInt(100_000);
        int line = 2 + lineSeed % body.rows().size();
        String wide = String.join(",", java.util.Collections.nCopies(fields, "1"));
        SourceException e = rejected(body.withLine(line, wide));
        assertEquals(SourceException.Kind.CONTENT, e.kind(), e.describe());
        assertEquals((long) line, e.line(), e.describe());
        String expected = fields <= UnivocityCsv.MAX_COLUMNS ? "the row has " + fields + " fields, the header has 4"
            : "the line has more than " + UnivocityCsv.MAX_COLUMNS + " fields";
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    // ---- anything at all -----------------------------------------------------------------------

    /**
     * Random damage (bytes inserted, deleted or replaced, lines repeated, dropped or swapped):
     * whatever the body has become, the answer is rows, or a SourceException in our words naming
     * a line of the body. Never another exception.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds400")
    void anyDamageIsRowsOrASourceErrorNamingALine(long seed) {
        Random random = new Random(seed);
        Body body = body(random);
        byte[] bytes = body.bytes();
        for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
            bytes = mutate(bytes, random);
        }
        Object answer = answer(bytes);
        if (answer instanceof SourceException e && e.line() != null) {
            long lines = 1 + new String(bytes, StandardCharsets.ISO_8859_1).chars().filter(c -> c == '\n').count();
            assertTrue(e.line() >= 1 && e.line() <= lines + 1, "line " + e.line() + " of " + lines + ": " + e.describe());
        }
    }

    private static byte[] mutate(byte[] bytes, Random random) {
        if (bytes.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        int at = random.nextInt(bytes.length);
        byte[] interesting = {'"', ',', '\n', '\r', 0, 0x1f, '-', '9', (byte) 0xff, (byte) 0xc3, ' ', '*'};
        byte b = random.nextBoolean() ? interesting[random.nextInt(interesting.length)] : (byte) random.nextInt(256);
        return switch (random.nextInt(6)) {
            case 0 -> concat(Arrays.copyOf(bytes, at), new byte[] {b}, Arrays.copyOfRange(bytes, at, bytes.length));
            case 1 -> concat(Arrays.copyOf(bytes, at), Arrays.copyOfRange(bytes, at + 1, bytes.length));
            case 2 -> {
                byte[] copy = bytes.clone();
                copy[at] = b;
                yield copy;
            }
            case 3 -> Arrays.copyOf(bytes, at); // cut
            case 4 -> concat(bytes, Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 1 + random.nextInt(80))));
            default -> {
                String text = new String(bytes, StandardCharsets.ISO_8859_1);
                List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
                int i = random.nextInt(lines.size());
                int j = random.nextInt(lines.size());
                String line = lines.get(i);
                lines.set(i, lines.get(j));
                lines.set(j, line);
                yield String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
            }
        };
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static SourceException assertInstance(Object answer, String where) {
        assertNotNull(answer, where);
        if (answer instanceof SourceException e) {
            return e;
        }
        return fail(where + ": accepted " + answer);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.write(part, 0, part.length);
        }
        return out.toByteArray();
    }
}
