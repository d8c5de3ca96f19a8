package dev.statedoses.source;

import java.util.List;
import java.util.Locale;

/**
 * Tells from a body's first bytes whether it is text we can read (UTF-8, or Latin-1, or plain
 * ASCII) or something else that would otherwise reach the CSV reader as garbage: UTF-16 or UTF-32
 * (with or without a byte-order mark), an archive, workbook or other file of a known format, or a
 * binary file. The sources are ASCII with a few Latin
 * letters, so the signs are plain: a byte-order mark, or NUL bytes, which text never has.
 */
final class TextEncoding {

    /** How much of the body's start is looked at. */
    static final int SNIFF_BYTES = 512;

    /** A kind of file a source's URL may serve instead of CSV text, told by its first bytes. */
    private record Format(String name, int... magic) {
    }

    /**
     * What a source may be in place of CSV text, named as an operator knows it: a workbook or an
     * archive someone saved or packed the file as, or a file of another format at the URL.
     * (gzip, which a source may be, is decoded before this looks: {@link CompressedBody}.)
     */
    private static final List<Format> FORMATS = List.of(
        new Format("a ZIP archive (an .xlsx workbook or a .zip file?)", 'P', 'K', 0x03, 0x04),
        new Format("an empty ZIP archive", 'P', 'K', 0x05, 0x06),
        new Format("a bzip2 archive (a .bz2 file?)", 'B', 'Z', 'h'),
        new Format("an xz archive (an .xz file?)", 0xfd, '7', 'z', 'X', 'Z', 0x00),
        new Format("a Zstandard archive (a .zst file?)", 0x28, 0xb5, 0x2f, 0xfd),
        new Format("a 7-Zip archive (a .7z file?)", '7', 'z', 0xbc, 0xaf, 0x27, 0x1c),
        new Format("an Excel 97-2003 workbook (an .xls file?)", 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1),
        new Format("a PDF document", '%', 'P', 'D', 'F', '-'),
        new Format("a Parquet file", 'P', 'A', 'R', '1'),
        new Format("an SQLite database", 'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f', 'o', 'r', 'm', 'a', 't', ' ', '3', 0));

    private TextEncoding() {
    }

    /**
     * Null when the first {@code length} bytes of {@code head} (the whole body, if shorter than
     * {@link #SNIFF_BYTES}) can be read as text; otherwise what the body is, in an operator's words.
     */
    static String problem(byte[] head, int length) {
        if (startsWith(head, length, 0x00, 0x00, 0xfe, 0xff) || startsWith(head, length, 0xff, 0xfe, 0x00, 0x00)) {
            return "the body is UTF-32 (it starts with a UTF-32 byte-order mark): UTF-32 is not supported, "
                + "save the file as UTF-8";
        }
        if (startsWith(head, length, 0xfe, 0xff)) {
            return utf16("big-endian, with a byte-order mark");
        }
        if (startsWith(head, length, 0xff, 0xfe)) {
            return utf16("little-endian, with a byte-order mark");
        }
        for (Format format : FORMATS) {
            if (startsWith(head, length, format.magic())) {
                return "the body is " + format.name() + ", not CSV text";
            }
        }
        int evenNuls = 0;
        int oddNuls = 0;
        for (int i = 0; i < length; i++) {
            if (head[i] == 0) {
                if (i % 2 == 0) {
                    evenNuls++;
                } else {
                    oddNuls++;
                }
            }
        }
        // UTF-16 writes ASCII as one NUL and one letter: NULs in every other byte, on one side.
        int pairs = length / 2;
        if (pairs >= 2 && evenNuls >= pairs * 0.4 && oddNuls <= pairs * 0.05) {
            return utf16("big-endian, without a byte-order mark");
        }
        if (pairs >= 2 && oddNuls >= pairs * 0.4 && evenNuls <= pairs * 0.05) {
            return utf16("little-endian, without a byte-order mark");
        }
        // A NUL or two is damage in a text file, which the reader reports by line and column; a
        // body full of them is not text at all.
        if (evenNuls + oddNuls >= Math.max(4, length / 20)) {
            return "the body holds " + (evenNuls + oddNuls) + " NUL bytes in its first " + length + " bytes: it is "
                + "binary, not CSV text (it starts with " + hex(head, length) + ")";
        }
        return null;
    }

    private static String utf16(String which) {
        return "the body is UTF-16 (" + which + "): UTF-16 is not supported, save the file as UTF-8";
    }

    private static boolean startsWith(byte[] head, int length, int... prefix) {
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((head[i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] head, int length) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(length, 8); i++) {
            out.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%02X", head[i] & 0xff));
        }
        return out.toString();
    }
}
