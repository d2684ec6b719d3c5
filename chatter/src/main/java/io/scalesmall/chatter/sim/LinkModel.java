package io.scalesmall.chatter.sim;

import io.scalesmall.chatter.Via;
import io.scalesmall.topology.NetId;
import java.util.Random;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Decides what the simulated network does with one message: drop it, deliver it after a delay, or deliver
 * it more than once. Faults are decorators around a base model (the style of scalecube's NetworkEmulator and
 * aeron's loss generators), so the protocol core never knows it is being tested.
 */
@FunctionalInterface
public interface LinkModel {
    /**
     * @param random the simulation's seeded source; the only randomness a model may use
     * @return the delivery delays in ns, one per copy delivered: empty drops the message, two duplicate it
     */
    long[] deliveries(NetId from, NetId to, Via via, Random random);

    /** @return a network that delivers everything once after {@code delayNanos} */
    static LinkModel fixed(long delayNanos) {
        long[] one = {delayNanos};
        return (from, to, via, random) -> one;
    }

    /**
     * @return a network with delays uniform in {@code [minNanos, maxNanos]}; differing delays reorder
     *         messages
     */
    static LinkModel uniform(long minNanos, long maxNanos) {
        if (minNanos < 0 || maxNanos < minNanos) {
            throw new IllegalArgumentException("delay: [" + minNanos + ", " + maxNanos + "] is not 0 <= min <= max");
        }
        return (from, to, via, random) -> new long[] {minNanos + (long) (random.nextDouble() * (maxNanos - minNanos))};
    }

    /**
     * @param loss        probability 0..1 that a message is lost (applies to every transport: a lost TCP
     *                    message models a connection that broke before delivering it)
     * @param duplication probability 0..1 that a delivered message arrives twice
     * @return this model with loss and duplication added
     */
    default LinkModel withFaults(double loss, double duplication) {
        if (loss < 0 || loss > 1 || duplication < 0 || duplication > 1) {
            throw new IllegalArgumentException("loss " + loss + ", duplication " + duplication + ": not in 0..1");
        }
        LinkModel base = this;
        return (from, to, via, random) -> {
            if (random.nextDouble() < loss) {
                return new long[0];
            }
            long[] d = base.deliveries(from, to, via, random);
            if (d.length == 1 && random.nextDouble() < duplication) {
                long[] again = base.deliveries(from, to, via, random);
                return again.length == 0 ? d : new long[] {d[0], again[0]};
            }
            return d;
        };
    }

    /**
     * @param blocked which directed links are cut right now; consulted at send time
     * @return this model, dropping everything on a cut link
     */
    default LinkModel withPartition(BiPredicate<NetId, NetId> blocked) {
        LinkModel base = this;
        return (from, to, via, random) -> blocked.test(from, to) ? new long[0] : base.deliveries(from, to, via, random);
    }

    /** @return a predicate cutting every link between {@code side} and the rest, both ways */
    static BiPredicate<NetId, NetId> split(Set<NetId> side) {
        return (a, b) -> side.contains(a) != side.contains(b);
    }
}
