package io.pocketproxy.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.javalin.http.Context;
import io.pocketproxy.server.webhooks.WebhookClient;
import io.pocketproxy.server.webhooks.WebhookDispatcher;
import io.pocketproxy.server.webhooks.WebhookSettings;
import java.util.UUID;

/** {@code /api/settings/webhook} and {@code /api/webhook-deliveries}: an operator's webhook. */
public final class WebhooksApi {

    record WebhookUrlRequest(String webhookUrl) {}

    /** {@code {ok, status, latency_ms}}, or {@code {ok: false, error}} with the status if there was one. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record TestResult(boolean ok, Integer status, Long latencyMs, String error) {}

    private final WebhookSettings settings;
    private final WebhookDispatcher dispatcher;
    private final RequestBodies bodies;

    public WebhooksApi(WebhookSettings settings, WebhookDispatcher dispatcher, RequestBodies bodies) {
        this.settings = settings;
        this.dispatcher = dispatcher;
        this.bodies = bodies;
    }

    public void get(Context ctx) {
        ctx.json(settings.get(owner(ctx)));
    }

    public void put(Context ctx) {
        WebhookUrlRequest request = bodies.read(ctx, WebhookUrlRequest.class);
        ctx.json(settings.setUrl(owner(ctx), request.webhookUrl()));
    }

    public void rotateSecret(Context ctx) {
        ctx.json(settings.rotateSecret(owner(ctx)));
    }

    /** Sends a test event to the URL given, or to the saved one when none is given. */
    public void test(Context ctx) {
        UUID owner = owner(ctx);
        String url = ctx.bodyAsBytes().length == 0
                ? null
                : bodies.read(ctx, WebhookUrlRequest.class).webhookUrl();
        if (url == null || url.isBlank()) {
            url = settings.get(owner).webhookUrl();
        }
        if (url == null) {
            throw ApiException.badRequest(
                    "invalid_webhook_url", "webhook_url: none given and none saved (expected: an http(s) URL)");
        }
        WebhookClient.Attempt attempt = dispatcher.sendTest(owner, url);
        Long latency = attempt.status() == null ? null : attempt.latency().toMillis();
        String error = attempt.delivered()
                ? null
                : attempt.status() != null ? "the receiver answered HTTP " + attempt.status() : attempt.error();
        ctx.json(new TestResult(attempt.delivered(), attempt.status(), latency, error));
    }

    public void deliveries(Context ctx) {
        ctx.json(settings.latestDeliveries(owner(ctx)));
    }

    private static UUID owner(Context ctx) {
        return Authentication.currentUser(ctx).id();
    }
}
