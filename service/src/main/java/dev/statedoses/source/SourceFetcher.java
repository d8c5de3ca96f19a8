package dev.statedoses.source;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Opens a source URL as a stream: {@code http(s)://} over the JDK's HTTP client, {@code file:}
 * from disk. The body is never held whole in memory; the caller reads it once, front to back.
 */
public final class SourceFetcher {

    private final HttpClient http;
    private final Duration timeout;
    private final long maxBytes;
    /** Enforces the whole-body deadline: HttpClient bounds only connecting and the headers. */
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "source-deadline");
        thread.setDaemon(true);
        return thread;
    });

    public SourceFetcher(Duration timeout, long maxBytes) {
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.http = HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    }

    public SourceStream open(SourceName source, URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        long start = System.nanoTime();
        InputStream body = switch (scheme) {
            case "http", "https" -> openHttp(source, url);
            case "file" -> openFile(source, url);
            default -> throw SourceException.unavailable(source, url,
                "unsupported URL scheme '" + scheme + "': use http://, https:// or file:", null);
        };
        SourceStream stream = new SourceStream(body, source, url, maxBytes);
        if (!"file".equals(scheme)) {
            // One budget for the whole fetch: what the headers took is spent.
            Duration left = timeout.minusNanos(System.nanoTime() - start);
            stream.expireAfter(left.isNegative() ? Duration.ZERO : left, timeout, deadlines);
        }
        return stream;
    }

    private InputStream openHttp(SourceName source, URI url) {
        HttpRequest request = HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Accept", "text/csv, text/plain;q=0.9, */*;q=0.1")
            .GET()
            .build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw SourceException.timeout(source, url, "no connection within " + timeout.toSeconds() + " s", e);
        } catch (HttpTimeoutException e) {
            throw SourceException.timeout(source, url, "no response within " + timeout.toSeconds() + " s", e);
        } catch (ConnectException e) {
            // The JDK client reports a name it cannot resolve as a failed connection too.
            throw SourceException.unavailable(source, url,
                unresolved(e) ? "unknown host " + url.getHost() : "connection refused", e);
        } catch (IOException e) {
            throw SourceException.unavailable(source, url, describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SourceException.unavailable(source, url, "interrupted while fetching", e);
        }
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            closeQuietly(response.body());
            throw SourceException.unavailable(source, url, "upstream answered HTTP " + status, null);
        }
        return response.body();
    }

    private static InputStream openFile(SourceName source, URI url) {
        // file:relative/path is opaque (no leading slash): resolve it against the working directory.
        Path path = url.isOpaque() ? Path.of(url.getSchemeSpecificPart()) : Path.of(url);
        try {
            return Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            throw SourceException.unavailable(source, url, "no such file: " + path.toAbsolutePath(), e);
        } catch (IOException e) {
            throw SourceException.unavailable(source, url, describe(e), e);
        }
    }

    private static boolean unresolved(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(IOException e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        if (root instanceof UnknownHostException) {
            return "unknown host " + root.getMessage();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // The response is already an error; a failed close adds nothing to it.
        }
    }
}
