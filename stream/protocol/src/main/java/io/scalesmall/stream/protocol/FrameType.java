package io.scalesmall.stream.protocol;

/**
 * The frame types of the stream protocol and their type ids (byte 1 of every frame). The ids are part of the wire
 * contract: ONLY APPEND TO THIS LIST, never renumber or reuse an id. docs/wire-format.md §S4 lists them.
 */
public enum FrameType {
    /** Client → node: opens a producer session on one stream. */
    INIT(1, true),
    /** Node → client: the producer session is open; states the node's limits. */
    INIT_OK(2, false),
    /** Client → node: a batch of messages with the producer's sequence numbers. */
    DATA(3, true),
    /** Node → client: acknowledges a run of sequences, with copies delivered and processed. */
    ACK(4, false),
    /** Client → node: read messages of a stream from an offset, optionally waiting for new ones (long poll). */
    FETCH(5, true),
    /** Node → client: the messages a FETCH asked for. */
    MESSAGES(6, false),
    /** Client → node: ask a stream's first and end offsets. */
    OFFSETS(7, true),
    /** Node → client: a stream's first and end offsets. */
    OFFSETS_REPLY(8, false),
    /** Node → client: a request, a batch or the connection failed; carries an {@link ErrorCode}. */
    ERROR(9, false),
    /**
     * Upstream node → downstream node (chain replication, on a session whose INIT has hop &ge; 1): a batch of a
     * stream's messages at offsets the chain's head assigned; the receiver stores them at exactly those offsets.
     */
    REPLICATE(10, true),
    /**
     * Downstream node → upstream node (chain replication): how far the stream is held in memory and on disk by the
     * sender and every node after it, as end-offset watermarks per copy count.
     */
    CHAIN_ACK(11, false),
    /**
     * Node → node: a node taking over as head asks another holder of a stream for its offsets and the messages it
     * lacks (answered by REPLICATE frames and an OFFSETS_REPLY); the holder stops writing the stream as a head.
     */
    PULL(12, true);

    /** The type id on the wire, 1..255. */
    public final int id;
    /**
     * True for the types a node accepts on its data port (what clients send, and REPLICATE from an upstream node),
     * false for those a node only sends.
     */
    public final boolean fromClient;

    private static final FrameType[] BY_ID = new FrameType[256];

    static {
        for (FrameType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    FrameType(int id, boolean fromClient) {
        this.id = id;
        this.fromClient = fromClient;
    }

    /** @return the type with this id, or null when the id is unknown to this version */
    public static FrameType of(int id) {
        return id < 0 || id > 255 ? null : BY_ID[id];
    }
}
