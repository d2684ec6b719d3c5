package io.scalesmall.stream.protocol;

/**
 * The error codes an {@link ErrorFrame} carries (u16 on the wire). ONLY APPEND TO THIS LIST: the ids are part of
 * the wire contract (docs/wire-format.md §S6). A <em>fatal</em> code means the node closes the connection right
 * after sending the error; the others fail only the request or batch they name.
 */
public enum ErrorCode {
    /** A frame was malformed (bad length, field out of range, trailing bytes). Fatal. */
    MALFORMED(1, true),
    /** A frame's version byte is not one this node speaks. Fatal. */
    UNSUPPORTED_VERSION(2, true),
    /** A frame's type id is unknown, or the type is one only a node sends. Fatal. */
    UNKNOWN_TYPE(3, true),
    /** A frame's length exceeds the receiver's maximum frame size (checked before anything is allocated). Fatal. */
    FRAME_TOO_LARGE(4, true),
    /** DATA before INIT, or a second INIT on one connection (the sketch's "missing Init"). Fatal. */
    NOT_INITIALIZED(5, true),
    /** The stream name is empty or not UTF-8: fails the INIT, FETCH or OFFSETS it came in; the connection stays open. */
    BAD_STREAM_NAME(6, false),
    /** A message exceeds the node's maximum message size; the whole batch is refused. */
    MESSAGE_TOO_LARGE(7, false),
    /** The node's log is at its disk budget; the batch was not stored. Reads keep working. */
    LOG_FULL(8, false),
    /** A FETCH asked for an offset outside [first, end]; {@code detail} holds the stream's first offset. */
    OFFSET_OUT_OF_RANGE(9, false),
    /** INIT asked for more copies (redundancy or ack copies) than the node can make. Fatal. */
    REDUNDANCY_UNAVAILABLE(10, true),
    /** The log failed to write, read or sync; durability of the batch is unknown. */
    STORAGE_ERROR(11, false),
    /**
     * A batch repeats sequences at or below the last one the node stored for this producer, but no batch the node
     * still remembers holds them (older than its window of recent batches, or in a gap the producer skipped after
     * an error). Nothing was stored; the messages' outcome is unknown to the node: they were stored long ago, or
     * refused earlier. {@code detail} holds the last sequence stored; the producer continues above it.
     */
    DUPLICATE_UNKNOWN(12, false),
    /** The node is shutting down. Fatal. */
    SHUTTING_DOWN(13, true),
    /**
     * A client INIT (hop 0) reached a node that is not the head of the stream's chain: the INIT is refused, the
     * connection stays open without a session (FETCH and OFFSETS work on any replica). The text is exactly the head's
     * address as {@code HOST:PORT} ({@code [v6]:PORT} for IPv6) so that a client can redirect; {@code detail} is the
     * head's port. Not fatal.
     */
    NOT_HEAD(14, false),
    /**
     * A REPLICATE frame starts above the receiver's end offset of the stream (messages in between are missing): the
     * receiver cannot store it at the head's offsets. {@code detail} holds the receiver's end offset; the upstream
     * resends from there. Fatal.
     */
    OFFSET_GAP(15, true),
    /**
     * A client INIT reached the head of the stream's chain while it could not yet learn, within its catch-up time,
     * how far the stream's other holders hold it (a holder did not answer): the INIT is refused so that no offset
     * collides with data a holder has. Retriable: the client tries again later (the connection stays open without a
     * session). Not fatal.
     */
    CATCHING_UP(16, false);

    /** The code on the wire, 1..65535. */
    public final int id;
    /** Whether the node closes the connection after sending it. */
    public final boolean fatal;

    ErrorCode(int id, boolean fatal) {
        this.id = id;
        this.fatal = fatal;
    }

    /** @return the code with this id, or null when unknown to this version (a newer node's code) */
    public static ErrorCode of(int id) {
        for (ErrorCode c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        return null;
    }
}
