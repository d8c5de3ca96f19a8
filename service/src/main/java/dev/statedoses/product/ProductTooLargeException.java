package dev.statedoses.product;

/**
 * The product's weeks do not fit this process's heap beside what it holds: found before reading
 * them ({@link HeapRoom}), or when the heap ran out while reading them. The snapshot it has stays
 * (at start: none, and the start fails with this message, in one line). The message says how many
 * weeks, the heap they need and have, and what to do.
 */
public final class ProductTooLargeException extends RuntimeException {

    ProductTooLargeException(String message, Throwable cause) {
        super(message, cause);
    }
}
