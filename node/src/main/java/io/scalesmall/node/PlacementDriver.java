package io.scalesmall.node;

import io.scalesmall.chatter.GroupManager;
import io.scalesmall.chatter.TopologyEvent;
import io.scalesmall.chatter.swim.MemberState;
import io.scalesmall.placement.Capacity;
import io.scalesmall.placement.Claims;
import io.scalesmall.placement.Ring;
import io.scalesmall.placement.Settling;
import io.scalesmall.placement.Tightening;
import io.scalesmall.placement.Weights;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.Op;
import io.scalesmall.topology.TimedItem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places this node's share of one group's key space (issue 6), following the sequence of the placement package:
 * on every topology event of the group and every {@link PlacementConfig#tick()}, it reads the topology and the
 * failure detector's verdicts, takes the weights of the active (ALIVE or SUSPECT) members
 * ({@link Weights#of}: their GET priorities), waits until they have been unchanged for the {@link Settling}
 * hold-down, builds the {@link Ring} (R, S from the config) and writes {@link Claims#diff}(held, desired) in one
 * {@link GroupManager#write} (ADD items, port = the node's data port). With nothing changed the diff is empty and
 * nothing is written: claims settle.
 *
 * <p><b>Own weight.</b> The configured weight, or the measured one ({@link Capacity}: a unit per GiB the log could
 * hold, with 10 % hysteresis), is set to 0 while the log's disk use is at or above the high watermark of its
 * budget and until it falls to the low one ({@link Tightening}); the budget is {@code min(log-max-disk, stored +
 * usable bytes of the disk)}. A change re-writes the GET item ({@link GroupManager#setWeight}); the ring then
 * leaves the node out of every chain, and its claims become priority-0 location items.
 *
 * <p><b>Releasing locations.</b> A priority-0 location item is dropped once the log holds no stream with data
 * whose key lies in it ({@link TrackedLog#holdsDataIn}); with streams of unknown names (recovered from an earlier
 * life) every location is kept.
 *
 * <p>The driver also refreshes the {@link TopologyChainResolver} of the data group, if given, on every step.
 *
 * <p>Threads: all placement state is owned by one daemon thread of the driver's own; a listener on the
 * GroupManager's core thread only schedules a step (it never calls back). {@link #snapshot} is safe from any thread
 * (an immutable value behind a volatile reference). Errors of a step (e.g. the GroupManager closing) are logged and
 * the next step tries again.
 */
public final class PlacementDriver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementDriver.class);

    /**
     * What the driver last did, for the admin endpoint and metrics. Immutable.
     *
     * @param ring      the ring last acted on, or null before the first settled view
     * @param weight    the weight this node announces
     * @param tight     whether the node is tightened (weight 0 because of disk use)
     * @param claims    this node's ADD items with priority > 0, after the last step
     * @param locations this node's ADD items with priority 0 (where old data is)
     * @param writes    topology writes made (each one {@link GroupManager#write}) since start
     * @param settled   true if the view the ring came from is still the current one (no change awaits)
     */
    public record Snapshot(Ring ring, int weight, boolean tight, int claims, int locations, long writes,
            boolean settled) {
    }

    private final GroupManager manager;
    private final String group;
    private final NetId self;
    private final int dataPort;
    private final PlacementConfig config;
    private final TrackedLog log;
    private final Path logDir;
    private final long maxDiskBytes;
    private final TopologyChainResolver resolver;
    private final ScheduledExecutorService exec;
    private final AtomicBoolean stepQueued = new AtomicBoolean();
    private final AtomicLong writes = new AtomicLong();
    // ---- owned by the driver's thread ----
    private Settling<SortedMap<NetId, Integer>> settling;
    private Ring ring;
    private boolean tight;
    /** The capacity weight in use (measured with hysteresis), -1 before the first measurement. */
    private int capacityWeight = -1;
    private volatile Snapshot snapshot;
    private volatile boolean closed;

    /**
     * @param manager      the node's groups (not closed by the driver)
     * @param group        the group to place in; the node must join it (the driver does nothing until it has)
     * @param dataPort     the node's data port, the port of its claims, 1..65535
     * @param log          the node's log (disk use, streams held)
     * @param logDir       the log's directory (usable disk space)
     * @param maxDiskBytes the log's disk budget, bytes ({@code FileLogConfig.UNLIMITED} for none)
     * @param resolver     the data group's resolver to refresh, or null if {@code group} is not the data group
     */
    public PlacementDriver(GroupManager manager, String group, int dataPort, PlacementConfig config, TrackedLog log,
            Path logDir, long maxDiskBytes, TopologyChainResolver resolver) {
        this.manager = manager;
        this.group = group;
        this.self = manager.myId();
        this.dataPort = dataPort;
        this.config = config;
        this.log = log;
        this.logDir = logDir;
        this.maxDiskBytes = maxDiskBytes;
        this.resolver = resolver;
        this.settling = Settling.of(config.settle());
        this.snapshot = new Snapshot(null, 0, false, 0, 0, 0, false);
        this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scalesmall-placement-" + self.port() + "-" + group);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @return the weight to join with: the configured one, or the measured capacity (tightening is applied by the
     *         first step)
     */
    int initialWeight() {
        return config.weight() != PlacementConfig.MEASURED ? config.weight() : measure(-1);
    }

    /** Starts the periodic steps and listens for the group's topology events. */
    public void start() {
        manager.addListener(this::onEvent);
        long tick = config.tick().toMillis();
        exec.scheduleWithFixedDelay(this::safeStep, 0, tick, TimeUnit.MILLISECONDS);
    }

    /** On the GroupManager's core thread: schedule one step (coalesced), never block. */
    private void onEvent(TopologyEvent e) {
        if (!closed && e.group().equals(group) && stepQueued.compareAndSet(false, true)) {
            try {
                exec.execute(this::safeStep);
            } catch (RejectedExecutionException closing) {
                stepQueued.set(false);
            }
        }
    }

    private void safeStep() {
        stepQueued.set(false);
        if (closed) {
            return;
        }
        try {
            step(System.nanoTime());
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.warn("{} placement in {} failed a step; retrying next tick: {}", self, group, e.toString());
            }
        }
    }

    /** One step; see the class comment. Driver thread only. */
    void step(long nowNanos) {
        GroupState state = manager.state(group);
        Map<NetId, MemberState> states = manager.memberStates(group);
        if (resolver != null) {
            resolver.update(state, states);
        }
        if (!state.members().contains(self)) {
            return; // not joined (yet, or any more)
        }
        int weight = ownWeight();
        TimedItem get = state.itemsOf(self).get(Item.get(self));
        if (get != null && get.op() == Op.GET && get.item().priority() != weight) {
            LOG.info("{} weight in {}: {} -> {}{}", self, group, get.item().priority(), weight,
                    tight ? " (tight)" : "");
            manager.setWeight(group, weight);
            state = manager.state(group);
        }
        List<NetId> active = new ArrayList<>();
        states.forEach((m, s) -> {
            if (s.isActive()) {
                active.add(m);
            }
        });
        settling = settling.offer(Weights.of(state, active), nowNanos);
        if (settling.due(nowNanos)) {
            ring = Ring.of(settling.view(), config.replicas(), config.slices());
            settling = settling.applied();
            LOG.info("{} ring of {}: {} members {}, {} arcs", self, group, ring.members().size(), ring.weights(),
                    ring.arcs().size());
        }
        boolean settled = ring != null && settling.nanosUntilDue(nowNanos) < 0;
        // Placement owns this node's ADD items on its data port only: items an operator added on other ports stay.
        List<Item> held = Claims.held(state.itemsOf(self)).stream().filter(it -> it.port() == dataPort).toList();
        if (settled) {
            List<Item> desired = Claims.desired(ring, self, dataPort, held, released());
            Claims.Diff diff = Claims.diff(held, desired);
            if (!diff.isEmpty()) {
                manager.write(group, diff.writes());
                writes.incrementAndGet();
                LOG.debug("{} claims in {}: +{} -{}", self, group, diff.add().size(), diff.remove().size());
                held = desired;
            }
        }
        int claims = 0;
        for (Item it : held) {
            if (it.priority() > 0) {
                claims++;
            }
        }
        snapshot = new Snapshot(ring, weight, tight, claims, held.size() - claims, writes.get(), settled);
    }

    /** A location item may go once no stream with data has its key in it (computed at most once per step). */
    private Predicate<Item> released() {
        TrackedLog.Keys[] keys = new TrackedLog.Keys[1];
        return it -> {
            if (keys[0] == null) {
                keys[0] = log.keysWithData();
            }
            return !keys[0].overlaps(it.start(), it.end());
        };
    }

    /** The weight to announce now: capacity weight, 0 while tight. Driver thread only. */
    private int ownWeight() {
        long used = log.file().diskBytes();
        long budget;
        try {
            budget = Capacity.diskBytes(logDir, used, maxDiskBytes);
        } catch (IOException | IllegalArgumentException e) {
            budget = maxDiskBytes; // the disk could not be read: judge by the configured budget alone
        }
        boolean was = tight;
        tight = budget > 0 && config.tightening().tight(tight, used, budget);
        if (tight != was) {
            LOG.info("{} {} in {}: log uses {} of {} bytes", self, tight ? "tightens" : "takes new data again", group,
                    used, budget);
        }
        capacityWeight = config.weight() != PlacementConfig.MEASURED ? config.weight() : measure(capacityWeight);
        return Tightening.weight(tight, capacityWeight);
    }

    /** The measured capacity weight, with hysteresis against {@code previous} (-1: none). */
    private int measure(int previous) {
        long used = log.file().diskBytes();
        try {
            int w = Capacity.quantise(Capacity.diskBytes(logDir, used, maxDiskBytes), Capacity.GIB);
            return Capacity.steady(previous, w, Capacity.DEFAULT_TOLERANCE);
        } catch (IOException e) {
            return previous >= 0 ? previous : 1;
        }
    }

    /** @return this node's id */
    public NetId self() {
        return self;
    }

    /** @return the group this driver places in */
    public String group() {
        return group;
    }

    /** @return what the driver last did */
    public Snapshot snapshot() {
        return snapshot;
    }

    /** Stops the steps; the claims stay (leaving the group tombstones them). Idempotent. */
    @Override
    public void close() {
        closed = true;
        exec.shutdownNow();
        try {
            exec.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
