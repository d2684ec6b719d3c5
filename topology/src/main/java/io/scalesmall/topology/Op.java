package io.scalesmall.topology;

/**
 * What an {@link Item} asserts. Wire codes are the original's (reference §2.5) and append-only.
 */
public enum Op {
    /** "I serve keys {@code start..end} on {@code port}". Code 1. */
    ADD(1),
    /** A tombstone: the member no longer asserts this (member, start, end). Code 2. */
    RMV(2),
    /** "I am in the group and want its topology" (a join); normally over the whole key space. Code 3. */
    GET(3);

    private final int code;

    Op(int code) {
        this.code = code;
    }

    /** @return the wire code: ADD 1, RMV 2, GET 3 */
    public int code() {
        return code;
    }

    /**
     * Rank used only to break a tie between two writes with the same clock (which a correct writer never
     * produces): a removal beats an add, an add beats a get, so a tie resolves to the more conservative
     * claim on every replica.
     */
    int tieRank() {
        return switch (this) {
            case GET -> 0;
            case ADD -> 1;
            case RMV -> 2;
        };
    }

    /**
     * @return the op with that wire code
     * @throws IllegalArgumentException naming the value if there is none
     */
    public static Op fromCode(int code) {
        return switch (code) {
            case 1 -> ADD;
            case 2 -> RMV;
            case 3 -> GET;
            default -> throw new IllegalArgumentException("op: " + code + " is not 1 (ADD), 2 (RMV) or 3 (GET)");
        };
    }
}
