package io.pocketproxy.server.users;

import io.pocketproxy.relay.auth.AuthOutcome;
import io.pocketproxy.relay.auth.FailureThrottle;
import io.pocketproxy.relay.auth.PasswordChecks;
import io.pocketproxy.relay.auth.PasswordHashing;
import io.pocketproxy.server.db.SqlErrors;
import io.pocketproxy.server.errors.ConflictException;
import io.pocketproxy.server.errors.InvalidInputException;
import io.pocketproxy.server.secrets.Secrets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates users and checks their logins. Passwords are bcrypt-hashed on the hashing pool, never stored. */
public final class UserService {

    public static final int MIN_PASSWORD_LENGTH = 10;

    /** Five failed sign-ins per email, twenty per client address, then one attempt a minute. */
    public static final FailureThrottle.Limits SIGN_IN_LIMITS =
            new FailureThrottle.Limits(5, 20, Duration.ofMinutes(1));

    private static final Logger log = LoggerFactory.getLogger(UserService.class);
    // Deliberately loose: one @, something on each side, a dot in the domain. Deliverability is not ours to judge.
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    private final Jdbi jdbi;
    private final PasswordHashing hashing;
    private final PasswordChecks signIns;
    private final UserRepository users = new UserRepository();

    /**
     * @param hashing the operators' bcrypt pool, for new passwords
     * @param signIns sign-in checks on that pool, throttled per email and per client address
     */
    public UserService(Jdbi jdbi, PasswordHashing hashing, PasswordChecks signIns) {
        this.jdbi = jdbi;
        this.hashing = hashing;
        this.signIns = signIns;
    }

    public User create(String email, String password, String name, Role role) {
        String normalizedEmail = normalizeEmail(email);
        requireAcceptablePassword(password);
        String trimmedName = name == null ? "" : name.strip();
        if (trimmedName.isEmpty() || trimmedName.length() > 100) {
            throw InvalidInputException.unacceptable("invalid_name", "name: must be 1 to 100 characters");
        }
        if (role == null) {
            throw InvalidInputException.unacceptable("invalid_role", "role: missing (expected: admin or operator)");
        }
        String hash = hashing.hash(password).join();
        try {
            return jdbi.inTransaction(handle ->
                    users.insert(handle, normalizedEmail, hash, trimmedName, role, Secrets.newWebhookSecret()));
        } catch (UnableToExecuteStatementException e) {
            if (SqlErrors.isUniqueViolation(e)) {
                throw new ConflictException("email_taken", "email: a user with this email already exists");
            }
            throw e;
        }
    }

    /**
     * Signs in with an email and password from {@code clientAddress}. An unknown email costs the same bcrypt check
     * as a wrong password, so the answer's timing does not tell which emails exist; identical parallel attempts
     * share one check, and each check counts against the throttle when it starts ({@link PasswordChecks}).
     */
    public AuthOutcome<User> signIn(String email, String password, String clientAddress) {
        String normalizedEmail = email == null ? "" : email.strip().toLowerCase(Locale.ROOT);
        Optional<Duration> wait = signIns.waitBeforeAttempt(normalizedEmail, clientAddress);
        if (wait.isPresent()) {
            return new AuthOutcome.Throttled<>(wait.get());
        }
        Optional<UserRepository.WithPasswordHash> found =
                jdbi.withHandle(handle -> users.findByEmail(handle, normalizedEmail));
        return signIns.check(
                        normalizedEmail,
                        clientAddress,
                        password == null ? "" : password,
                        found,
                        UserRepository.WithPasswordHash::passwordHash)
                .join()
                .map(UserRepository.WithPasswordHash::user);
    }

    public Optional<User> find(UUID id) {
        return jdbi.withHandle(handle -> users.find(handle, id));
    }

    /**
     * Creates the first admin when the database has no user yet; does nothing otherwise, so the same
     * flags can stay in a service definition across restarts.
     */
    public void createFirstAdmin(String email, String password) {
        if (jdbi.withHandle(users::any)) {
            log.info("users exist; --admin-email {} is not needed and was not applied", email);
            return;
        }
        User admin = create(email, password, "Administrator", Role.ADMIN);
        log.info("created the first admin, {}", admin.email());
    }

    public boolean anyUser() {
        return jdbi.withHandle(users::any);
    }

    /** Sets a new password (the demo resets its sample operator's on every start). */
    public void changePassword(UUID userId, String password) {
        requireAcceptablePassword(password);
        String hash = hashing.hash(password).join();
        jdbi.useTransaction(handle -> users.updatePasswordHash(handle, userId, hash));
    }

    public Optional<User> findByEmail(String email) {
        return jdbi.withHandle(handle -> users.findByEmail(handle, normalizeEmail(email)))
                .map(UserRepository.WithPasswordHash::user);
    }

    private static String normalizeEmail(String email) {
        String normalized = email == null ? "" : email.strip().toLowerCase(Locale.ROOT);
        if (normalized.length() > 254 || !EMAIL.matcher(normalized).matches()) {
            throw InvalidInputException.unacceptable(
                    "invalid_email", "email: not an email address (expected: name@example.com)");
        }
        return normalized;
    }

    private static void requireAcceptablePassword(String password) {
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
            throw InvalidInputException.unacceptable(
                    "weak_password", "password: too short (expected: at least " + MIN_PASSWORD_LENGTH + " characters)");
        }
        if (!PasswordHashing.fitsBcrypt(password)) {
            throw InvalidInputException.unacceptable(
                    "invalid_password",
                    "password: too long (expected: at most " + PasswordHashing.MAX_PASSWORD_BYTES + " bytes)");
        }
    }
}
