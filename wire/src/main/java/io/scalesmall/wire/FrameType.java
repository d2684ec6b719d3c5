package io.scalesmall.wire;

/**
 * The type id of a frame's payload. ONLY APPEND TO THIS LIST: ids are on the wire and never change or get
 * reused (docs/wire-format.md, "Frame types").
 */
public enum FrameType {
    /** {@code GossipMsg}: the broadcast envelope around another message. */
    GOSSIP(1),
    /** {@code GroupStateMsg}: a whole group state. */
    GROUP_STATE(2),
    /** {@code GroupStateMsg}: a delta of a group state (merged the same way). */
    GROUP_DELTA(3),
    /** {@code DigestMsg}: a group's digest and world clock, for anti-entropy. */
    DIGEST(4),
    /** {@code SwimMsg}: a failure-detector packet (probes, acks, updates), sent by UDP unicast. */
    SWIM(5);

    private static final FrameType[] BY_ID = new FrameType[256];

    static {
        for (FrameType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;

    FrameType(int id) {
        this.id = id;
    }

    /** @return the wire id, 1..255 */
    public int id() {
        return id;
    }

    /** @return the type with that id, or null if this version does not know it */
    public static FrameType byId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
