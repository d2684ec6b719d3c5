package io.scalesmall.node;

import io.scalesmall.topology.NetId;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link NodeConfig} from layers, each overriding the one before: built-in defaults, then the config
 * file, then environment variables {@code SCALESMALL_<KEY>} (key upper-cased, '-' as '_'), then command-line
 * flags {@code --<key>}.
 *
 * <p>The config file is UTF-8 text, one {@code key = value} per line; blank lines and lines starting with
 * '#' are ignored; list values ({@code seeds}, {@code group}) are comma-separated. Keys:
 *
 * <pre>
 * bind           ADDR            address to listen on and be known by; default: the first non-loopback
 *                                IPv4 address of an interface that is up, else 127.0.0.1
 * port           N               gossip port, TCP and UDP; default 29999
 * multicast      ADDR:PORT|off   multicast group; default 224.1.1.1:29999
 * multicast-ttl  N               multicast hops; default 4
 * seeds          HOST:PORT,...   nodes to contact on join (numeric addresses); default none
 * group          NAME,...        groups to join at start; default none
 * key-file       FILE            cluster keys, hex, one per line (scalesmall keygen); default: a public key
 * label          NAME            cluster label; default scalesmall
 * data-dir       DIR             node state; default ./scalesmall-data
 * http           ADDR:PORT|off   admin HTTP endpoint; default 127.0.0.1:29980
 * data-port, log-dir, log-max-disk, log-retention, log-retention-bytes, log-memory, log-page-cache,
 * log-preallocate, log-write-behind, data-io-slice-us: the data path, see {@link DataConfig}
 * placement, weight, replicas, slices, data-group: placement, see {@link PlacementConfig}
 * </pre>
 *
 * Any unknown key, in the file or as a {@code SCALESMALL_*} variable, is an error. Thread-safe (stateless).
 */
public final class NodeConfigLoader {
    /** The keys, in documentation order. */
    public static final List<String> KEYS = List.of("bind", "port", "multicast", "multicast-ttl", "seeds", "group",
            "key-file", "label", "data-dir", "http", "data-port", "log-dir", "log-max-disk", "log-retention",
            "log-retention-bytes", "log-memory", "log-page-cache", "log-preallocate", "log-write-behind",
            "data-io-slice-us", "placement", "weight", "replicas", "slices",
            "data-group");
    /** Environment variables with the prefix that are not config keys (used by the launcher and logging). */
    private static final Set<String> OTHER_ENV = Set.of("SCALESMALL_JAVA_OPTS", "SCALESMALL_LOG_LEVEL", "SCALESMALL_CONFIG");

    private NodeConfigLoader() {
    }

    /**
     * @param file  the config file, or null
     * @param env   the environment (e.g. {@code System.getenv()})
     * @param flags values given as flags, by key; a list key's value is comma-separated
     * @throws IllegalArgumentException with one line naming the source, key and value on any error
     */
    public static NodeConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
        Map<String, String> v = new LinkedHashMap<>();
        if (file != null) {
            v.putAll(readFile(file));
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("SCALESMALL_") || OTHER_ENV.contains(name)) {
                continue;
            }
            String key = name.substring("SCALESMALL_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
            if (key.equals("groups")) {
                key = "group";
            }
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("environment: unknown variable " + name + " (keys: " + KEYS + ")");
            }
            v.put(key, e.getValue());
        }
        for (Map.Entry<String, String> e : flags.entrySet()) {
            if (!KEYS.contains(e.getKey())) {
                throw new IllegalArgumentException("flags: unknown key --" + e.getKey());
            }
            if (e.getValue() != null) {
                v.put(e.getKey(), e.getValue());
            }
        }
        return build(v);
    }

    static Map<String, String> readFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("config " + file + ": cannot read (" + e.getMessage() + ")", e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("config " + file + " line " + (i + 1) + ": expected key = value, got '" + line + "'");
            }
            String key = line.substring(0, eq).strip();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("config " + file + " line " + (i + 1) + ": unknown key '" + key + "' (keys: " + KEYS + ")");
            }
            out.put(key, line.substring(eq + 1).strip());
        }
        return out;
    }

    private static NodeConfig build(Map<String, String> v) {
        InetAddress bind = v.containsKey("bind") ? address("bind", v.get("bind")) : defaultBind();
        int port = integer("port", v.getOrDefault("port", "29999"));
        String mc = v.getOrDefault("multicast", "224.1.1.1:29999");
        InetSocketAddress multicast = mc.equalsIgnoreCase("off") ? null : socketAddress("multicast", mc);
        int ttl = integer("multicast-ttl", v.getOrDefault("multicast-ttl", "4"));
        List<NetId> seeds = new ArrayList<>();
        for (String s : list(v.get("seeds"))) {
            try {
                seeds.add(NetId.parse(s));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("seeds: " + e.getMessage(), e);
            }
        }
        List<String> groups = list(v.get("group"));
        Path keyFile = v.containsKey("key-file") ? Path.of(v.get("key-file")) : null;
        String label = v.getOrDefault("label", "scalesmall");
        Path dataDir = Path.of(v.getOrDefault("data-dir", "scalesmall-data"));
        String http = v.getOrDefault("http", "127.0.0.1:29980");
        InetSocketAddress httpAddr = http.equalsIgnoreCase("off") ? null : socketAddress("http", http);
        try {
            return new NodeConfig(bind, port, multicast, ttl, seeds, groups, keyFile, label, dataDir, httpAddr,
                    DataConfig.parse(v, dataDir), PlacementConfig.parse(v));
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m.startsWith("port:") || m.startsWith("address:") ? "port: " + port + " is not in 1..65535" : m, e);
        }
    }

    private static List<String> list(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return out;
    }

    private static int integer(String key, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not a number", e);
        }
    }

    private static InetAddress address(String key, String value) {
        String v = value.strip();
        if (v.startsWith("[") && v.endsWith("]")) {
            v = v.substring(1, v.length() - 1);
        }
        boolean numeric = !v.isEmpty() && v.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
        if (!numeric) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not a numeric IP address");
        }
        try {
            return InetAddress.getByName(v);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not an IP address", e);
        }
    }

    private static InetSocketAddress socketAddress(String key, String value) {
        String v = value.strip();
        int colon = v.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not ADDR:PORT");
        }
        InetAddress a = address(key, v.substring(0, colon));
        int p = integer(key, v.substring(colon + 1));
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException(key + ": port " + p + " is not in 1..65535");
        }
        return new InetSocketAddress(a, p);
    }

    /** The first non-loopback IPv4 address of an interface that is up, else 127.0.0.1. */
    static InetAddress defaultBind() {
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp() || ni.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a;
                    }
                }
            }
        } catch (SocketException e) {
            // fall through to loopback
        }
        return InetAddress.getLoopbackAddress();
    }
}
