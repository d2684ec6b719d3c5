package io.scalesmall.stream.client;

/**
 * A stream's offsets.
 *
 * @param first the offset of the oldest message held (equal to end when none is held; 0 for a new stream)
 * @param end   the offset the next message will get
 */
public record Offsets(long first, long end) {
}
