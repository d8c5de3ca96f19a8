package dev.statedoses;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.statedoses.ops.Ops;
import dev.statedoses.ratio.ProductCache;
import dev.statedoses.ratio.RatioController;
import dev.statedoses.ratio.RatioRepository;
import dev.statedoses.ratio.SnapshotReads;
import dev.statedoses.refresh.RefreshController;
import dev.statedoses.refresh.RefreshRunRepository;
import dev.statedoses.refresh.RefreshRunsController;
import dev.statedoses.refresh.RefreshService;
import dev.statedoses.source.AllocationCsv;
import dev.statedoses.source.CountyPopulationCsv;
import dev.statedoses.source.CsvFormat;
import dev.statedoses.source.SourceFetcher;
import dev.statedoses.source.SourceName;
import dev.statedoses.source.UnivocityCsv;
import dev.statedoses.warehouse.EmbeddedWarehouse;
import dev.statedoses.warehouse.ReaderRole;
import dev.statedoses.warehouse.Warehouse;
import dev.statedoses.web.CrossOrigin;
import dev.statedoses.web.ProductResponse;
import dev.statedoses.web.RefreshAccess;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Map;

/** Builds the service's parts from a {@link Config}, once; the CLI, the server and the tests share it. */
public final class Wiring implements AutoCloseable {

    private final Warehouse warehouse;
    private final RefreshService refreshes;
    private final RatioRepository ratios;
    private final ObjectMapper json;
    private final RefreshAccess access;
    private final CrossOrigin crossOrigin;
    private final Ops ops;

    private Wiring(Warehouse warehouse, RefreshService refreshes, RatioRepository ratios, ObjectMapper json,
                   RefreshAccess access, CrossOrigin crossOrigin) {
        this.warehouse = warehouse;
        this.refreshes = refreshes;
        this.ratios = ratios;
        this.json = json;
        this.access = access;
        this.crossOrigin = crossOrigin;
        // This instance's metrics registry (no global one): GET /metrics serves it.
        this.ops = Ops.create(warehouse, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public static Wiring start(Config config) {
        Warehouse warehouse = connect(config);
        try {
            ReaderRole.ensure(warehouse.dataSource(), config.readerPassword());
            CsvFormat csv = new UnivocityCsv();
            RefreshService refreshes = new RefreshService(
                warehouse.jdbi(),
                new SourceFetcher(config.sourceTimeout(), config.sourceMaxBytes(), BuildInfo.userAgent()),
                new AllocationCsv(csv),
                new CountyPopulationCsv(csv),
                Map.of(SourceName.MODERNA, config.modernaUrl(),
                    SourceName.PFIZER, config.pfizerUrl(),
                    SourceName.POPULATION, config.countyPopulationUrl()),
                Clock.systemUTC());
            refreshes.closeAbandonedRuns();
            return new Wiring(warehouse, refreshes, new RatioRepository(warehouse.jdbi()), objectMapper(),
                new RefreshAccess(config.refreshToken()), CrossOrigin.allowing(config.corsOrigins()));
        } catch (RuntimeException e) {
            warehouse.close(); // an embedded warehouse stops with it
            throw e;
        }
    }

    private static Warehouse connect(Config config) {
        if (config.embeddedWarehouse()) {
            EmbeddedWarehouse embedded = EmbeddedWarehouse.start(config.dwhDir(), config.dbPort(), config.dbName());
            try {
                return Warehouse.connect(jdbcUrl("127.0.0.1", embedded.port(), config.dbName()),
                    EmbeddedWarehouse.USER, "", embedded);
            } catch (RuntimeException e) {
                embedded.close();
                throw e;
            }
        }
        return Warehouse.connect(jdbcUrl(config.dbHost(), config.dbPort(), config.dbName()),
            config.dbUser(), config.dbPassword(), null);
    }

    private static String jdbcUrl(String host, int port, String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** JSON as the API and README show it: snake_case fields, ISO-8601 times. */
    public static ObjectMapper objectMapper() {
        return new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    }

    /**
     * The HTTP service. It serves the product from a snapshot in memory, loaded now and reloaded
     * after every refresh: this process's own at once, another process's when its NOTIFY arrives.
     */
    public Javalin app() {
        ProductResponse responses = new ProductResponse(json);
        ProductCache product = new ProductCache(ratios, responses);
        product.reload();
        refreshes.onRefreshed(product::reload);
        warehouse.onProductChange(product::reload);
        return App.create(new App.Controllers(
            new RatioController(ratios, product, responses),
            new SnapshotReads(product, ops::logRequest, crossOrigin),
            new RefreshController(refreshes, access),
            new RefreshRunsController(new RefreshRunRepository(warehouse.jdbi())),
            ops, crossOrigin), json);
    }

    public RefreshService refreshes() {
        return refreshes;
    }

    /** Whether anyone may trigger a refresh over HTTP (no REFRESH_TOKEN). */
    public boolean refreshIsOpen() {
        return access.open();
    }

    public RatioRepository ratios() {
        return ratios;
    }

    public Warehouse warehouse() {
        return warehouse;
    }

    @Override
    public void close() {
        refreshes.close();
        ops.close();
        warehouse.close();
    }
}
