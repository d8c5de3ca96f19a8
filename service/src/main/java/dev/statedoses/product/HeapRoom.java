package dev.statedoses.product;

import java.util.Locale;

/**
 * Whether this process's heap can take a snapshot of the product's weeks beside what it holds,
 * asked before they are read. A product at hundreds of times the real number of weeks in a heap
 * too small for it ran the heap out at start, and the process ended with the JVM's own line
 * ({@code Terminating due to java.lang.OutOfMemoryError}, under the image's
 * {@code -XX:+ExitOnOutOfMemoryError}) or a stack trace, saying neither what nor how much.
 *
 * <p>The measure is the snapshot's own: {@link #BYTES_PER_WEEK} a week (at 300 times the real
 * weeks, 413,151 of them hold 13.7 MB), and {@link #MARGIN} for the driver's fetch of 10,000 rows
 * and what the start builds after it. The heap in use counts what is garbage too, so when that
 * alone says no, a collection first finds what is really held: only near the limit, so that a
 * start of the real product collects nothing. A product refused here leaves less than the margin
 * free; one let through may still run the heap out while reading, which {@link RatioRepository#product}
 * then says in the same words.
 */
public final class HeapRoom {

    /**
     * The heap a week of the snapshot holds, at least (WeeklySeries: a date shared by the states,
     * three longs, and its people per dose as a long and a byte: 33 bytes).
     */
    static final long BYTES_PER_WEEK = 32;
    static final long MARGIN = 9L << 20;
    private static final long MIB = 1L << 20;
    /** What every message here asks for. */
    private static final String LARGER_HEAP =
        "a larger heap (java -Xmx..., or -XX:MaxRAMPercentage and the container's memory for the image)";

    private HeapRoom() {
    }

    /**
     * Whether the heap has {@code bytes} free beside what it holds: collected first only when it
     * does not have them counting its garbage as held.
     */
    public static boolean hasFree(long bytes) {
        Runtime runtime = Runtime.getRuntime();
        if (used(runtime) + bytes <= runtime.maxMemory()) {
            return true;
        }
        System.gc(); // near the limit: what is held, not what is garbage
        return used(runtime) + bytes <= runtime.maxMemory();
    }

    /** The heap's limit (-Xmx), in MiB, rounded up. */
    public static long maxMib() {
        return mib(Runtime.getRuntime().maxMemory());
    }

    /** Throws when {@code weeks} weekly rows cannot fit the heap beside what it holds now. */
    static void ensure(long weeks) {
        long need = weeks * BYTES_PER_WEEK + MARGIN;
        if (!hasFree(need)) {
            Runtime runtime = Runtime.getRuntime();
            throw new ProductTooLargeException(tooLarge(weeks, need, runtime.maxMemory() - used(runtime), null), null);
        }
    }

    /** What reading {@code weeks} ran out of heap at {@code read} of them says. */
    static ProductTooLargeException ranOut(long weeks, long read, OutOfMemoryError e) {
        return new ProductTooLargeException(tooLarge(weeks, weeks * BYTES_PER_WEEK + MARGIN, -1, read), e);
    }

    private static String tooLarge(long weeks, long need, long free, Long read) {
        long max = Runtime.getRuntime().maxMemory();
        String had = read != null ? "the heap ran out after " + String.format(Locale.ROOT, "%,d", read) + " of them"
            : "this JVM has " + mib(Math.max(free, 0)) + " MiB of its " + mib(max) + " MiB left";
        return "the product's " + String.format(Locale.ROOT, "%,d", weeks) + " weekly rows need about " + mib(need)
            + " MiB of heap to be served from memory, and " + had + " (its limit, -Xmx, is " + mib(max) + " MiB): "
            + "start the service with " + LARGER_HEAP;
    }

    /** What a start that ran the heap out after reading the product says. */
    public static String ranOutStarting() {
        return "the service ran out of heap while starting (its limit, -Xmx, is " + mib(Runtime.getRuntime().maxMemory())
            + " MiB), its product read: start it with " + LARGER_HEAP;
    }

    private static long used(Runtime runtime) {
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static long mib(long bytes) {
        return (bytes + MIB - 1) / MIB;
    }
}
