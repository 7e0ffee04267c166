package io.pocketproxy.server.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementException;
import org.jdbi.v3.core.statement.StatementExceptions;

/**
 * The connection pool and the JDBI entry point over it. JDBC blocks, so it is called only from request
 * threads (virtual threads) and background tasks, never from an event loop.
 */
public final class Database implements AutoCloseable {

    private static final int POOL_SIZE = 10;

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        // JDBI puts a failed statement's bound values into its exception message by default, and so into any log
        // that records the failure: password hashes, webhook secrets. The statement's text is enough to find it.
        jdbi.getConfig(StatementExceptions.class).setMessageRendering(Database::statementOnly);
    }

    /** Opens the pool, failing at once with a clear message if the database cannot be reached. */
    public static Database open(DatabaseSettings settings, MeterRegistry registry) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("pocketproxy");
        config.setJdbcUrl(settings.jdbcUrl());
        if (settings.user() != null) {
            config.setUsername(settings.user());
        }
        if (settings.password() != null) {
            config.setPassword(settings.password());
        }
        config.setMaximumPoolSize(POOL_SIZE);
        config.setConnectionTimeout(10_000);
        config.addDataSourceProperty("ApplicationName", "pocketproxy");
        // PostgreSQL's DETAIL can quote a whole failing row ("Failing row contains (..., $2a$12$..., whsec_...)");
        // the driver leaves it out of exception messages with this.
        config.addDataSourceProperty("logServerErrorDetail", "false");
        if (registry != null) {
            config.setMetricRegistry(registry);
        }
        try {
            return new Database(new HikariDataSource(config));
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException(
                    "cannot connect to PostgreSQL at " + DatabaseUrls.masked(settings.jdbcUrl()) + ": "
                            + cause.getMessage(),
                    e);
        }
    }

    /** What went wrong, and in which statement: JDBI's short form without the bound values. */
    private static String statementOnly(StatementException failure) {
        StatementContext context = failure.getStatementContext();
        String sql = context == null ? null : context.getRenderedSql();
        return sql == null ? failure.getShortMessage() : failure.getShortMessage() + " [statement: \"" + sql + "\"]";
    }

    /** Brings the schema up to date (Flyway, {@code db/migration/V<n>__<what>.sql}). */
    public static void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .failOnMissingLocations(true)
                .load()
                .migrate();
    }

    public void migrate() {
        migrate(dataSource);
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
    }
}
