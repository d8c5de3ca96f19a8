package dev.statedoses.source;

import dev.statedoses.text.Printable;
import dev.statedoses.text.Redaction;
import dev.statedoses.util.DaemonThreads;
import dev.statedoses.util.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a source URL as a stream: {@code http(s)://} over the JDK's HTTP client, {@code file:}
 * from disk. The body is never held whole in memory; the caller reads it once, front to back.
 *
 * <p>A fetch ({@link Fetch}) has one budget, {@code SOURCE_TIMEOUT}, for all its attempts. A
 * transient fault of the upstream (a 5xx or 429, a refused or reset connection) is tried again
 * after a short pause, or after the upstream's {@code Retry-After}, while the budget lasts; a 4xx,
 * an unknown host or a bad body is not. That policy is {@link Attempts}; this class is how a
 * source is opened.
 */
public final class SourceFetcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SourceFetcher.class);

    /** About the size of the real allocation files: what {@link #prepare()} fetches. */
    static final int WARM_UP_BYTES = 96 * 1024;
    /** The statuses a server sends for a fault that may pass (RFC 9110; AWS retries the same). */
    private static final Set<Integer> TRANSIENT_STATUSES = Set.of(408, 429, 500, 502, 503, 504);

    /**
     * Built by {@link #prepare()} once the service serves, or at the first fetch if that comes
     * first: building it loads the JDK's trust store and TLS classes (150 to 250 ms of one core),
     * which neither start-up nor the first refresh should wait for.
     */
    private HttpClient http;
    private final Duration timeout;
    private final long maxBytes;
    private final String userAgent;
    /** Enforces the whole-body deadline: HttpClient bounds only connecting and the headers. */
    private final ScheduledExecutorService deadlines =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("source-deadline"));
    /** Opens the sources of a refresh at once (their bodies come on the HTTP client's threads, {@link ReadAhead}). */
    private final ExecutorService threads = Executors.newCachedThreadPool(DaemonThreads.named("source-fetch"));
    /** Set by {@link #close()}: an interrupted fetch is then the shutdown's doing. */
    private volatile boolean closed;

    public SourceFetcher(Duration timeout, long maxBytes, String userAgent) {
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.userAgent = userAgent;
    }

    /**
     * Builds the HTTP client now, if no fetch has, and fetches once through it, from a server of
     * our own on the loopback interface ({@link LoopbackUpstream}), {@link #WARM_UP_BYTES} bytes:
     * the client's TLS set-up and its HTTP exchange (some 250 classes) are then loaded, and partly
     * compiled, before the first refresh fetches. Called in the background after start-up
     * (dev.statedoses.WarmUp); a refresh that fetches meanwhile waits for the one build. Answers
     * the bytes it fetched.
     */
    public long prepare() {
        http();
        String line = "jurisdiction,week_of_allocations\r\n";
        byte[] body = line.repeat(WARM_UP_BYTES / line.length()).getBytes(StandardCharsets.US_ASCII);
        return readServed(SourceName.MODERNA, body, stream -> {
            try {
                return stream.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Serves {@code body} from a server of our own on the loopback interface
     * ({@link LoopbackUpstream}) and fetches it as a refresh fetches a source: opened on a fetch
     * thread, through the HTTP client, its body read ahead; {@code read} gets the stream, which is
     * closed after, and answers what it answers. For the warm-up (dev.statedoses.WarmUp): the
     * code that parses a fetched body then runs on the very streams a refresh's does, and the JIT
     * does not compile it again at the first refresh.
     */
    public long readServed(SourceName source, byte[] body, ToLongFunction<SourceStream> read) {
        try (LoopbackUpstream upstream = LoopbackUpstream.serving(body)) {
            Fetch fetch = fetch(source, upstream.url(), null);
            try (SourceStream stream = inBackground(fetch::open).join()) {
                return read.applyAsLong(stream);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        }
        return http;
    }

    /**
     * Starts fetching {@code url}: the budget of {@code SOURCE_TIMEOUT} starts now, for every
     * attempt. With {@code known} (what the last good refresh saw there; null for none), the fetch
     * is conditional: an upstream whose source has not changed answers 304, and a file whose bytes
     * hash the same is not read again; either way the stream says {@link SourceStream#notModified()}.
     */
    public Fetch fetch(SourceName source, URI url, KnownSource known) {
        return new Fetch(source, url, known, System.nanoTime() + timeout.toNanos());
    }

    /** Runs {@code task} on one of the fetch threads: how a refresh opens its sources at once. */
    public <T> CompletableFuture<T> inBackground(Supplier<T> task) {
        return unlessClosed(() -> CompletableFuture.supplyAsync(task, threads));
    }

    /** {@code start}, which hands work to the fetch threads or the timer; once closed, a shutdown. */
    private <T> T unlessClosed(Supplier<T> start) {
        try {
            return start.get();
        } catch (RejectedExecutionException e) {
            throw SourceAbandonedException.shuttingDown();
        }
    }

    /** One source's fetch, over as many attempts as its faults and its budget allow. */
    public final class Fetch {
        private final SourceName source;
        private final URI url;
        /**
         * What the fetch asks about (the last good refresh's validators and hash), or null for an
         * unconditional fetch. Dropped once an attempt answers with a body: the source changed,
         * and a later attempt that asked "changed since then?" could be answered 304 (by a cache
         * or replica a step behind) with nothing to load.
         */
        private volatile KnownSource known;
        private final Attempts attempts;

        private Fetch(SourceName source, URI url, KnownSource known, long deadline) {
            this.source = source;
            this.url = url;
            // A tag on record that names no one version (from a build before Validators.usableEtag:
            // a "*" sent back asks "any version?") is not asked about, nor compared with a 304's.
            this.known = known == null ? null
                : new KnownSource(known.sha256(), Validators.usableEtag(known.etag()), known.lastModified(),
                    known.answeredAt());
            this.attempts = new Attempts(source, deadline);
        }

        /**
         * The body, from the next attempt that gets one; throws the last fault, with the number
         * of attempts, when the faults are not transient or the attempts or budget run out.
         */
        public SourceStream open() {
            while (true) {
                attempts.start();
                try {
                    return openOnce();
                } catch (SourceException e) {
                    if (!mayRetry(e)) {
                        throw e.afterAttempts(attempts.count());
                    }
                }
            }
        }

        /**
         * After {@code fault}, opening or reading the body: whether to try again, having paused
         * ({@link Attempts}). Once the fetcher is closed, never: the fault is the shutdown's.
         */
        public boolean mayRetry(SourceException fault) {
            boolean again = !closed && attempts.mayRetry(fault);
            // Closed before the pause, or during it (close() interrupts the fetch threads' pauses):
            // the refresh ends as a shutdown, not with the upstream's fault.
            if (closed) {
                throw SourceAbandonedException.shuttingDown();
            }
            return again;
        }

        /** How many times the source was asked for so far. */
        public int attempts() {
            return attempts.count();
        }

        private SourceStream openOnce() {
            if (closed) {
                throw SourceAbandonedException.shuttingDown();
            }
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            return switch (scheme) {
                case "http", "https" -> openHttp();
                case "file" -> openFile();
                default -> throw SourceException.unavailable(source, url,
                    "unsupported URL scheme '" + scheme + "': use http://, https:// or file:", null);
            };
        }

        private SourceStream openHttp() {
            if (attempts.left().isZero()) {
                throw SourceException.timeout(source, url, "no answer within " + timeout.toSeconds() + " s", null);
            }
            // Redirects are followed here, not by the client: the client follows them out of
            // sight, so a failure at a later hop (an unknown host, a refused or reset connection,
            // a Location it cannot read) was reported as the source URL's own.
            URI at = url;
            int followed = 0;
            HttpResponse<Flow.Publisher<List<ByteBuffer>>> response;
            while (true) {
                response = send(at, followed);
                int status = response.statusCode();
                if (!Redirects.isRedirect(status)) {
                    break;
                }
                ReadAhead.discard(response.body());
                List<String> location = response.headers().allValues("Location");
                Optional<URI> next = followed < Redirects.LIMIT ? Redirects.target(status, at, location)
                    : Optional.empty();
                if (next.isEmpty()) {
                    throw SourceException.unavailable(source, url, Redirects.notFollowed(status, at, location,
                        followed), null);
                }
                at = next.get();
                followed++;
            }
            int status = response.statusCode();
            // Whatever is wrong with this answer is the last hop's: named there, as send() names a
            // fault of the connection (a 404 at a redirect's target was told as the source URL's).
            String hop = hop(at, followed);
            String answeredAt = followed == 0 ? null : Redaction.url(at);
            List<String> etags = response.headers().allValues("ETag");
            List<String> lastModifieds = response.headers().allValues("Last-Modified");
            // What this request asked about, read once, as the request itself read it.
            KnownSource asked = status == 304 ? asking(at, followed) : null;
            if (asked != null) {
                ReadAhead.discard(response.body());
                String otherVersion = Validators.otherVersion(asked, etags, lastModifieds);
                if (otherVersion == null) {
                    // Unchanged: the validators that go with the kept bytes are the ones we sent,
                    // whatever else the 304 adds (a validator we did not ask about is not proof of
                    // anything about the bytes we have).
                    SourceStream unchanged = SourceStream.notModified(source, url, asked.sha256(), asked.etag(),
                        asked.lastModified());
                    unchanged.answeredAt(answeredAt);
                    return unchanged;
                }
                // "Not modified", but about another version than the one we asked about: the source
                // changed. Keeping our rows would keep stale data, and storing its validators beside
                // our hash would make every later 304 confirm the stale rows. Ask once more, for the
                // whole body, within the same budget.
                LOG.warn("{} source: the upstream answered 304 (not modified) naming {}; fetching it again "
                    + "without conditions", source, otherVersion);
                known = null;
                attempts.start();
                return openHttp();
            }
            if (status == 304) {
                // Not modified since what? A request that named no version cannot be answered
                // "unchanged" (RFC 9110, 15.4.5): a broken upstream or cache, not a source to keep.
                ReadAhead.discard(response.body());
                throw SourceException.unavailable(source, url, "upstream answered HTTP 304 (not modified)" + hop
                    + " to a request that named no version: it sent no body to load", null);
            }
            if (status < 200 || status > 299) {
                ReadAhead.discard(response.body());
                String message = "upstream answered HTTP " + status + hop;
                if (TRANSIENT_STATUSES.contains(status)) {
                    Duration retryAfter = UpstreamFaults.retryAfter(response.headers()).orElse(null);
                    throw SourceException.transientFault(source, url, retryAfter == null ? message
                        : message + " (Retry-After: " + retryAfter.toSeconds() + " s)", null, retryAfter);
                }
                throw SourceException.unavailable(source, url, message, null);
            }
            if (status != 200) {
                // Only a 200 carries the whole file. A 206 is a part of it (we never send Range, so
                // a cache or proxy chose the part), a 203 a transformed copy, a 202 a promise, a 204
                // or 205 nothing: loading one as the file would publish a part, or nothing, as all.
                ReadAhead.discard(response.body());
                throw SourceException.unavailable(source, url, "upstream answered HTTP " + status + " ("
                    + describeStatus(status) + ")" + hop + ", not 200: only a 200 carries the whole file to load",
                    null);
            }
            String part = partOnly(response.headers().allValues("Content-Range"));
            if (part != null) {
                // A 200 that says it carries a part (RFC 9110, 14.4): a cache or proxy that answered
                // a range no one asked for. Loaded, it published the part as the whole; with its
                // validators kept, every later refresh was answered 304 and kept the part.
                ReadAhead.discard(response.body());
                throw SourceException.unavailable(source, url, "upstream answered HTTP 200 with " + part + hop
                    + ": only the whole file is loaded", null);
            }
            long length;
            try {
                length = declaredLength(response.headers());
            } catch (IllegalArgumentException e) {
                ReadAhead.discard(response.body());
                throw SourceException.unavailable(source, url, e.getMessage() + hop, null);
            }
            List<String> codings;
            try {
                // A list: two lines (gzip, then gzip again) are two codings, undone in reverse.
                List<String> lines = response.headers().allValues("Content-Encoding");
                codings = ContentDecoding.codings(lines.isEmpty() ? null : String.join(", ", lines));
            } catch (IllegalArgumentException e) {
                ReadAhead.discard(response.body());
                throw SourceException.content(source, url, null, null, e.getMessage() + hop);
            }
            // A body: the source changed since what we asked about, so any later attempt (after a
            // reset mid-body) asks for the whole body, unconditionally.
            known = null;
            ReadAhead ahead = ReadAhead.start(response.body(), length);
            SourceStream stream = new SourceStream(ContentDecoding.decode(ahead, codings), source, url, maxBytes);
            stream.hop(hop);
            stream.answeredAt(answeredAt);
            // The validators the next refresh will send: a Last-Modified only if it is strong, and
            // none for a body whose end only the connection's close marks. Such a body cut at a
            // line end loads as a shorter file (the completeness check warns of an allocation
            // file's short week); its ETag names the whole file all the same, and the next refresh
            // would be answered 304 and keep the short one for good. Without them it asks again
            // whole, and the hash of the bytes decides.
            if (framed(response.headers())) {
                stream.validators(Validators.usableEtag(Validators.single(etags)), Validators.usableLastModified(
                    Validators.single(lastModifieds), Validators.single(response.headers().allValues("Date"))));
            }
            try {
                // One budget for the whole fetch: what earlier attempts and the headers took is spent.
                stream.expireAfter(attempts.left(), timeout, deadlines, ahead::waitsForReader);
                return stream;
            } catch (RejectedExecutionException e) {
                // close() came after this attempt started: let go of the body, end as a shutdown.
                stream.abandon(SourceAbandonedException.SHUTTING_DOWN);
                throw SourceAbandonedException.shuttingDown();
            }
        }

        /**
         * What the request to {@code at} (after {@code followed} redirects) asks "changed since?"
         * about, or null: only the resource whose validators the last good refresh kept is asked
         * ({@link KnownSource#validatorsFrom}). Elsewhere the fetch asks for the whole body, and
         * the hash of its bytes tells whether they are the ones kept.
         */
        private KnownSource asking(URI at, int followed) {
            KnownSource asked = known;
            return asked != null && (asked.etag() != null || asked.lastModified() != null)
                && asked.validatorsFrom(at, followed) ? asked : null;
        }

        /** Where an answer came from, when a redirect led there: " (at URL, after 1 redirect)"; "" when not. */
        private static String hop(URI at, int followed) {
            return followed == 0 ? "" : " (at " + Printable.shorten(Redaction.url(at), 200) + ", after "
                + followed + " redirect" + (followed == 1 ? "" : "s") + ")";
        }

        /**
         * One request, to {@code at}: the source's URL, or where it redirected after
         * {@code followed} redirects. A fault is the source's, and names the hop it happened at.
         */
        private HttpResponse<Flow.Publisher<List<ByteBuffer>>> send(URI at, int followed) {
            String hop = hop(at, followed);
            HttpRequest.Builder builder;
            try {
                builder = HttpRequest.newBuilder(at);
            } catch (IllegalArgumentException e) {
                throw cannotAsk(e, hop);
            }
            builder.timeout(attempts.left())
                .header("Accept", "text/csv, text/plain;q=0.9, */*;q=0.1")
                .header("Accept-Encoding", "gzip, deflate")
                .header("User-Agent", userAgent);
            KnownSource asked = asking(at, followed);
            if (asked != null && asked.etag() != null) {
                builder.header("If-None-Match", asked.etag());
            }
            if (asked != null && asked.lastModified() != null) {
                builder.header("If-Modified-Since", asked.lastModified());
            }
            HttpRequest request = builder.GET().build();
            try {
                return http().send(request, HttpResponse.BodyHandlers.ofPublisher());
            } catch (HttpConnectTimeoutException e) {
                throw SourceException.timeout(source, url, "no connection within " + timeout.toSeconds() + " s"
                    + hop, e);
            } catch (HttpTimeoutException e) {
                throw SourceException.timeout(source, url, "no response within " + timeout.toSeconds() + " s" + hop,
                    e);
            } catch (ConnectException e) {
                // The JDK client reports a name it cannot resolve as a failed connection too.
                if (UpstreamFaults.unresolved(e)) {
                    throw SourceException.unavailable(source, url, "unknown host " + at.getHost() + hop, e);
                }
                throw SourceException.transientFault(source, url, "connection refused" + hop, e, null);
            } catch (IOException e) {
                if (UpstreamFaults.unresolved(e)) {
                    throw SourceException.unavailable(source, url, UpstreamFaults.describe(e) + hop, e);
                }
                if (UpstreamFaults.malformed(e)) {
                    // Asked again, the same upstream writes the same answer: not transient.
                    throw SourceException.unavailable(source, url, "upstream's answer is not HTTP" + hop + ": "
                        + Printable.shorten(UpstreamFaults.describe(e), 200), e);
                }
                // Reset, or closed before a status line: the upstream's fault, not the request's.
                throw SourceException.transientFault(source, url, UpstreamFaults.describe(e) + hop, e, null);
            } catch (IllegalArgumentException e) {
                NumberFormatException length = UpstreamFaults.unreadableLength(e);
                if (length != null) {
                    // The answer's fault, not the URL's: the client could not read its Content-Length.
                    throw SourceException.unavailable(source, url, "upstream's answer gives a Content-Length that "
                        + "is not one length (" + Printable.shorten(length.getMessage(), 100) + ")" + hop
                        + ": where its body ends cannot be told, so it is not loaded (RFC 9112, 6.3)", e);
                }
                // The client found the URL unusable only now (a port out of range, say): Config
                // checks URLs at start, and a redirect's target is checked before it is followed,
                // but a refresh must still name its source, never answer 500.
                throw cannotAsk(e, hop);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (closed) {
                    // The service is stopping (close() interrupts the fetch threads): not the upstream's fault.
                    throw SourceAbandonedException.shuttingDown();
                }
                throw SourceException.unavailable(source, url, "interrupted while fetching", e);
            }
        }

        /**
         * The fault of a URL that no request can be made of (the source's, or the one at
         * {@code hop}): not transient, and named by source.
         */
        private SourceException cannotAsk(IllegalArgumentException e, String hop) {
            return SourceException.unavailable(source, url, "cannot request this URL" + hop + ": "
                + Redaction.inText(e.getMessage()), e);
        }

        /**
         * A file: a conditional fetch hashes it first (a file has no validators, and hashing is
         * far cheaper than loading), and does not read it again when it is the file last loaded.
         * Only a regular file is read: opening a named pipe waits for a writer, and reading it or
         * a device never ends, which SOURCE_TIMEOUT (a deadline on HTTP bodies) cannot stop.
         */
        private SourceStream openFile() {
            Path path;
            try {
                // file:relative/path is opaque (no leading slash): resolve it against the working directory.
                path = url.isOpaque() ? Path.of(url.getSchemeSpecificPart()) : Path.of(url);
            } catch (IllegalArgumentException | FileSystemNotFoundException e) {
                throw SourceException.unavailable(source, url, "not a file this machine can open: " + e.getMessage(), e);
            }
            try {
                BasicFileAttributes file = Files.readAttributes(path, BasicFileAttributes.class);
                if (!file.isRegularFile()) {
                    throw SourceException.unavailable(source, url, path.toAbsolutePath() + " is not a regular file ("
                        + (file.isDirectory() ? "a directory" : "a named pipe, socket or device")
                        + "): a source must be a file on disk", null);
                }
                if (known != null && known.sha256() != null && known.sha256().equals(sha256(path))) {
                    return SourceStream.notModified(source, url, known.sha256(), null, null);
                }
                known = null; // changed: read it whole on any later attempt, as for an upstream's 200
                FileBody body = FileBody.open(path, source, url);
                SourceStream stream = new SourceStream(ContentDecoding.decode(body, List.of()), source, url, maxBytes);
                stream.watchForChanges(() -> body.changed(false));
                return stream;
            } catch (NoSuchFileException e) {
                throw SourceException.unavailable(source, url, "no such file: " + path.toAbsolutePath(), e);
            } catch (IOException e) {
                if (closed) {
                    // close() interrupted the hashing (ClosedByInterruptException): not the file's fault.
                    throw SourceAbandonedException.shuttingDown();
                }
                throw SourceException.unavailable(source, url, UpstreamFaults.describe(e), e);
            }
        }
    }

    /** The SHA-256 of a file's bytes as a body of it would hash: decoded, if it is gzip. */
    private static String sha256(Path path) throws IOException {
        try (InputStream in = ContentDecoding.decode(Files.newInputStream(path), List.of())) {
            return Sha256.hex(in);
        }
    }

    /**
     * Stops the fetch threads and the deadline timer, for good: called when the service stops
     * refreshing. A fetch still waiting for its upstream is interrupted and ends as a shutdown
     * ({@link SourceAbandonedException}), not as the upstream's fault; one asked for later is
     * refused the same way. A process that builds many services, as the tests do, keeps no thread.
     */
    @Override
    public void close() {
        closed = true;
        threads.shutdownNow();
        deadlines.shutdownNow();
    }

    /**
     * The body's length as its Content-Length says, or -1: a chunked body, one without a length
     * (it ends when the connection closes), or one whose Content-Length the JDK would have refused.
     *
     * <p>An answer whose framing says two things is refused (IllegalArgumentException, its message
     * for the refresh's detail): RFC 9112 (6.3) calls it an unrecoverable error, and the JDK's
     * client reads it one of the two ways without a word. It takes the first of two different
     * Content-Lengths, so a body whose first one ends at a line break loaded without its last
     * lines; and it reads a chunked body by a Content-Length beside it, chunk sizes and all. A
     * Transfer-Encoding other than chunked it reads as the raw bytes, which are not the file.
     */
    static long declaredLength(HttpHeaders headers) {
        List<String> codings = listed(headers.allValues("Transfer-Encoding"));
        List<String> lengths = listed(headers.allValues("Content-Length"));
        String unframed = "): where its body ends cannot be told, so it is not loaded (RFC 9112, 6.3)";
        if (!codings.isEmpty()) {
            if (!lengths.isEmpty()) {
                throw new IllegalArgumentException("upstream's answer is framed two ways (Transfer-Encoding: "
                    + String.join(", ", codings) + " and Content-Length: " + String.join(", ", lengths) + unframed);
            }
            // identity (RFC 2616's, since withdrawn) is no coding: the body ends when the connection does.
            if (!codings.stream().allMatch(c -> c.equalsIgnoreCase("identity"))
                    && !(codings.size() == 1 && codings.get(0).equalsIgnoreCase("chunked"))) {
                throw new IllegalArgumentException("upstream sent the body with Transfer-Encoding "
                    + String.join(", ", codings) + ", which this service cannot decode (it reads chunked)");
            }
            return -1;
        }
        if (lengths.stream().distinct().count() > 1) {
            throw new IllegalArgumentException("upstream's answer gives two lengths (Content-Length: "
                + String.join(", ", lengths) + unframed);
        }
        if (lengths.isEmpty()) {
            return -1;
        }
        long length;
        try {
            length = Long.parseLong(lengths.get(0));
        } catch (NumberFormatException e) {
            length = -1;
        }
        if (length < 0) {
            // The JDK refuses most such lengths itself (unreadableLength); a negative one it took
            // for a length, and the whole body that followed was called a download cut short.
            throw new IllegalArgumentException("upstream's answer gives a Content-Length that is no length ("
                + Printable.shorten(lengths.get(0), 100) + unframed);
        }
        return length;
    }

    private static final Pattern WHOLE_RANGE = Pattern.compile("bytes\\s+0-(\\d{1,18})/(\\d{1,18})");

    /**
     * What a 200's Content-Range says of a part, or null when it has none or names the whole file
     * ({@code bytes 0-91136/91137}). A range of another part, an unknown length ({@code /*}) or an
     * unreadable range does not say the body is the file, and is told as it was written.
     */
    static String partOnly(List<String> contentRanges) {
        if (contentRanges.isEmpty()) {
            return null;
        }
        if (contentRanges.size() == 1) {
            Matcher whole = WHOLE_RANGE.matcher(contentRanges.get(0).strip());
            if (whole.matches() && Long.parseLong(whole.group(1)) + 1 == Long.parseLong(whole.group(2))) {
                return null;
            }
        }
        return "Content-Range: " + Printable.shorten(String.join(", ", contentRanges), 100)
            + " (a part of the file, or one it does not say is the whole)";
    }

    /**
     * Whether the answer says where its body ends: a Content-Length (counted by the service as
     * the body arrives), or the chunked coding (its last chunk). Otherwise the connection's close
     * ends it, and a close too early cannot be told from the end (RFC 9112, 6.3).
     */
    static boolean framed(HttpHeaders headers) {
        List<String> codings = listed(headers.allValues("Transfer-Encoding"));
        if (!codings.isEmpty()) {
            return codings.size() == 1 && codings.get(0).equalsIgnoreCase("chunked");
        }
        return declaredLength(headers) >= 0;
    }

    /** A header's values as one list, lines and commas alike (RFC 9110, 5.3), trimmed, empty ones left out. */
    private static List<String> listed(List<String> lines) {
        return lines.stream().flatMap(line -> Arrays.stream(line.split(",")))
            .map(String::strip).filter(value -> !value.isEmpty()).toList();
    }

    /** The reason phrase of a 2xx other than 200 (RFC 9110, 15.3), in the words of the status' name. */
    private static String describeStatus(int status) {
        return switch (status) {
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 203 -> "Non-Authoritative Information";
            case 204 -> "No Content";
            case 205 -> "Reset Content";
            case 206 -> "Partial Content";
            case 207 -> "Multi-Status";
            case 208 -> "Already Reported";
            case 226 -> "IM Used";
            default -> "a success other than 200";
        };
    }

}
