package io.scalesmall.stream.protocol;

import java.util.List;
import java.util.Objects;

/**
 * INIT (type 1), client → node: opens a producer session on one stream, after the author's sketch (a channel,
 * the redundancy wanted, the hop number, an exclude list). At most one per connection, before any DATA.
 *
 * @param producerId the producer's id for idempotent retries: any non-zero value, the same across reconnects of one
 *                   producer, so that a resent batch is not stored twice; 0 = no idempotence (plain appends)
 * @param ack        what the session waits for ({@link AckMode}); decides which ACKs the node sends
 * @param redundancy copies of each message wanted, 1..255 (on one node: 1)
 * @param hop        how many hops this session's INIT travelled, 0..255 (0 from a client; chain replication
 *                   increments it)
 * @param stream     the stream's name, 1..255 UTF-8 bytes
 * @param exclude    hosts the next hop should avoid (each hop adds itself), 0..{@value #MAX_EXCLUDE} opaque entries
 *                   of 1..255 bytes each; a hint whose format the hops agree on (the sketch leaves it open)
 */
public record InitFrame(long producerId, AckMode ack, int redundancy, int hop, String stream, List<byte[]> exclude)
        implements Frame {
    /** The most exclude-list entries. */
    public static final int MAX_EXCLUDE = 64;

    public InitFrame {
        Objects.requireNonNull(ack, "ack");
        Objects.requireNonNull(stream, "stream");
        exclude = List.copyOf(exclude);
        if (redundancy < 1 || redundancy > 255) {
            throw new IllegalArgumentException("redundancy must be in 1..255, got " + redundancy);
        }
        if (hop < 0 || hop > 255) {
            throw new IllegalArgumentException("hop must be in 0..255, got " + hop);
        }
        if (exclude.size() > MAX_EXCLUDE) {
            throw new IllegalArgumentException("at most " + MAX_EXCLUDE + " exclude entries, got " + exclude.size());
        }
        for (byte[] e : exclude) {
            if (e.length < 1 || e.length > 255) {
                throw new IllegalArgumentException("an exclude entry holds 1..255 bytes, got " + e.length);
            }
        }
    }

    @Override
    public FrameType type() {
        return FrameType.INIT;
    }
}
