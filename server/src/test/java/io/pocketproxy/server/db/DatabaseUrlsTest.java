package io.pocketproxy.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseUrlsTest {

    @Test
    void takesJdbcUrlsAsTheyAre() {
        DatabaseSettings settings = DatabaseUrls.parse("jdbc:postgresql://db.internal:5433/pp?user=pp&password=s3cret");

        assertThat(settings.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5433/pp?user=pp&password=s3cret");
        assertThat(settings.user()).isNull();
    }

    @Test
    void turnsLibpqUrlsIntoJdbcWithCredentialsApart() {
        DatabaseSettings settings =
                DatabaseUrls.parse("postgresql://pp:p%40ss@db.internal:5433/pocketproxy?sslmode=require");

        assertThat(settings.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5433/pocketproxy?sslmode=require");
        assertThat(settings.user()).isEqualTo("pp");
        assertThat(settings.password()).isEqualTo("p@ss");
    }

    @Test
    void defaultsTheDatabaseAndPortOfALibpqUrl() {
        assertThat(DatabaseUrls.parse("postgres://pp@db").jdbcUrl()).isEqualTo("jdbc:postgresql://db/postgres");
    }

    @Test
    void masksPasswordsInEitherForm() {
        assertThat(DatabaseUrls.masked("jdbc:postgresql://db/pp?user=pp&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/pp?user=pp&password=****&ssl=true");
        assertThat(DatabaseUrls.masked("postgresql://pp:s3cret@db:5432/pp"))
                .isEqualTo("postgresql://pp:****@db:5432/pp");
        assertThat(DatabaseUrls.parse("postgresql://pp:s3cret@db/pp").toString())
                .doesNotContain("s3cret");
    }

    /** Operators paste passwords unencoded: an {@code @}, {@code /} or {@code ?} in one must not cut the mask short. */
    @Test
    void masksAPasswordHoldingCharactersAUrlReserves() {
        for (String password : new String[] {"p@ss", "p@ss@word", "p/ss@x", "p?ss", "p:ss", "p#ss@"}) {
            String url = "postgresql://pp:" + password + "@db:5432/pp";
            assertThat(DatabaseUrls.masked(url)).as(url).doesNotContain(password.substring(1));
            assertThat(whatParseSays(url)).as(url).doesNotContain(password.substring(1));
        }
        assertThat(DatabaseUrls.masked("jdbc:postgresql://db/pp?password=s3cret"))
                .doesNotContain("s3cret");
    }

    @Test
    void refusesOtherSchemesWithoutShowingThePassword() {
        assertThatThrownBy(() -> DatabaseUrls.parse("mysql://root:s3cret@db/pp"))
                .hasMessageContaining("expected: jdbc:postgresql://")
                .message()
                .doesNotContain("s3cret");
    }

    /** What parsing {@code url} shows: the settings it read, or the error it refused the URL with. */
    private static String whatParseSays(String url) {
        try {
            return DatabaseUrls.parse(url).toString();
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
