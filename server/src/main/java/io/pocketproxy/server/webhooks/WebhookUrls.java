package io.pocketproxy.server.webhooks;

import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.PrivateAddresses;
import io.pocketproxy.server.errors.InvalidInputException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;

/**
 * Which webhook URLs the server calls. URLs must be http(s) with a host; unless private webhooks are
 * allowed, a host that resolves to a private address is refused when the URL is saved and again, as a
 * {@link DnsResolver}, on every connection, so a name that resolves elsewhere later cannot slip through.
 */
public final class WebhookUrls implements DnsResolver {

    private static final int MAX_LENGTH = 2000;

    private final boolean allowPrivate;
    private final DnsResolver system = SystemDefaultDnsResolver.INSTANCE;

    public WebhookUrls(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** The URL as given if the server may call it; a 400 naming the reason if not. */
    public URI check(String url) {
        if (url == null || url.isBlank()) {
            throw refused("webhook_url: empty (expected: an http:// or https:// URL)");
        }
        if (url.length() > MAX_LENGTH) {
            throw refused("webhook_url: longer than " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw refused("webhook_url: not a URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw refused("webhook_url: scheme '" + scheme + "' (expected: http or https)");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw refused("webhook_url: no host (expected: a URL such as https://example.com/hooks)");
        }
        if (uri.getRawUserInfo() != null) {
            throw refused("webhook_url: carries a user name or password (expected: none; the request is signed)");
        }
        try {
            resolve(uri.getHost());
        } catch (UnknownHostException e) {
            throw refused("webhook_url: " + e.getMessage());
        }
        return uri;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        String bare = HostAndPort.unbracketed(host);
        InetAddress[] addresses;
        try {
            addresses = system.resolve(bare);
        } catch (UnknownHostException e) {
            throw new UnknownHostException("host " + host + " does not resolve");
        }
        if (!allowPrivate) {
            for (InetAddress address : addresses) {
                if (PrivateAddresses.isPrivate(address)) {
                    throw new UnknownHostException(
                            "host " + host + " resolves to a private address ("
                                    + address.getHostAddress()
                                    + "); webhooks go to public addresses unless the server runs with --allow-private-webhooks");
                }
            }
        }
        return addresses;
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
        return system.resolveCanonicalHostname(host);
    }

    private static InvalidInputException refused(String message) {
        return InvalidInputException.malformed("invalid_webhook_url", message);
    }
}
