package dev.statedoses.source;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A body as the HTTP client delivers it, kept ahead of its reader in a bounded queue of chunks:
 * so the downloads of a refresh's sources overlap each other and the loading of the one before,
 * while a source far larger than the bound still streams (no more is asked for while the queue
 * is full).
 *
 * <p>A failure of the download reaches the reader where it happened, after every byte that came
 * before it. The JDK's own {@code BodyHandlers.ofInputStream()} does not: once the connection
 * fails, it throws at the next read and drops the bytes it had already received and not yet handed
 * over, so where a cut body was reported to end depended on how far the reader had got when the
 * failure came (a timing race: CI once saw a body cut after line 5 reported as ending on line 1).
 */
final class ReadAhead extends InputStream implements Flow.Subscriber<List<ByteBuffer>> {

    /** Larger than any real source (150 kB), small beside the heap (three at once: 12 MB). */
    static final int CAPACITY = 4 * 1024 * 1024;

    /** The body's Content-Length, or -1 when it declared none. */
    private final long declared;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    /** Calls on the subscription one at a time (Reactive Streams 2.7), never under this monitor. */
    private final ReentrantLock demand = new ReentrantLock();
    private Flow.Subscription subscription;
    /** A request made and its chunk not yet delivered: no second one until it is. */
    private boolean requested;
    private long received;
    private int queued;
    private int offset; // into the first chunk
    private boolean ended;
    private IOException failure;
    private boolean closed;

    private ReadAhead(long declared) {
        this.declared = declared;
    }

    /**
     * Starts taking {@code body} (the HTTP client's, from {@code BodyHandlers.ofPublisher()}).
     * With {@code declared} (the body's Content-Length; -1 for none), a body that ends before that
     * many bytes fails as cut short, whatever the transport below said: the JDK's client normally
     * does so itself, but a body that ended quietly on a boundary of lines would otherwise load as
     * a whole file.
     */
    static ReadAhead start(Flow.Publisher<List<ByteBuffer>> body, long declared) {
        ReadAhead ahead = new ReadAhead(declared);
        body.subscribe(ahead);
        return ahead;
    }

    /** Lets go of a body that will not be read (an error status, a 304): the connection is freed. */
    static void discard(Flow.Publisher<List<ByteBuffer>> body) {
        ReadAhead none = new ReadAhead(-1);
        none.close(); // closed before it subscribes: it cancels without asking for anything
        body.subscribe(none);
    }

    @Override
    public void onSubscribe(Flow.Subscription given) {
        boolean cancel;
        synchronized (this) {
            cancel = closed || subscription != null;
            if (!cancel) {
                subscription = given;
                requested = true;
            }
        }
        call(given, !cancel);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        Flow.Subscription more = null;
        synchronized (this) {
            requested = false;
            if (closed) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                int n = buffer.remaining();
                if (n > 0) {
                    byte[] chunk = new byte[n];
                    buffer.get(chunk);
                    chunks.addLast(chunk);
                    queued += n;
                    received += n;
                }
            }
            notifyAll();
            if (wantsMore()) {
                more = subscription;
            }
        }
        if (more != null) {
            call(more, true);
        }
    }

    @Override
    public void onError(Throwable cause) {
        finish(cause instanceof IOException io ? io
            : cause instanceof UncheckedIOException unchecked ? unchecked.getCause()
            : new IOException(cause.getMessage(), cause));
    }

    @Override
    public void onComplete() {
        long came;
        synchronized (this) {
            came = received;
        }
        if (declared >= 0 && came != declared) {
            // Worded as the JDK words its own; SourceStream reports an EOFException as a cut.
            String counts = "fixed content-length: " + declared + ", bytes received: " + came;
            finish(came < declared
                ? new IOException(counts, new EOFException("the body ended before its Content-Length"))
                : new IOException(counts + ": more than its Content-Length"));
        } else {
            finish(null);
        }
    }

    private synchronized void finish(IOException e) {
        if (!ended) {
            ended = true;
            failure = e;
        }
        notifyAll();
    }

    /** Under this monitor: whether to ask for the next chunk now (and if so, that one is asked for). */
    private boolean wantsMore() {
        if (requested || ended || closed || subscription == null || queued >= CAPACITY) {
            return false;
        }
        requested = true;
        return true;
    }

    /** Asks {@code to} for one more chunk, or cancels it; outside this monitor, one call at a time. */
    private void call(Flow.Subscription to, boolean request) {
        demand.lock();
        try {
            if (request) {
                to.request(1);
            } else {
                to.cancel();
            }
        } finally {
            demand.unlock();
        }
    }

    /**
     * Whether the download has done all it can for now: it has ended (the whole body is here, or
     * its failure is, for the reader to meet), or its queue is full and it waits for the reader.
     * Either way a slow reader (the warehouse taking the rows) is what holds the body up, not the
     * upstream.
     */
    synchronized boolean waitsForReader() {
        return ended || queued >= CAPACITY;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int into, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        int count;
        Flow.Subscription more = null;
        synchronized (this) {
            while (chunks.isEmpty() && !ended && !closed) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the body");
                }
            }
            if (closed) {
                throw new IOException("closed");
            }
            if (chunks.isEmpty()) {
                if (failure != null) {
                    throw failure;
                }
                return -1;
            }
            byte[] first = chunks.peekFirst();
            count = Math.min(length, first.length - offset);
            System.arraycopy(first, offset, buffer, into, count);
            offset += count;
            if (offset == first.length) {
                chunks.removeFirst();
                offset = 0;
            }
            queued -= count;
            if (wantsMore()) {
                more = subscription;
            }
        }
        if (more != null) {
            call(more, true);
        }
        return count;
    }

    /** Stops the download and lets go of the body: a reader blocked in read() fails at once. */
    @Override
    public void close() {
        Flow.Subscription toCancel;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            chunks.clear();
            queued = 0;
            toCancel = ended ? null : subscription;
            notifyAll();
        }
        if (toCancel != null) {
            call(toCancel, false);
        }
    }
}
