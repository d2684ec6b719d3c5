package io.scalesmall.stream.protocol;

import java.util.Locale;
import java.util.Objects;

/**
 * What a producer session waits for before it counts a message as sent (client-controlled durability, seed 000).
 *
 * <ul>
 *   <li>{@code none} ({@link #NONE}): nothing; a message is "sent" once written to the socket. The node sends no
 *       acks. Fastest; a message may be lost on any failure, and is never resent.</li>
 *   <li>{@code memory=N}: the node acks once N copies hold it in memory (in the log, visible to readers). Survives
 *       the client's failure; lost if the node crashes before its next fsync.</li>
 *   <li>{@code disk=N}: the node acks once N copies have it on disk (fsync, by group commit). Survives a crash of
 *       the node process or machine.</li>
 * </ul>
 *
 * On one node N is 1 (a larger N is refused with {@link ErrorCode#REDUNDANCY_UNAVAILABLE}). The default is
 * {@link #DEFAULT} = {@code disk=1}: safe unless the user asks for speed (as Kafka's producer defaults to
 * {@code acks=all} since 3.0). Immutable.
 *
 * @param level  what is waited for
 * @param copies how many copies: 0 for {@link Level#NONE}, 1..255 otherwise
 */
public record AckMode(Level level, int copies) {
    /** What is waited for; the wire value is {@link #id}. */
    public enum Level {
        NONE(0), MEMORY(1), DISK(2);

        /** The u8 on the wire. */
        public final int id;

        Level(int id) {
            this.id = id;
        }

        /** @return the level with this wire id, or null */
        public static Level of(int id) {
            for (Level l : values()) {
                if (l.id == id) {
                    return l;
                }
            }
            return null;
        }
    }

    /** Fire and forget. */
    public static final AckMode NONE = new AckMode(Level.NONE, 0);
    /** The default: one copy on disk. */
    public static final AckMode DEFAULT = new AckMode(Level.DISK, 1);

    /** @throws IllegalArgumentException if copies does not fit the level */
    public AckMode {
        Objects.requireNonNull(level, "level");
        if (level == Level.NONE ? copies != 0 : copies < 1 || copies > 255) {
            throw new IllegalArgumentException("ack " + level.name().toLowerCase(Locale.ROOT) + " needs "
                    + (level == Level.NONE ? "0 copies" : "1..255 copies") + ", got " + copies);
        }
    }

    /** @return {@code memory=copies} */
    public static AckMode memory(int copies) {
        return new AckMode(Level.MEMORY, copies);
    }

    /** @return {@code disk=copies} */
    public static AckMode disk(int copies) {
        return new AckMode(Level.DISK, copies);
    }

    /**
     * Parses {@code none}, {@code memory=N} or {@code disk=N} (case-insensitive; N in 1..255).
     *
     * @throws IllegalArgumentException naming the text when it is none of these
     */
    public static AckMode parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("none")) {
            return NONE;
        }
        int eq = t.indexOf('=');
        String kind = eq < 0 ? t : t.substring(0, eq);
        if (eq < 0 || !(kind.equals("memory") || kind.equals("disk"))) {
            throw new IllegalArgumentException("ack '" + text + "' is not none, memory=N or disk=N");
        }
        int n;
        try {
            n = Integer.parseInt(t.substring(eq + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ack '" + text + "': N is not a number", e);
        }
        return new AckMode(kind.equals("memory") ? Level.MEMORY : Level.DISK, n);
    }

    @Override
    public String toString() {
        return level == Level.NONE ? "none" : level.name().toLowerCase(Locale.ROOT) + "=" + copies;
    }
}
