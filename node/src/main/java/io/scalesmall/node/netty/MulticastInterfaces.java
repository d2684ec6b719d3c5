package io.scalesmall.node.netty;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Chooses the interface multicast uses when the config names none. Stateless. */
final class MulticastInterfaces {
    private MulticastInterfaces() {
    }

    /**
     * The configured interface; else the one owning the bind address; else (wildcard bind) the up, non-loopback,
     * multicast-capable interface with the lowest index that has an address of the group's family.
     *
     * @throws IOException naming what was looked for when no interface fits
     */
    static NetworkInterface choose(NettyConfig config) throws IOException {
        if (config.multicastInterface() != null) {
            return config.multicastInterface();
        }
        InetAddress bind = config.bindAddress();
        if (!bind.isAnyLocalAddress()) {
            NetworkInterface owner = NetworkInterface.getByInetAddress(bind);
            if (owner == null) {
                throw new IOException("multicast: no network interface owns bind address " + bind.getHostAddress()
                        + "; set multicastInterface");
            }
            return owner;
        }
        boolean v4 = config.multicastGroup() == null || config.multicastGroup().getAddress() instanceof Inet4Address;
        return firstCandidate(v4).orElseThrow(() -> new IOException("multicast: bind address is "
                + bind.getHostAddress() + " and no interface is up, non-loopback, multicast-capable and has an "
                + (v4 ? "IPv4" : "IPv6") + " address; set multicastInterface or turn multicast off"));
    }

    private static Optional<NetworkInterface> firstCandidate(boolean v4) throws SocketException {
        List<NetworkInterface> all = NetworkInterface.networkInterfaces()
                .sorted(Comparator.comparingInt(NetworkInterface::getIndex))
                .toList();
        for (NetworkInterface ni : all) {
            if (ni.isUp() && !ni.isLoopback() && ni.supportsMulticast() && hasFamily(ni, v4)) {
                return Optional.of(ni);
            }
        }
        return Optional.empty();
    }

    private static boolean hasFamily(NetworkInterface ni, boolean v4) {
        return ni.inetAddresses().anyMatch(a -> (a instanceof Inet4Address) == v4);
    }
}
