package io.pocketproxy.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.javalin.http.Context;
import java.util.Arrays;
import java.util.Collection;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Reads a JSON request body into a record, turning every way it can be wrong into a 400 that names the
 * field and the expectation. Values are never echoed back: a misplaced password must not come back in an
 * error.
 */
public final class RequestBodies {

    private final ObjectMapper mapper;

    public RequestBodies(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public <T> T read(Context ctx, Class<T> type) {
        return read(ctx.bodyAsBytes(), type); // bounded by the server's max request size: 413 beyond it
    }

    /** {@link #read(Context, Class)} on the body's bytes: what a client controls, fuzzed on its own. */
    <T> T read(byte[] body, Class<T> type) {
        if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw ApiException.badRequest("invalid_json", "request body is empty (expected: a JSON object)");
        }
        T value;
        try {
            value = mapper.readValue(body, type);
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.badRequest(
                    "unknown_field",
                    "unknown field '" + e.getPropertyName() + "' (expected: " + knownFields(e.getKnownPropertyIds())
                            + ")");
        } catch (PlainText.ControlCharacterException e) {
            throw ApiException.badRequest(
                    "invalid_field",
                    fieldOf(e) + ": contains a control character (expected: text without control characters such as"
                            + " NUL, tabs or line breaks)");
        } catch (InvalidFormatException e) {
            throw ApiException.badRequest("invalid_field", fieldOf(e) + ": " + expectation(e.getTargetType()));
        } catch (MismatchedInputException e) {
            if (e.getPath().isEmpty()) {
                throw ApiException.badRequest("invalid_json", "request body is not a JSON object");
            }
            throw ApiException.badRequest("invalid_field", fieldOf(e) + ": " + expectation(e.getTargetType()));
        } catch (InputCoercionException e) {
            throw ApiException.badRequest(
                    "invalid_field", "a number is out of range (expected: at most " + Long.MAX_VALUE + ")");
        } catch (StreamReadException e) {
            String duplicate = duplicateField(e);
            if (duplicate != null) {
                throw ApiException.badRequest(
                        "invalid_json", "field '" + duplicate + "' appears more than once (expected: each field once)");
            }
            throw ApiException.badRequest(
                    "invalid_json",
                    "request body is not valid JSON (at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")");
        } catch (JsonMappingException e) {
            // e.g. a record constructor refusing a value
            throw ApiException.badRequest("invalid_field", fieldOf(e) + ": invalid value");
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("invalid_json", "request body is not valid JSON");
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("invalid_json", "request body could not be read");
        }
        if (value == null) {
            throw ApiException.badRequest("invalid_json", "request body is not a JSON object");
        }
        return value;
    }

    /**
     * The field a strict parser found twice, or {@code null}. Jackson has no exception type of its own for it, only
     * its message ("Duplicate field 'name'"); a field name is the client's own key, never a value.
     */
    private static String duplicateField(StreamReadException e) {
        String message = e.getOriginalMessage();
        if (message == null || !message.startsWith("Duplicate field '")) {
            return null;
        }
        int end = message.indexOf('\'', "Duplicate field '".length());
        return end < 0 ? null : message.substring("Duplicate field '".length(), end);
    }

    private static String fieldOf(JsonMappingException e) {
        return e.getPath().stream()
                .map(reference ->
                        reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String expectation(Class<?> type) {
        if (type == null) {
            return "invalid value";
        }
        if (type.isEnum()) {
            return "expected one of "
                    + Arrays.stream(type.getEnumConstants())
                            .map(Object::toString)
                            .collect(Collectors.joining(", "));
        }
        if (type == Long.class || type == long.class || type == Integer.class || type == int.class) {
            return "expected a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "expected true or false";
        }
        if (type == String.class) {
            return "expected a string";
        }
        if (type == UUID.class) {
            return "expected an id (UUID)";
        }
        return "expected " + type.getSimpleName();
    }

    private static String knownFields(Collection<Object> known) {
        return known == null || known.isEmpty()
                ? "no fields"
                : known.stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
    }
}
