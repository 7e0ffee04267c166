package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.pocketproxy.testkit.ApiClient;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UsersApiTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @Test
    void adminCreatesAnOperatorWhoCanSignIn() {
        ApiClient.Response created = server.admin()
                .post(
                        "/api/users",
                        Map.of(
                                "email",
                                "Alice@Example.com",
                                "password",
                                "correct horse battery",
                                "name",
                                "Alice",
                                "role",
                                "operator"));

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("email").asText()).isEqualTo("alice@example.com");
        assertThat(created.json().get("role").asText()).isEqualTo("operator");
        assertThat(created.json().get("id").asText()).isNotBlank();
        assertThat(created.body()).doesNotContain("correct horse battery").doesNotContain("password");
        ApiClient alice = server.anonymous().login("alice@example.com", "correct horse battery");
        assertThat(alice.get("/api/me").json().get("name").asText()).isEqualTo("Alice");
    }

    @Test
    void storesOnlyABcryptHashOfCost12() {
        server.admin()
                .post(
                        "/api/users",
                        Map.of(
                                "email",
                                "bob@example.com",
                                "password",
                                "bobs password 1",
                                "name",
                                "Bob",
                                "role",
                                "operator"));

        String hash = server.jdbi()
                .withHandle(
                        handle -> handle.createQuery("SELECT password_hash FROM users WHERE email = 'bob@example.com'")
                                .mapTo(String.class)
                                .one());
        assertThat(hash).matches("\\$2[aby]\\$12\\$.{53}").doesNotContain("bobs password 1");
        assertThat(BCrypt.verifyer().verify("bobs password 1".toCharArray(), hash).verified)
                .isTrue();
    }

    @Test
    void operatorsCannotCreateUsers() {
        RunningServer.Operator operator = server.newOperator();

        ApiClient.Response response = operator.api()
                .post(
                        "/api/users",
                        Map.of(
                                "email",
                                "mallory@example.com",
                                "password",
                                "mallorys password",
                                "name",
                                "Mallory",
                                "role",
                                "admin"));

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.json().get("code").asText()).isEqualTo("forbidden");
        assertThat(userCount("mallory@example.com")).isZero();
    }

    @Test
    void refusesADuplicateEmailWhateverItsCase() {
        server.admin()
                .post(
                        "/api/users",
                        Map.of(
                                "email",
                                "carol@example.com",
                                "password",
                                "carols password",
                                "name",
                                "Carol",
                                "role",
                                "operator"));

        ApiClient.Response again = server.admin()
                .post(
                        "/api/users",
                        Map.of(
                                "email",
                                "CAROL@example.com",
                                "password",
                                "another password",
                                "name",
                                "Carol 2",
                                "role",
                                "operator"));

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("code").asText()).isEqualTo("email_taken");
        assertThat(userCount("carol@example.com")).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "no email            | ''                | long enough pw | Dave | operator | invalid_email",
                "malformed email     | dave-at-example   | long enough pw | Dave | operator | invalid_email",
                "short password      | dave@example.com  | tiny1          | Dave | operator | weak_password",
                "blank name          | dave@example.com  | long enough pw | ' '  | operator | invalid_name",
            })
    void refusesUnacceptableUsersAndCreatesNothing(
            String description, String email, String password, String name, String role, String code) {
        Map<String, Object> body =
                new HashMap<>(Map.of("email", email, "password", password, "name", name, "role", role));

        ApiClient.Response response = server.admin().post("/api/users", body);

        assertThat(response.status()).isEqualTo(422);
        assertThat(response.json().get("code").asText()).isEqualTo(code);
        assertThat(response.body()).doesNotContain(password);
        assertThat(userCount("dave@example.com")).isZero();
    }

    @Test
    void refusesAnUnknownRole() {
        ApiClient.Response response = server.admin()
                .post(
                        "/api/users",
                        Map.of(
                                "email",
                                "erin@example.com",
                                "password",
                                "erins password",
                                "name",
                                "Erin",
                                "role",
                                "superuser"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("error").asText()).contains("role").contains("admin, operator");
        assertThat(userCount("erin@example.com")).isZero();
    }

    @Test
    void refusesAPasswordBcryptWouldTruncate() {
        String longPassword = "x".repeat(73);

        ApiClient.Response response = server.admin()
                .post(
                        "/api/users",
                        Map.of(
                                "email",
                                "frank@example.com",
                                "password",
                                longPassword,
                                "name",
                                "Frank",
                                "role",
                                "operator"));

        assertThat(response.status()).isEqualTo(422);
        assertThat(response.body()).doesNotContain(longPassword);
        assertThat(userCount("frank@example.com")).isZero();
    }

    private static int userCount(String email) {
        return server.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT count(*) FROM users WHERE email = :email")
                        .bind("email", email)
                        .mapTo(Integer.class)
                        .one());
    }
}
