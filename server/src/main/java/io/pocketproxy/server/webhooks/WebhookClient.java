package io.pocketproxy.server.webhooks;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 *
 * <p>Each request has one deadline for all of it: waiting for a pooled connection, the name lookup,
 * connecting, sending, the status and the whole answer body. Per-read timeouts alone do not bound a
 * request: a receiver that sends one byte every few seconds satisfies every one of them forever. At the
 * deadline the request is cancelled, which closes its socket wherever the exchange stands.
 */
public final class WebhookClient implements AutoCloseable {

    /** What one attempt came to: a status code, or an error and no status. */
    public record Attempt(Integer status, String error, Optional<Duration> retryAfter, Duration latency) {
        public boolean delivered() {
            return status != null && status >= 200 && status < 300;
        }
    }

    private final CloseableHttpClient http;
    private final Duration deadline;
    private final Clock clock;
    private final ExecutorService exchanges;

    /**
     * @param deadline how long one request may take, from asking for a connection to the answer's last byte
     * @param connections the most connections open at once, to any number of hosts; callers keep fewer
     *     requests than this in flight, so no request waits for another one's connection
     * @param name names the threads of this client's requests
     */
    WebhookClient(WebhookUrls urls, Duration deadline, int connections, String name, Clock clock) {
        Timeout limit = Timeout.of(deadline.toMillis(), TimeUnit.MILLISECONDS);
        this.deadline = deadline;
        this.clock = clock;
        this.exchanges = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name(name + "-", 0).factory());
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(urls)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(limit)
                                .setSocketTimeout(limit)
                                .build())
                        .setMaxConnTotal(connections)
                        // No limit per host below the total: the callers' caps per operator are the fair share.
                        .setMaxConnPerRoute(connections)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(limit)
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

    /**
     * Sends {@code body} as event {@code id}, signed with {@code secret}, and gives up at the deadline; never
     * throws for the receiver's faults.
     */
    public Attempt post(URI url, String id, String body, String secret) {
        long timestamp = clock.instant().getEpochSecond();
        HttpPost post = new HttpPost(url);
        post.setHeader("webhook-id", id);
        post.setHeader("webhook-timestamp", Long.toString(timestamp));
        post.setHeader("webhook-signature", WebhookSignature.sign(secret, id, timestamp, body));
        post.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
        long started = System.nanoTime();
        Future<Attempt> exchange = exchanges.submit(() -> exchange(post, started));
        try {
            return exchange.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            post.cancel(); // closes the socket: the exchange's thread ends at once, its result unread
            return failed(tooLate(), started);
        } catch (InterruptedException e) {
            post.cancel();
            Thread.currentThread().interrupt();
            return failed("the server stopped during the request", started);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException unexpected) {
                throw unexpected;
            }
            throw new IllegalStateException("webhook request", e.getCause());
        }
    }

    private Attempt exchange(HttpPost post, long started) {
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
            return failed(tooLate(), started); // a connect or read timeout, or cancelled at the deadline
        } catch (UnknownHostException e) {
            return failed(e.getMessage(), started);
        } catch (IOException e) {
            return failed(describe(e), started);
        }
    }

    private String tooLate() {
        String seconds =
                BigDecimal.valueOf(deadline.toMillis(), 3).stripTrailingZeros().toPlainString();
        return "no complete answer within " + seconds + " s";
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
        exchanges.shutdownNow();
        http.close();
    }
}
