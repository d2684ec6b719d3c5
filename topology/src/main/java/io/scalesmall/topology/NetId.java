package io.scalesmall.topology;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The identity of a node: an IPv4 or IPv6 address and the TCP port its gossip listener accepts on.
 *
 * <p>Immutable and thread-safe. An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) is normalised to
 * the plain IPv4 address, so one node has exactly one {@code NetId}. Canonical order (used for every
 * sorted structure and for the digest): IPv4 before IPv6, then the address bytes as unsigned numbers,
 * then the port. The original scalesmall ordered its IPv4-only {@code NetID} the same way.
 */
public final class NetId implements Comparable<NetId> {
    /** Lowest valid port, inclusive. Port 0 ("any") cannot identify a listening node. */
    public static final int MIN_PORT = 1;
    /** Highest valid port, inclusive. */
    public static final int MAX_PORT = 0xFFFF;

    private final byte[] address;
    private final int port;
    private final int hash;

    private NetId(byte[] address, int port) {
        this.address = address;
        this.port = port;
        this.hash = 31 * Arrays.hashCode(address) + port;
    }

    /**
     * Creates an id from raw address bytes.
     *
     * @param address 4 bytes (IPv4) or 16 bytes (IPv6), network order; copied
     * @param port    {@value #MIN_PORT}..{@value #MAX_PORT}
     * @throws IllegalArgumentException naming the field and value when either is invalid
     */
    public static NetId of(byte[] address, int port) {
        if (address == null) {
            throw new IllegalArgumentException("address: null");
        }
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("address: " + address.length + " bytes, expected 4 (IPv4) or 16 (IPv6)");
        }
        checkPort(port);
        byte[] copy = address.length == 16 && isV4Mapped(address)
                ? Arrays.copyOfRange(address, 12, 16)
                : address.clone();
        return new NetId(copy, port);
    }

    /** Creates an id from an {@link InetAddress} (no name lookup happens). */
    public static NetId of(InetAddress address, int port) {
        if (address == null) {
            throw new IllegalArgumentException("address: null");
        }
        return of(address.getAddress(), port);
    }

    /**
     * Parses {@code a.b.c.d:port} or {@code [v6]:port}. Only numeric addresses are accepted: parsing
     * never performs a DNS lookup.
     *
     * @throws IllegalArgumentException with the offending text when it is not of that form
     */
    public static NetId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("netId: null");
        }
        String host;
        String portText;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException("netId: '" + text + "' is not [ipv6]:port");
            }
            host = text.substring(1, close);
            portText = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0 || text.indexOf(':') != colon) {
                throw new IllegalArgumentException("netId: '" + text + "' is not ipv4:port or [ipv6]:port");
            }
            host = text.substring(0, colon);
            portText = text.substring(colon + 1);
        }
        int port;
        try {
            if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new NumberFormatException(portText);
            }
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("netId: port '" + portText + "' in '" + text + "' is not a number", e);
        }
        return of(parseNumericAddress(host, text), port);
    }

    private static byte[] parseNumericAddress(String host, String whole) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("netId: empty address in '" + whole + "'");
        }
        boolean v6 = host.indexOf(':') >= 0;
        if (!v6) {
            String[] parts = host.split("\\.", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException("netId: '" + host + "' is not a dotted IPv4 address");
            }
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                int v;
                try {
                    v = parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(c -> c >= '0' && c <= '9')
                            ? -1 : Integer.parseInt(parts[i]);
                } catch (NumberFormatException e) {
                    v = -1;
                }
                if (v < 0 || v > 255) {
                    throw new IllegalArgumentException("netId: octet '" + parts[i] + "' of '" + host + "' is not 0..255");
                }
                b[i] = (byte) v;
            }
            return b;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!ok) {
                throw new IllegalArgumentException("netId: '" + host + "' is not a numeric IPv6 address");
            }
        }
        try {
            // Only hex digits, ':' and '.' reach here, so getByName parses a literal and never resolves.
            return InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("netId: '" + host + "' is not a numeric IPv6 address", e);
        }
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
    }

    static void checkPort(int port) {
        if (port < MIN_PORT || port > MAX_PORT) {
            throw new IllegalArgumentException("port: " + port + " is not in " + MIN_PORT + ".." + MAX_PORT);
        }
    }

    /** @return a copy of the address bytes: 4 for IPv4, 16 for IPv6 */
    public byte[] addressBytes() {
        return address.clone();
    }

    /** @return the address; never performs a lookup */
    public InetAddress address() {
        try {
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new AssertionError("validated address rejected by the JDK", e);
        }
    }

    /** @return true for an IPv6 address */
    public boolean isIpv6() {
        return address.length == 16;
    }

    /** @return the port, {@value #MIN_PORT}..{@value #MAX_PORT} */
    public int port() {
        return port;
    }

    /** Number of address bytes (4 or 16); lets encoders avoid the copy {@link #addressBytes()} makes. */
    public int addressLength() {
        return address.length;
    }

    /** The address byte at {@code index} (0-based), as 0..255. */
    public int addressByte(int index) {
        return address[index] & 0xFF;
    }

    @Override
    public int compareTo(NetId o) {
        if (address.length != o.address.length) {
            return Integer.compare(address.length, o.address.length);
        }
        int c = Arrays.compareUnsigned(address, o.address);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof NetId n && port == n.port && Arrays.equals(address, n.address));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** @return {@code a.b.c.d:port} or {@code [v6]:port}, accepted back by {@link #parse(String)} */
    @Override
    public String toString() {
        String host = address().getHostAddress();
        return isIpv6() ? "[" + host + "]:" + port : host + ":" + port;
    }
}
