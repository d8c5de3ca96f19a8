package dev.statedoses.warehouse;

import dev.statedoses.util.Resources;
import java.nio.charset.StandardCharsets;

/** SQL lives in resource files under {@code sql/}, where it can be read and run by hand. */
public final class Sql {

    private Sql() {
    }

    public static String load(String name) {
        String path = "/sql/" + name;
        return Resources.find(path).map(bytes -> new String(bytes, StandardCharsets.UTF_8))
            .orElseThrow(() -> new IllegalStateException("missing SQL resource " + path));
    }
}
