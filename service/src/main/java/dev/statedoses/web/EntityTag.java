package dev.statedoses.web;

import dev.statedoses.util.Sha256;
import java.util.Arrays;
import java.util.List;

/**
 * Entity tags (RFC 9110, section 8.8.3): strong ones taken from the bytes sent, and If-None-Match
 * and If-Match read as the RFC asks.
 */
public final class EntityTag {

    private EntityTag() {
    }

    /** A strong validator taken from the very bytes sent: it changes exactly when they do. */
    public static String of(byte[] bytes) {
        return ofDigest(Sha256.hex(bytes));
    }

    /** The same, from the SHA-256 (hex) of bytes that streamed past. */
    public static String ofDigest(String sha256Hex) {
        return "\"" + sha256Hex.substring(0, 32) + "\"";
    }

    /** Whether an If-None-Match header names {@code etag} (weak comparison, as RFC 9110 asks) or is {@code *}. */
    public static boolean matches(String ifNoneMatch, String etag) {
        return names(ifNoneMatch, etag, true);
    }

    /**
     * Whether an If-Match header names {@code etag} or is {@code *}. If-Match compares strongly
     * (RFC 9110, 13.1.1): a weak tag names no version, so {@code W/"x"} never matches, whatever x.
     */
    public static boolean matchesStrongly(String ifMatch, String etag) {
        return names(ifMatch, etag, false);
    }

    /**
     * The members of a list header ({@code tags}), without the empty ones, which do not count
     * (RFC 9110, 5.6.1): {@code ,} and an empty value are both a list of none.
     */
    private static List<String> members(String tags) {
        return Arrays.stream(tags.split(",")).map(String::strip).filter(tag -> !tag.isEmpty()).toList();
    }

    /**
     * Whether the list {@code tags} is {@code *} or has {@code etag}; a {@code W/} tag counts only
     * if {@code weak}. {@code *} is the whole value or nothing (RFC 9110, 13.1.1 and 13.1.2: the
     * field is {@code *} or a list of tags): inside a list, {@code "stale", *} matched any version.
     */
    private static boolean names(String tags, String etag, boolean weak) {
        List<String> members = members(tags);
        if (members.equals(List.of("*"))) {
            return true;
        }
        for (String member : members) {
            String tag = weak && member.startsWith("W/") ? member.substring(2) : member;
            if (tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
