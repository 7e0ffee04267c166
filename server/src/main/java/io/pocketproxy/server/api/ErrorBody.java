package io.pocketproxy.server.api;

/** The shape of every API error: {@code {"error": "...", "code": "..."}}. */
public record ErrorBody(String error, String code) {}
