package io.scalesmall.cli.stream;

import java.net.InetSocketAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code --node HOST:PORT} (a node's data port; IPv6 as {@code [ADDR]:PORT}) for produce and consume. */
final class NodeAddress implements ITypeConverter<InetSocketAddress> {
    /** The default: the data port of a node on this host. */
    static final String DEFAULT = "127.0.0.1:29998";

    @Override
    public InetSocketAddress convert(String value) {
        String v = value.strip();
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new TypeConversionException("'" + value + "' is not HOST:PORT");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "': the port is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new TypeConversionException("'" + value + "': port " + port + " is not in 1..65535");
        }
        InetSocketAddress a = new InetSocketAddress(host, port);
        if (a.isUnresolved()) {
            throw new TypeConversionException("'" + value + "': cannot resolve " + host);
        }
        return a;
    }
}
