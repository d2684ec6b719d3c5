package io.scalesmall.stream.protocol;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The {@code HOST:PORT} text that names a node's data port in the protocol -- {@code NOT_HEAD}'s text
 * (docs/wire-format.md §S6, code 14) and the head a PULL names: parsed without DNS, printed as the node prints it, and
 * compared (a resolved and an unresolved address of one node are the same node). Stateless, thread-safe.
 */
public final class HostPort {
    private HostPort() {
    }

    /** {@code HOST:PORT} as NOT_HEAD spells it. */
    public static String of(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * Parses the text of {@code NOT_HEAD}: exactly {@code HOST:PORT}, {@code [V6]:PORT} for IPv6. Never asks DNS (it
     * runs on an event loop, on text from the network): a dotted IPv4 address comes back resolved, any other host
     * unresolved (the connect resolves it).
     *
     * @return the address
     * @throws IllegalArgumentException if the text is not HOST:PORT with a non-empty host and a port in 1..65535
     */
    public static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]") && host.length() > 2) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0 || host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
            throw new IllegalArgumentException("'" + text + "': an IPv6 host needs brackets, nothing else does");
        }
        String digits = text.substring(colon + 1);
        int port = digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9') ? -1
                : Integer.parseInt(digits);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "': the port is not a number in 1..65535");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= ' ' || c == '/' || c == '%' && host.indexOf(':') < 0 || c >= 0x7f) {
                throw new IllegalArgumentException("'" + text + "': not a host name or address");
            }
        }
        byte[] v4 = ipv4(host);
        if (v4 != null) {
            try {
                return new InetSocketAddress(InetAddress.getByAddress(v4), port);
            } catch (UnknownHostException e) {
                throw new AssertionError("4 bytes are an IPv4 address", e);
            }
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** @return the 4 bytes of a dotted-decimal IPv4 address (each part 0..255, 1..3 digits), or null */
    private static byte[] ipv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    /** @return whether two addresses name the same node (same {@link #of}: resolved or not) */
    public static boolean same(InetSocketAddress a, InetSocketAddress b) {
        return a != null && b != null && of(a).equals(of(b));
    }

    /** @return whether {@code list} holds an address that names the same node as {@code a} ({@link #same}) */
    public static boolean containsSame(List<InetSocketAddress> list, InetSocketAddress a) {
        for (InetSocketAddress x : list) {
            if (same(x, a)) {
                return true;
            }
        }
        return false;
    }
}
