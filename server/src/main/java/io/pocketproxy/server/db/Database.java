package io.pocketproxy.server.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementException;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The connection pool and the JDBI entry point over it. JDBC blocks, so it is called only from request
 * threads (virtual threads) and background tasks, never from an event loop.
 *
 * <p>A server's pool is {@link Waits#BOUNDED bounded}: when PostgreSQL is down or hung, a caller learns it within
 * about two seconds (no connection to lend: {@link DatabaseUnavailable#is}) instead of hanging, and a statement
 * that was running when PostgreSQL stopped answering fails after {@link #STATEMENT_WAIT}. Migrations and imports,
 * whose statements may rightly run for minutes, wait as long as they need.
 */
public final class Database implements AutoCloseable {

    private static final String HIKARI_ALIVE_BYPASS = "com.zaxxer.hikari.aliveBypassWindowMs";

    /** How long a statement may go without a byte from PostgreSQL in a bounded pool. */
    public static final Duration STATEMENT_WAIT = Duration.ofSeconds(15);

    private static final int POOL_SIZE = 10;
    private static final Duration CONNECTION_WAIT = Duration.ofSeconds(2);

    static {
        // HikariCP lends a connection used within the last 500 ms without testing it, and a statement on a connection
        // to a server that just hung waits out the whole statement wait. Testing every connection before it is lent
        // costs one loopback round trip and makes every caller after a hang learn it within the connection wait. It
        // is a system property read once, when HikariCP's pool class loads: this class is loaded before any pool.
        if (System.getProperty(HIKARI_ALIVE_BYPASS) == null) {
            System.setProperty(HIKARI_ALIVE_BYPASS, "0");
        }
    }

    /** How long a caller may wait for the database. */
    public enum Waits {
        /** The server: about two seconds for a connection, {@link #STATEMENT_WAIT} for a statement. */
        BOUNDED,
        /** Migrations and imports: a statement runs as long as it takes. */
        UNBOUNDED
    }

    private final HikariDataSource dataSource;
    private final DatabaseSettings settings;
    private final Jdbi jdbi;

    private Database(HikariDataSource dataSource, DatabaseSettings settings) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.jdbi = Jdbi.create(dataSource);
        // JDBI puts a failed statement's bound values into its exception message by default, and so into any log
        // that records the failure: password hashes, webhook secrets. The statement's text is enough to find it.
        jdbi.getConfig(StatementExceptions.class).setMessageRendering(Database::statementOnly);
    }

    /** A server's pool: bounded waits. */
    public static Database open(DatabaseSettings settings, MeterRegistry registry) {
        return open(settings, registry, Waits.BOUNDED);
    }

    /** Opens the pool, failing at once with a clear message if the database cannot be reached. */
    public static Database open(DatabaseSettings settings, MeterRegistry registry, Waits waits) {
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
        config.addDataSourceProperty("ApplicationName", "pocketproxy");
        if (waits == Waits.BOUNDED) {
            long connectionWait = CONNECTION_WAIT.toMillis();
            config.setConnectionTimeout(connectionWait);
            // A connection idle for a moment is tested before it is lent: a hung server fails the test in a second
            // and the pool tries another, all within the connection wait.
            config.setValidationTimeout(connectionWait / 2);
            // A new connection to a hung server: the TCP connect succeeds (the kernel answers), the login never does.
            config.addDataSourceProperty("connectTimeout", Long.toString(CONNECTION_WAIT.toSeconds()));
            config.addDataSourceProperty("loginTimeout", Long.toString(CONNECTION_WAIT.toSeconds()));
            config.addDataSourceProperty("socketTimeout", Long.toString(STATEMENT_WAIT.toSeconds()));
        } else {
            config.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
        }
        // PostgreSQL's DETAIL can quote a whole failing row ("Failing row contains (..., $2a$12$..., whsec_...)");
        // the driver leaves it out of exception messages with this.
        config.addDataSourceProperty("logServerErrorDetail", "false");
        if (registry != null) {
            config.setMetricRegistry(registry);
        }
        try {
            return new Database(new HikariDataSource(config), settings);
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
        flyway(dataSource).migrate();
    }

    private static Flyway flyway(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .failOnMissingLocations(true)
                .load();
    }

    /**
     * Fails, saying what to do, unless the schema is exactly the one this version's migrations make. For what must
     * never migrate (a relay): pointed at the wrong database, it would otherwise start on an empty one.
     */
    public void requireCurrentSchema(String needsIt) {
        MigrationInfoService schema = flyway(dataSource).info();
        MigrationInfo current = schema.current();
        String database = DatabaseUrls.masked(settings.jdbcUrl());
        if (current == null) {
            throw new IllegalStateException(database + " holds no PocketProxy schema (is it the server's database?);"
                    + " run `pocketproxy migrate` on it or start a server first");
        }
        MigrationInfo[] pending = schema.pending();
        if (pending.length > 0) {
            throw new IllegalStateException(database + " holds schema version " + current.getVersion() + " and "
                    + needsIt + " needs version " + pending[pending.length - 1].getVersion()
                    + "; run `pocketproxy migrate` on it or start a server of this version first");
        }
        if (current.getState() == MigrationState.FUTURE_SUCCESS) {
            throw new IllegalStateException(database + " holds schema version " + current.getVersion() + ", newer than "
                    + needsIt + " knows; run " + needsIt + " of the server's version");
        }
    }

    /**
     * Brings the schema up to date over a connection of its own, without the pool's statement wait: creating an
     * index on a large table may rightly take minutes.
     */
    public void migrate() {
        PGSimpleDataSource unbounded = new PGSimpleDataSource();
        unbounded.setURL(settings.jdbcUrl());
        if (settings.user() != null) {
            unbounded.setUser(settings.user());
        }
        if (settings.password() != null) {
            unbounded.setPassword(settings.password());
        }
        unbounded.setApplicationName("pocketproxy-migrate");
        unbounded.setLogServerErrorDetail(false);
        migrate(unbounded);
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
