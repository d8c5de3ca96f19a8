package dev.statedoses;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

/**
 * The process environment read as typed values: how a variable's text becomes a number or a URL,
 * and the error that names the variable when it cannot. Config says which variables there are and
 * what they default to; this is the part every variable shares. Values are stripped, and a blank
 * one counts as unset.
 */
final class Environment {

    private final Map<String, String> variables;

    Environment(Map<String, String> variables) {
        this.variables = variables;
    }

    /** The value exactly as given, blank or not; null when unset. For the rules that tell blank from unset. */
    String raw(String name) {
        return variables.get(name);
    }

    /** The stripped value, or null when unset or blank. */
    String optional(String name) {
        String value = variables.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    String text(String name, String fallback) {
        String value = optional(name);
        return value == null ? fallback : value;
    }

    int integer(String name, int fallback, int min, int max) {
        long value = longInteger(name, fallback);
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", not " + value);
        }
        return (int) value;
    }

    long longInteger(String name, long fallback) {
        String value = optional(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
        }
    }

    URI url(String name, String fallback) {
        String value = text(name, fallback);
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(name + " is not a URL: " + e.getMessage());
        }
    }
}
