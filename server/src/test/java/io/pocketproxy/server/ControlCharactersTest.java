package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.LogCapture;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Control characters in text are refused before anything is stored, and a statement that fails anyway never
 * carries its parameters (a bcrypt hash, a webhook secret) into an exception message, and so into a log.
 */
class ControlCharactersTest {

    @RegisterExtension
    @Order(1)
    static final LogCapture logs = new LogCapture();

    @RegisterExtension
    @Order(2)
    static final RunningServer server = new RunningServer();

    @Test
    void refusesANulInAUsersNameWith400AndLogsNoSecret() {
        ApiClient.Response response = server.admin().sendRaw("POST", "/api/users", """
                {"email": "nul@example.com", "password": "a long enough password", "name": "Nul\\u0000Name",
                 "role": "operator"}""");

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("code").asText()).isEqualTo("invalid_field");
        assertThat(response.json().get("error").asText()).startsWith("name: ").contains("control character");
        assertThat(server.anonymous()
                        .post("/api/auth/login", java.util.Map.of("email", "nul@example.com", "password", "x"))
                        .status())
                .isEqualTo(401);
        assertThat(logs.text()).doesNotContain("$2").doesNotContain("whsec_");
    }

    @Test
    void refusesALineBreakInASignInEmailWith400() {
        ApiClient.Response response = server.anonymous().sendRaw("POST", "/api/auth/login", """
                {"email": "someone@example.com\\nINFO forged line", "password": "whatever"}""");

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("error").asText()).startsWith("email: ");
    }

    @Test
    void keepsStatementParametersOutOfDatabaseErrors() {
        String hash = "$2a$04$secretsecretsecretsecretsecretsecretsecretsecretsecre";
        String webhookSecret = "whsec_never-in-a-log";

        Throwable failure = catchThrowable(() -> server.jdbi()
                .useHandle(handle -> handle.createUpdate("""
                                INSERT INTO users (email, password_hash, name, role, webhook_secret)
                                VALUES (:email, :hash, :name, 'nobody', :secret)""")
                        .bind("email", "check@example.com")
                        .bind("hash", hash)
                        .bind("name", "Check")
                        .bind("secret", webhookSecret)
                        .execute())); // 'nobody' breaks the role check

        assertThat(failure).isNotNull();
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString())
                .contains("INSERT INTO users")
                .doesNotContain(hash)
                .doesNotContain(webhookSecret);
    }
}
