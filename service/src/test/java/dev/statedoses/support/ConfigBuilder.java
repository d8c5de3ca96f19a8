package dev.statedoses.support;

import dev.statedoses.Config;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A copy of a Config with some parts changed, for tests: another warehouse, other sources, a
 * token. The service itself only ever reads its Config from the environment, so these copies live
 * here rather than as {@code with*} methods on Config.
 */
public final class ConfigBuilder {

    private int port;
    private String dbHost;
    private int dbPort;
    private String dbName;
    private String dbUser;
    private String dbPassword;
    private final Path dwhDir;
    private URI modernaUrl;
    private URI pfizerUrl;
    private URI countyPopulationUrl;
    private Duration sourceTimeout;
    private long sourceMaxBytes;
    private String refreshToken;
    private String dbParams;
    private Duration refreshInterval;
    private List<String> corsOrigins;
    private String readerPassword;
    private Integer runLogDays;

    private ConfigBuilder(Config config) {
        port = config.port();
        dbHost = config.dbHost();
        dbPort = config.dbPort();
        dbName = config.dbName();
        dbUser = config.dbUser();
        dbPassword = config.dbPassword();
        dwhDir = config.dwhDir();
        modernaUrl = config.modernaUrl();
        pfizerUrl = config.pfizerUrl();
        countyPopulationUrl = config.countyPopulationUrl();
        sourceTimeout = config.sourceTimeout();
        sourceMaxBytes = config.sourceMaxBytes();
        refreshToken = config.refreshToken();
        dbParams = config.dbParams();
        refreshInterval = config.refreshInterval();
        corsOrigins = config.corsOrigins();
        readerPassword = config.readerPassword();
        runLogDays = config.runLogDays();
    }

    /** Starts from {@code config}: every part not changed stays as it is there. */
    public static ConfigBuilder from(Config config) {
        return new ConfigBuilder(config);
    }

    public Config build() {
        return new Config(port, dbHost, dbPort, dbName, dbUser, dbPassword, dwhDir, modernaUrl, pfizerUrl,
            countyPopulationUrl, sourceTimeout, sourceMaxBytes, refreshToken, dbParams, refreshInterval, corsOrigins,
            readerPassword, runLogDays);
    }

    /** RUN_LOG_DAYS; null: the run log keeps every run. */
    public ConfigBuilder runLogDays(Integer days) {
        runLogDays = days;
        return this;
    }

    /** Another port to serve on (0: any free one). */
    public ConfigBuilder port(int newPort) {
        port = newPort;
        return this;
    }

    /** Another warehouse; for tests that bring their own PostgreSQL. */
    public ConfigBuilder database(String host, int hostPort, String name, String user, String password) {
        dbHost = host;
        dbPort = hostPort;
        dbName = name;
        dbUser = user;
        dbPassword = password;
        return this;
    }

    /** Reads the three sources from other URLs. */
    public ConfigBuilder sources(URI moderna, URI pfizer, URI countyPopulation) {
        modernaUrl = moderna;
        pfizerUrl = pfizer;
        countyPopulationUrl = countyPopulation;
        return this;
    }

    /** Reads the Moderna allocations from another URL; the other sources stay. */
    public ConfigBuilder moderna(URI url) {
        modernaUrl = url;
        return this;
    }

    /** Reads the Pfizer allocations from another URL; the other sources stay. */
    public ConfigBuilder pfizer(URI url) {
        pfizerUrl = url;
        return this;
    }

    /** Reads the county populations from another URL; the other sources stay. */
    public ConfigBuilder countyPopulation(URI url) {
        countyPopulationUrl = url;
        return this;
    }

    /** Other limits on fetching a source. */
    public ConfigBuilder sourceLimits(Duration timeout, long maxBytes) {
        sourceTimeout = timeout;
        sourceMaxBytes = maxBytes;
        return this;
    }

    /** Requires {@code token} to refresh (null: refresh is open). */
    public ConfigBuilder refreshToken(String token) {
        refreshToken = token;
        return this;
    }

    /** Refreshes by itself every {@code interval} (null: no schedule). */
    public ConfigBuilder refreshInterval(Duration interval) {
        refreshInterval = interval;
        return this;
    }

    /** Other JDBC connection parameters (DB_PARAMS; "" for none). */
    public ConfigBuilder dbParams(String params) {
        dbParams = params;
        return this;
    }

    /**
     * Lets pages of {@code origins} (or {@code *}) read the API, given as CORS_ORIGINS takes them:
     * read through Config itself, so they are checked and normalised exactly as the service does.
     */
    public ConfigBuilder corsOrigins(String origins) {
        corsOrigins = Config.fromEnvironment(Map.of("CORS_ORIGINS", origins)).corsOrigins();
        return this;
    }

    /** Gives the read-only role dwh_reader {@code password} (null: leaves it as it is). */
    public ConfigBuilder readerPassword(String password) {
        readerPassword = password;
        return this;
    }
}
