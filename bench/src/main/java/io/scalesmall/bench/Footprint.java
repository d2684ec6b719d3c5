package io.scalesmall.bench;

import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.LocalClock;
import io.scalesmall.topology.NetId;
import io.scalesmall.wire.CodecException;
import io.scalesmall.wire.FrameType;
import io.scalesmall.wire.Messages;
import io.scalesmall.wire.WireMessage.GroupStateMessage;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.openjdk.jol.info.GraphLayout;
import io.scalesmall.chatter.swim.FailureDetector;
import io.scalesmall.chatter.swim.SwimConfig;
import java.util.Random;
import org.openjdk.jol.vm.VM;

/**
 * Retained heap of a 10,000-member × 4-item {@link GroupState} (40,000 items), built by real
 * {@link io.scalesmall.topology.LocalMember} writes. Target (issue): under 10 MB. Not a JMH benchmark; run:
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar io.scalesmall.bench.Footprint            (about 10 s)
 *   java -Djdk.attach.allowAttachSelf=true -cp bench/target/benchmarks.jar io.scalesmall.bench.Footprint
 *   java -cp bench/target/benchmarks.jar io.scalesmall.bench.Footprint [members] [--route]
 * </pre>
 * The second form lets JOL attach its agent to itself and take object sizes from Instrumentation, without
 * the "Unable to get Instrumentation" warning the first form prints; both give the same numbers. The
 * optional arguments change the member count (default 10,000) and add the routing table's footprint.
 *
 *
 * Two measurements that should agree within a few percent:
 * <ol>
 *   <li>JOL: {@link GraphLayout#parseInstance} walks every object reachable from the state and sums their
 *       shallow sizes, as laid out by this JVM (compressed oops and class pointers unless the heap is over
 *       32 GB). Also prints the per-class histogram (top 10 by bytes) and checks that the {@link NetId}s are
 *       shared: one instance per member, not one per item or clock.</li>
 *   <li>Heap delta: {@link MemoryMXBean} heap used before and after building the state (the state held in a
 *       static field, everything else garbage), each after several {@code System.gc()} calls. Noisier; more
 *       accurate with {@code -XX:+UseSerialGC}.</li>
 * </ol>
 * Then the same state after its lazy caches are filled (digest, members; with {@code --route} also the routing
 * table, which is large: see below), and a copy of it as a receiver holds it: decoded from the protobuf message (no {@code LocalClock} sharing between a write's
 * items there, since the decoder makes one per item).
 */
public final class Footprint {
    static final int MEMBERS = 10_000;
    static final long TARGET_BYTES = 10L * 1024 * 1024;
    /** A key inside the first third of the key space, where the fixture's first ADD ranges lie. */
    static final long PROBE_KEY = Item.MAX_KEY / 6;

    /** Holds the state across the second heap reading, so the GC cannot collect it. */
    static volatile GroupState held;

    private Footprint() {
    }

    public static void main(String[] args) throws CodecException, InterruptedException {
        int members = MEMBERS;
        boolean route = false;
        for (String a : args) {
            if (a.equals("--route")) {
                route = true;
            } else {
                members = Integer.parseInt(a);
            }
        }
        // JDK 17 refuses Unsafe.objectFieldOffset on record classes (TimedItem, Item, LocalClock are records),
        // which JOL needs unless it has Instrumentation (-Djdk.attach.allowAttachSelf=true). Without it, let
        // JOL find field offsets its other way; it then prints a harmless "Unable to get Instrumentation"
        // warning. Must be set before JOL's first use.
        if (System.getProperty("jol.magicFieldOffset") == null) {
            System.setProperty("jol.magicFieldOffset", "true");
        }
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();

        // Load and initialise every class the build touches before the first reading, then drop the result.
        Fixtures.build(100, 99);
        long before = usedAfterGc(mx);
        held = Fixtures.build(members, 42).state(); // writers and deltas become garbage here
        long after = usedAfterGc(mx);
        GroupState state = held;
        long heapDelta = after - before;

        System.out.println("JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version")
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB");
        System.out.println(VM.current().details());
        System.out.printf("State: group '%s', %d members, %d items%n%n", state.group(), state.worldClock().size(),
                state.itemCount());

        GraphLayout layout = GraphLayout.parseInstance(state);
        report("JOL retained size (state as built)", layout, state.itemCount());
        System.out.printf("%-44s %,12d bytes = %.2f MiB = %.2f MB  (%.1f B/item)%n",
                "Heap delta (MemoryMXBean, after GC)", heapDelta, mb(heapDelta), heapDelta / 1e6,
                heapDelta / (double) state.itemCount());
        System.out.printf("%-44s %+.1f%%%n", "  heap delta vs JOL",
                100.0 * (heapDelta - layout.totalSize()) / layout.totalSize());
        long netIds = layout.getClassCounts().count(NetId.class);
        long clocks = layout.getClassCounts().count(LocalClock.class);
        System.out.printf("%nNetId instances: %,d for %,d members (%s); LocalClock instances: %,d for %,d items%n",
                netIds, state.worldClock().size(), netIds == state.worldClock().size() ? "shared: one per member"
                        : "NOT shared: expected one per member", clocks, state.itemCount());
        System.out.println();
        System.out.println("Class histogram, top 10 by bytes (GraphLayout.toFootprint()):");
        printTop(layout.toFootprint(), 10);
        System.out.println();
        System.out.printf("Verdict: %.2f MiB (JOL) vs target %.0f MiB: %s%n%n", mb(layout.totalSize()), mb(TARGET_BYTES),
                layout.totalSize() < TARGET_BYTES ? "UNDER target" : "OVER target");

        // The lazily built caches a serving node fills on first use. The routing table only with --route: its
        // size is segments x members per segment, which for this fixture's wide, overlapping ranges is
        // hundreds of MB and takes minutes to build and walk.
        state.digest();
        state.members();
        GraphLayout warm = GraphLayout.parseInstance(state);
        report("JOL, caches filled (digest, members)", warm, state.itemCount());
        System.out.printf("%-44s %,12d bytes%n", "  of which caches", warm.totalSize() - layout.totalSize());
        if (route) {
            long t0 = System.nanoTime();
            int served = state.route(PROBE_KEY).size();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            GraphLayout routed = GraphLayout.parseInstance(state);
            report("JOL, caches filled (+ routing table)", routed, state.itemCount());
            System.out.printf("%-44s %,12d bytes; first route() call took %,d ms; key %d served by %d members%n",
                    "  of which routing table", routed.totalSize() - warm.totalSize(), ms, PROBE_KEY, served);
        } else {
            System.out.println("  (routing table not built; add --route to measure it: slow for 10,000 members)");
        }
        System.out.println();

        // What a receiver holds after decoding the state from a peer.
        byte[] bytes = Messages.toBytes(new GroupStateMessage(state));
        GroupState decoded = ((GroupStateMessage) Messages.fromBytes(FrameType.GROUP_STATE, bytes)).state();
        if (!decoded.equals(state)) {
            throw new IllegalStateException("decoded state differs");
        }
        GraphLayout dec = GraphLayout.parseInstance(decoded);
        report("JOL, same state decoded from protobuf", dec, decoded.itemCount());
        System.out.printf("  NetId instances %,d, LocalClock instances %,d (protobuf message %,d bytes)%n",
                dec.getClassCounts().count(NetId.class), dec.getClassCounts().count(LocalClock.class), bytes.length);
        printTop(dec.toFootprint(), 10);
        System.out.println();

        // The failure detector's table (SWIM keeps one entry per member), the other per-member cost of a node.
        NetId self = NetId.parse("10.255.255.254:29999");
        FailureDetector fd = new FailureDetector(self, 1, SwimConfig.lan(), (to, messages) -> { }, new Random(1));
        for (NetId m : state.members()) {
            fd.addMember(0, m, 1);
        }
        GraphLayout fdLayout = GraphLayout.parseInstance(fd);
        long shared = GraphLayout.parseInstance((Object[]) state.members().toArray(new NetId[0])).totalSize();
        System.out.printf("%-44s %,12d bytes for %,d members = %.0f B/member (%.0f B/member without the NetIds,"
                + " which it shares with the topology)%n", "JOL, failure detector table", fdLayout.totalSize(),
                state.members().size(), (double) fdLayout.totalSize() / state.members().size(),
                (double) (fdLayout.totalSize() - shared) / state.members().size());
        System.out.printf("%-44s %.0f B/member (topology, caches filled, + detector)%n", "Per member held by a node",
                (double) (warm.totalSize() + fdLayout.totalSize() - shared) / state.members().size());
    }

    private static void report(String what, GraphLayout layout, int items) {
        System.out.printf("%-44s %,12d bytes = %.2f MiB = %.2f MB  (%.1f B/item, %,d objects)%n", what,
                layout.totalSize(), mb(layout.totalSize()), layout.totalSize() / 1e6,
                layout.totalSize() / (double) items, layout.totalCount());
    }

    /**
     * Prints the first {@code rows} class rows of a {@link GraphLayout#toFootprint()} histogram, by bytes, with
     * its header and total lines. (JOL orders the rows by bytes already; sorted again to be sure.)
     */
    private static void printTop(String footprint, int rows) {
        String[] lines = footprint.split("\\R");
        List<String> body = new ArrayList<>();
        String header = null;
        String total = null;
        for (String l : lines) {
            String t = l.trim();
            if (t.startsWith("COUNT")) {
                header = l;
            } else if (t.endsWith("(total)")) {
                total = l;
            } else if (header != null && !t.isEmpty()) {
                body.add(l);
            }
        }
        body.sort(Comparator.comparingLong(Footprint::sumColumn).reversed());
        if (header != null) {
            System.out.println(header);
        }
        body.stream().limit(rows).forEach(System.out::println);
        if (body.size() > rows) {
            System.out.println("       ... " + (body.size() - rows) + " more classes");
        }
        if (total != null) {
            System.out.println(total);
        }
    }

    /** The SUM column (third) of a histogram row. */
    private static long sumColumn(String row) {
        String[] f = row.trim().split("\\s+");
        try {
            return f.length >= 3 ? Long.parseLong(f[2]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static long usedAfterGc(MemoryMXBean mx) throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, mx.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
