package io.pocketproxy.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A webhook receiver on 127.0.0.1: records every request (headers, body, arrival) and answers with the
 * statuses tests line up, then 200. It can also misbehave as a hostile receiver would: hold requests
 * unanswered, or answer 200 at once and then trickle the body.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as it arrived; header names lower-cased. */
    public record Request(Map<String, List<String>> headers, String body, Instant at) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return values == null ? null : values.getFirst();
        }
    }

    /** An answer to give: a status and headers. */
    public record Answer(int status, Map<String, String> headers) {}

    /** A trickled answer the client gave up on: when, and how long after the request arrived. */
    public record HangUp(Request request, Instant at) {
        public Duration after() {
            return Duration.between(request.at(), at);
        }
    }

    /** A trickled body is this long, so a client that never gives up still gets its answer in the end. */
    private static final int TRICKLE_BYTES = 60;
    /** How long a held request waits for {@link #release()} at most. */
    private static final Duration LONGEST_HOLD = Duration.ofSeconds(30);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Queued> answers = new ArrayList<>();
    private final List<HangUp> hangUps = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger mostOpen = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile Duration trickle;

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    public static WebhookReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            WebhookReceiver receiver = new WebhookReceiver(server);
            server.setExecutor(receiver.executor);
            server.createContext("/", receiver::handle);
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the webhook receiver", e);
        }
    }

    /** The URL to give the server, on path {@code /hooks}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
    }

    /** An answer lined up for the next request that {@code takes}. */
    private record Queued(Predicate<Request> takes, Answer answer) {}

    /** The next requests get these statuses, in order; after them, 200. */
    public synchronized WebhookReceiver answer(int... statuses) {
        return answerRequestsAbout("", statuses);
    }

    /**
     * The next requests whose body contains {@code text} (a device's id, say) get these statuses, in order; other
     * requests are not served from them, so a late event of an earlier test cannot take an answer meant for this one.
     */
    public synchronized WebhookReceiver answerRequestsAbout(String text, int... statuses) {
        for (int status : statuses) {
            answers.add(new Queued(request -> request.body().contains(text), new Answer(status, Map.of())));
        }
        return this;
    }

    public synchronized WebhookReceiver answer(Answer answer) {
        answers.add(new Queued(request -> true, answer));
        return this;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests whose JSON body has {@code "type":"<type>"}. */
    public List<Request> requestsOfType(String type) {
        return requests.stream()
                .filter(request -> request.body().contains("\"type\":\"" + type + "\""))
                .toList();
    }

    public void clear() {
        requests.clear();
    }

    /**
     * From now on every request waits, unanswered, until {@link #release()} (or 30 s): a receiver that
     * is slow to answer.
     */
    public WebhookReceiver hold() {
        gate = new CountDownLatch(1);
        return this;
    }

    /** Lets every held request be answered, and the next ones at once. */
    public void release() {
        gate.countDown();
    }

    /**
     * From now on every answer is a 200 with its headers at once, then its body one byte every {@code every}
     * (60 bytes, unless the client hangs up first): a receiver that keeps each read within any per-read
     * timeout and still never finishes.
     */
    public WebhookReceiver trickle(Duration every) {
        trickle = every;
        return this;
    }

    /** The trickled answers whose client hung up, in the order it did. */
    public List<HangUp> hangUps() {
        return List.copyOf(hangUps);
    }

    /** Requests being answered now. */
    public int open() {
        return open.get();
    }

    /** The most requests that were being answered at once. */
    public int mostOpen() {
        return mostOpen.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders()
                    .forEach((name, values) ->
                            headers.put(name.toLowerCase(java.util.Locale.ROOT), List.copyOf(values)));
            Request request = new Request(headers, body, Instant.now());
            requests.add(request);
            if (!gate.await(LONGEST_HOLD.toMillis(), TimeUnit.MILLISECONDS)) {
                return; // held too long: hang up unanswered
            }
            Duration every = trickle;
            if (every != null) {
                trickle(exchange, request, every);
                return;
            }
            Answer answer;
            synchronized (this) {
                Queued lined = answers.stream()
                        .filter(queued -> queued.takes().test(request))
                        .findFirst()
                        .orElse(null);
                answers.remove(lined);
                answer = lined == null ? new Answer(200, Map.of()) : lined.answer();
            }
            answer.headers()
                    .forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] reply = ("answer " + answer.status()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), reply.length);
            exchange.getResponseBody().write(reply);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
        } finally {
            open.decrementAndGet();
        }
    }

    private void trickle(HttpExchange exchange, Request request, Duration every) throws InterruptedException {
        try {
            exchange.sendResponseHeaders(200, TRICKLE_BYTES);
            exchange.getResponseBody().flush();
            for (int sent = 0; sent < TRICKLE_BYTES; sent++) {
                Thread.sleep(every); // the pace of a hostile receiver, not a wait for anything
                exchange.getResponseBody().write('.');
                exchange.getResponseBody().flush();
            }
        } catch (IOException hungUp) {
            hangUps.add(new HangUp(request, Instant.now()));
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
