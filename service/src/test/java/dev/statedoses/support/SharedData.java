package dev.statedoses.support;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.statedoses.Config;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real sources the acceptance tests read: ../shared/data beside the repository (outside it,
 * never copied into it; the tests run in service/), or the folder SHARED_DATA_DIR names.
 */
public final class SharedData {

    public static final String MODERNA = "cdc-moderna-covid-19-vaccine-distribution-by-state.csv";
    public static final String PFIZER = "cdc-pfizer-covid-19-vaccine-distribution-by-state.csv";
    public static final String COUNTIES = "County_Population.csv";

    private SharedData() {
    }

    /** The folder of the real files, whether or not it is there. */
    public static Path dir() {
        String override = System.getenv("SHARED_DATA_DIR");
        return (override != null ? Path.of(override) : Path.of("..", "..", "shared", "data"))
            .toAbsolutePath().normalize();
    }

    /**
     * The service's configuration on a new database, its three sources the real files of
     * {@code data} served by {@code upstream} at /m.csv, /p.csv and /c.csv.
     */
    public static Config served(FixtureServer upstream, Path data) {
        return ConfigBuilder.from(TestWarehouse.newDatabase()).sources(upstream.serveFile("/m.csv", data.resolve(MODERNA)),
            upstream.serveFile("/p.csv", data.resolve(PFIZER)), upstream.serveFile("/c.csv", data.resolve(COUNTIES)))
            .build();
    }

    /** Skips the calling test where the folder is absent, saying so (on stderr, as {@code test}) and why. */
    public static void assumePresent(String test) {
        Path data = dir();
        if (!Files.isDirectory(data)) {
            String why = "skipped: the real data is not at " + data + " (set SHARED_DATA_DIR to run this acceptance test)";
            System.err.println(test + ": " + why);
            assumeTrue(false, why);
        }
    }
}
