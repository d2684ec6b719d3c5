package io.scalesmall.cli;

import io.scalesmall.node.Node;
import io.scalesmall.node.NodeConfig;
import io.scalesmall.node.NodeConfigLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code scalesmall node}: runs a node until SIGTERM or SIGINT, then leaves its groups and exits. */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = {
            "Runs a scalesmall node. Nodes on one LAN find each other by multicast with no configuration;",
            "elsewhere give --seeds. Settings come from built-in defaults, then --config FILE, then",
            "SCALESMALL_<KEY> environment variables, then these flags (see docs/configuration.md).",
            "On SIGTERM the node leaves every group before it exits."})
final class NodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", description = "Config file: 'key = value' lines (keys as the flags, without --).")
    Path config;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on and be known by (default: first non-loopback IPv4).")
    String bind;

    @Option(names = "--port", paramLabel = "N", description = "Gossip port, TCP and UDP (default 29999).")
    String port;

    @Option(names = "--multicast", paramLabel = "ADDR:PORT|off", description = "Multicast group (default 224.1.1.1:29999).")
    String multicast;

    @Option(names = "--multicast-ttl", paramLabel = "N", description = "Multicast hops (default 4).")
    String multicastTtl;

    @Option(names = "--seeds", paramLabel = "HOST:PORT,...", description = "Nodes to contact on join.")
    String seeds;

    @Option(names = "--group", paramLabel = "NAME", description = "A group to join at start; repeatable.")
    List<String> groups;

    @Option(names = "--key-file", paramLabel = "FILE", description = "Cluster keys (scalesmall keygen). Without it a public key is used.")
    String keyFile;

    @Option(names = "--label", paramLabel = "NAME", description = "Cluster label (default scalesmall).")
    String label;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Node state (default ./scalesmall-data).")
    String dataDir;

    @Option(names = "--http", paramLabel = "ADDR:PORT|off", description = "Admin HTTP endpoint (default 127.0.0.1:29980).")
    String http;

    @Option(names = "--data-port", paramLabel = "N", description = "Stream protocol port, TCP (default 29998).")
    String dataPort;

    @Option(names = "--log-dir", paramLabel = "DIR", description = "Message log directory (default DATA-DIR/log).")
    String logDir;

    @Option(names = "--log-max-disk", paramLabel = "SIZE|off", description = "Disk budget of the log, e.g. 10g; producers get LOG_FULL beyond it (default off).")
    String logMaxDisk;

    @Option(names = "--log-retention", paramLabel = "DURATION|off", description = "Drop log data older than this, e.g. 12h (default 7d).")
    String logRetention;

    @Option(names = "--log-retention-bytes", paramLabel = "SIZE|off", description = "Drop the oldest log data beyond this size (default off).")
    String logRetentionBytes;

    @Option(names = "--log-memory", paramLabel = "SIZE|auto|off", description = "Memory budget: recent messages cached for consumers (default auto: half the heap).")
    String logMemory;

    @Option(names = "--log-page-cache", paramLabel = "drop|keep", description = "drop (default): a complete, fsynced"
            + " segment's pages leave the kernel's page cache (Linux); keep: the kernel keeps them for consumers"
            + " reading far behind.")
    String logPageCache;

    @Option(names = "--log-preallocate", paramLabel = "on|off", description = "off (default): segments grow as they"
            + " fill; on: each next segment's file is written ahead as fsynced zeros, so that group commits fsync no"
            + " file-size change (faster fsyncs, twice the bytes written; pointless on btrfs or ZFS).")
    String logPreallocate;

    @Option(names = "--log-write-behind", paramLabel = "SIZE|off", description = "Write-behind: a background thread"
            + " writes each batch into its segment, so that the event loop acknowledges a memory copy without waiting"
            + " for the file write; SIZE (at least 1m) bounds the bytes waiting to be written; off: the event loop"
            + " writes them (default 8m).")
    String logWriteBehind;

    @Option(names = "--data-io-slice-us", paramLabel = "N|off", description = "The scheduler slice in µs that the data"
            + " path's event loops and group-commit thread ask for, so that they get a CPU soon after they wake"
            + " (Linux 6.12+; 100..100000; off or 0: the kernel's default; default 300).")
    String dataIoSliceUs;

    @Option(names = "--placement", paramLabel = "on|off", description = "Place data in the groups joined at start (default on).")
    String placement;

    @Option(names = "--weight", paramLabel = "N|auto", description = "Capacity weight: the node's share of the key space is weight / sum of weights; 0 takes no new data (default auto: one unit per GiB the log could hold).")
    String weight;

    @Option(names = "--replicas", paramLabel = "R", description = "Copies of every key's data, the chain length (default 3; the same on every node of a group).")
    String replicas;

    @Option(names = "--slices", paramLabel = "S", description = "Key-space slices of the ring, a power of two (default 4096; the same on every node of a group).")
    String slices;

    @Option(names = "--data-group", paramLabel = "NAME", description = "The group whose ring chooses the chains of the streams on --data-port (default: the first --group).")
    String dataGroup;

    @Override
    public Integer call() throws IOException {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("bind", bind);
        flags.put("port", port);
        flags.put("multicast", multicast);
        flags.put("multicast-ttl", multicastTtl);
        flags.put("seeds", seeds);
        flags.put("group", groups == null ? null : String.join(",", groups));
        flags.put("key-file", keyFile);
        flags.put("label", label);
        flags.put("data-dir", dataDir);
        flags.put("http", http);
        flags.put("data-port", dataPort);
        flags.put("log-dir", logDir);
        flags.put("log-max-disk", logMaxDisk);
        flags.put("log-retention", logRetention);
        flags.put("log-retention-bytes", logRetentionBytes);
        flags.put("log-memory", logMemory);
        flags.put("log-page-cache", logPageCache);
        flags.put("log-preallocate", logPreallocate);
        flags.put("log-write-behind", logWriteBehind);
        flags.put("data-io-slice-us", dataIoSliceUs);
        flags.put("placement", placement);
        flags.put("weight", weight);
        flags.put("replicas", replicas);
        flags.put("slices", slices);
        flags.put("data-group", dataGroup);
        Path file = config;
        if (file == null && System.getenv("SCALESMALL_CONFIG") != null) {
            file = Path.of(System.getenv("SCALESMALL_CONFIG"));
        }
        NodeConfig c;
        Node node;
        try {
            c = NodeConfigLoader.load(file, System.getenv(), flags);
            node = Node.start(c, Main.Version.version());
        } catch (IllegalArgumentException | IOException e) {
            spec.commandLine().getErr().println("scalesmall node: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
            // A signal-initiated exit would end with 128 + signal (143 for SIGTERM); a clean leave is a
            // success, so say so. halt() because exit() cannot be called from a shutdown hook.
            System.err.flush();
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }, "scalesmall-shutdown"));
        spec.commandLine().getOut().println("scalesmall node " + c.id() + " running; admin "
                + (node.admin() == null ? "off" : "http://" + node.admin().address().getAddress().getHostAddress()
                        + ":" + node.admin().address().getPort()) + "; data port " + node.data().address().getPort());
        spec.commandLine().getOut().flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
