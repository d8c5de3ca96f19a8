package dev.statedoses.warehouse;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * The PostgreSQL warehouse: a connection pool, JDBI over it, and the schema brought up to date by
 * the versioned migrations in {@code db/migration} before anything else touches it.
 */
public final class Warehouse implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final AutoCloseable owned;

    private Warehouse(HikariDataSource dataSource, AutoCloseable owned) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.owned = owned;
    }

    /**
     * Connects to the warehouse at {@code jdbcUrl} and migrates it. {@code owned} is closed with
     * the warehouse (the embedded server, when this process runs one).
     */
    public static Warehouse connect(String jdbcUrl, String user, String password, AutoCloseable owned) {
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("warehouse");
        pool.setJdbcUrl(jdbcUrl);
        pool.setUsername(user);
        pool.setPassword(password);
        pool.setMaximumPoolSize(8);
        // A dead warehouse must fail a request within seconds, not hang it; connections are
        // validated before use, so the pool heals by itself when the warehouse is back.
        pool.setConnectionTimeout(3_000);
        pool.setValidationTimeout(1_000);
        pool.setKeepaliveTime(30_000);
        pool.addDataSourceProperty("connectTimeout", "3");
        pool.addDataSourceProperty("tcpKeepAlive", "true");
        pool.addDataSourceProperty("ApplicationName", "state-doses");
        HikariDataSource dataSource = new HikariDataSource(pool);
        try {
            Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Warehouse(dataSource, owned);
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        dataSource.close();
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close " + owned, e);
            }
        }
    }
}
