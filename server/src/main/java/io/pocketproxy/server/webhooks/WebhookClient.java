package io.pocketproxy.server.webhooks;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * POSTs signed webhook requests. Redirects are not followed, nothing is retried here (the dispatcher
 * decides), every connection goes through {@link WebhookUrls}' address check, and the receiver's answer
 * body is read and dropped: only its status reaches the operator.
 */
public final class WebhookClient implements AutoCloseable {

    /** What one attempt came to: a status code, or an error and no status. */
    public record Attempt(Integer status, String error, Optional<Duration> retryAfter, Duration latency) {
        public boolean delivered() {
            return status != null && status >= 200 && status < 300;
        }
    }

    private final CloseableHttpClient http;
    private final Clock clock;

    public WebhookClient(WebhookUrls urls, Duration timeout, Clock clock) {
        Timeout limit = Timeout.of(timeout.toMillis(), TimeUnit.MILLISECONDS);
        this.clock = clock;
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(urls)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(limit)
                                .setSocketTimeout(limit)
                                .build())
                        .setMaxConnTotal(64)
                        .setMaxConnPerRoute(8)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(limit)
                        .setRedirectsEnabled(false)
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent("PocketProxy-Webhooks/1")
                .build();
    }

    /** Sends {@code body} as event {@code id}, signed with {@code secret}; never throws for the receiver's faults. */
    public Attempt post(URI url, String id, String body, String secret) {
        long timestamp = clock.instant().getEpochSecond();
        HttpPost post = new HttpPost(url);
        post.setHeader("webhook-id", id);
        post.setHeader("webhook-timestamp", Long.toString(timestamp));
        post.setHeader("webhook-signature", WebhookSignature.sign(secret, id, timestamp, body));
        post.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
        long started = System.nanoTime();
        try {
            return http.execute(post, response -> {
                EntityUtils.consume(response.getEntity()); // the receiver's words stay with the receiver
                return new Attempt(
                        response.getCode(),
                        null,
                        retryAfter(response.getFirstHeader("Retry-After")),
                        Duration.ofNanos(System.nanoTime() - started));
            });
        } catch (InterruptedIOException e) {
            if (Thread.currentThread().isInterrupted()) {
                return failed("the server stopped during the request", started);
            }
            return failed("no answer within the time limit", started);
        } catch (UnknownHostException e) {
            return failed(e.getMessage(), started);
        } catch (IOException e) {
            return failed(describe(e), started);
        }
    }

    private static Attempt failed(String error, long started) {
        return new Attempt(null, error, Optional.empty(), Duration.ofNanos(System.nanoTime() - started));
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        String kind = switch (e) {
            case java.net.ConnectException c -> "connection refused";
            case javax.net.ssl.SSLException s -> "TLS failed";
            default -> "request failed";
        };
        return message == null ? kind : kind + ": " + message;
    }

    /** {@code Retry-After} in seconds or as an HTTP date; absent if missing or unreadable. */
    private Optional<Duration> retryAfter(Header header) {
        if (header == null) {
            return Optional.empty();
        }
        String value = header.getValue().strip();
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value))));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = DateTimeFormatter.RFC_1123_DATE_TIME.parse(value, Instant::from);
                Duration wait = Duration.between(clock.instant(), at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
