package io.scalesmall.topology;

/**
 * One write of one member: the member, its incarnation and the write counter within that incarnation.
 * In delta-CRDT terms (Almeida, Shoker, Baquero, "Delta state replicated data types", JPDC 2018) this is
 * a <em>dot</em>.
 *
 * <p>Only the member itself mints its clocks (the single-writer rule of seed 002 / reference §3.6), so two
 * clocks of one member are totally ordered: first by {@code incarnation}, then by {@code counter}.
 * Clocks of different members are never compared ({@link #compareTo} throws, as the original's
 * {@code max_clock} did).
 *
 * <p>The incarnation is what the original lacked: a member that restarts without its old state starts a
 * new, higher incarnation (by default its start time in ms since the epoch, see {@link LocalMember}), so it
 * never reuses a clock value, and every write of the new incarnation supersedes every write of the old.
 *
 * @param member      the writer, non-null
 * @param incarnation 0..{@link Long#MAX_VALUE}; higher means a later life of the member
 * @param counter     0..{@link Long#MAX_VALUE}; the n-th write of that incarnation, from 0
 */
public record LocalClock(NetId member, long incarnation, long counter) implements Comparable<LocalClock> {

    /** @throws IllegalArgumentException naming the field and value when one is invalid */
    public LocalClock {
        if (member == null) {
            throw new IllegalArgumentException("member: null");
        }
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnation: " + incarnation + " is negative");
        }
        if (counter < 0) {
            throw new IllegalArgumentException("counter: " + counter + " is negative");
        }
    }

    /** @return the member's next write in the same incarnation */
    public LocalClock next() {
        return new LocalClock(member, incarnation, Math.addExact(counter, 1));
    }

    /**
     * Orders two writes of the same member.
     *
     * @throws IllegalArgumentException if the members differ
     */
    @Override
    public int compareTo(LocalClock o) {
        if (!member.equals(o.member)) {
            throw new IllegalArgumentException("cannot compare clocks of different members: " + member + " and " + o.member);
        }
        int c = Long.compare(incarnation, o.incarnation);
        return c != 0 ? c : Long.compare(counter, o.counter);
    }

    /** @return the later of two clocks of one member ({@code a} on a tie) */
    public static LocalClock max(LocalClock a, LocalClock b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public String toString() {
        return member + "@" + incarnation + "." + counter;
    }
}
