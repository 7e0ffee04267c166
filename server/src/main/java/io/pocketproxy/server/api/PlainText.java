package io.pocketproxy.server.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import java.io.IOException;

/**
 * Every text field the API reads: a string as Jackson reads it, refused when it holds a control character (NUL, a
 * line break, a tab, DEL, C1). None belongs in a name, an email, a URL or a password; a NUL makes PostgreSQL fail
 * the statement, and a line break in anything later logged forges log lines.
 */
final class PlainText extends JsonDeserializer<String> {

    /** A text field with a control character in it; the message never quotes the value. */
    static final class ControlCharacterException extends JsonMappingException {
        ControlCharacterException(JsonParser parser) {
            super(parser, "contains a control character");
        }
    }

    @Override
    public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        String text = StringDeserializer.instance.deserialize(parser, context);
        if (text != null && text.chars().anyMatch(Character::isISOControl)) {
            throw new ControlCharacterException(parser);
        }
        return text;
    }
}
