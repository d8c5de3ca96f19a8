package dev.statedoses.source;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;

/**
 * Reads a body ahead of its reader, on a thread of its own, into a bounded queue of chunks: so
 * the downloads of a refresh's sources overlap each other and the loading of the one before,
 * while a source far larger than the bound still streams (the download waits when the queue is
 * full). A failure of the download reaches the reader where it happened, after the bytes before it.
 */
final class ReadAhead extends InputStream {

    /** Larger than any real source (150 kB), small beside the heap (three at once: 12 MB). */
    static final int CAPACITY = 4 * 1024 * 1024;
    private static final int CHUNK = 64 * 1024;

    private final InputStream in;
    /** The body's Content-Length, or -1 when it declared none. */
    private final long declared;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private int queued;
    private int offset; // into the first chunk
    private boolean ended;
    private IOException failure;
    private boolean closed;

    private ReadAhead(InputStream in, long declared) {
        this.in = in;
        this.declared = declared;
    }

    /**
     * Starts reading {@code in} ahead. With {@code declared} (the body's Content-Length; -1 for
     * none), a body that ends before that many bytes fails as cut short, whatever the transport
     * below said: the JDK's client normally does so itself, but a body that ended quietly on a
     * boundary of lines would otherwise load as a whole file.
     */
    static ReadAhead start(InputStream in, ExecutorService threads, long declared) {
        ReadAhead ahead = new ReadAhead(in, declared);
        threads.execute(ahead::download);
        return ahead;
    }

    private void download() {
        byte[] buffer = new byte[CHUNK];
        long received = 0;
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (n > 0) {
                    received += n;
                    put(Arrays.copyOf(buffer, n));
                }
            }
            if (declared >= 0 && received != declared) {
                // Worded as the JDK words its own; SourceStream reports an EOFException as a cut.
                String counts = "fixed content-length: " + declared + ", bytes received: " + received;
                throw received < declared
                    ? new IOException(counts, new EOFException("the body ended before its Content-Length"))
                    : new IOException(counts + ": more than its Content-Length");
            }
            finish(null);
        } catch (IOException e) {
            finish(e);
        } catch (InterruptedException e) {
            finish(new InterruptedIOException("stopped"));
        }
    }

    private synchronized void put(byte[] chunk) throws InterruptedException, IOException {
        while (queued >= CAPACITY && !closed) {
            wait();
        }
        if (closed) {
            throw new IOException("closed");
        }
        chunks.addLast(chunk);
        queued += chunk.length;
        notifyAll();
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

    private synchronized void finish(IOException e) {
        ended = true;
        failure = e;
        notifyAll();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] buffer, int into, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
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
        int count = Math.min(length, first.length - offset);
        System.arraycopy(first, offset, buffer, into, count);
        offset += count;
        if (offset == first.length) {
            chunks.removeFirst();
            offset = 0;
        }
        queued -= count;
        notifyAll();
        return count;
    }

    /** Stops the download and closes the body: a reader blocked in read() fails at once. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        in.close();
    }
}
