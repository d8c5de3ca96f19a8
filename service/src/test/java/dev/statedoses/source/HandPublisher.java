package dev.statedoses.source;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;

/**
 * A body publisher the test drives by hand, in the shape the JDK's HTTP client gives a body
 * ({@code BodyHandlers.ofPublisher()}): lists of buffers, then the end or a failure. It keeps the
 * rules a real one keeps (nothing sent that was not asked for) and counts what was asked.
 */
final class HandPublisher implements Flow.Publisher<List<ByteBuffer>>, Flow.Subscription {

    private Flow.Subscriber<? super List<ByteBuffer>> subscriber;
    private long demand;
    private boolean cancelled;

    @Override
    public synchronized void subscribe(Flow.Subscriber<? super List<ByteBuffer>> given) {
        subscriber = given;
        given.onSubscribe(this);
    }

    @Override
    public synchronized void request(long n) {
        demand += n;
    }

    @Override
    public synchronized void cancel() {
        cancelled = true;
    }

    synchronized long demand() {
        return demand;
    }

    synchronized boolean cancelled() {
        return cancelled;
    }

    /** Sends {@code parts} as one list of buffers; fails the test if it was not asked for. */
    void send(byte[]... parts) {
        Flow.Subscriber<? super List<ByteBuffer>> to;
        synchronized (this) {
            if (demand == 0) {
                throw new AssertionError("a list of buffers sent that the subscriber did not ask for");
            }
            demand--;
            to = subscriber;
        }
        List<ByteBuffer> list = new ArrayList<>();
        for (byte[] part : parts) {
            list.add(ByteBuffer.wrap(part));
        }
        to.onNext(list);
    }

    void complete() {
        subscriber.onComplete();
    }

    void fail(Throwable failure) {
        subscriber.onError(failure);
    }

}
