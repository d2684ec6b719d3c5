package io.scalesmall.node.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.scalesmall.chatter.transport.PacketTransport;
import io.scalesmall.chatter.transport.TransportStats;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP over Netty: unicast on {@code (bindAddress, port)}, and, when a group is configured, multicast on a second
 * socket bound to the group's port (SO_REUSEADDR, so every node of a host can bind it), joined to the group on
 * the chosen interface ({@link NettyConfig#multicastInterface()}), with IP_MULTICAST_IF, the TTL and loopback set
 * as configured. Multicasts are sent from that second socket; unicasts from the unicast one, so a unicast's
 * source address is the sender's {@code (bindAddress, port)}.
 *
 * <p>Threads: {@link #send} and {@link #multicast} may be called from any thread and never block; they take
 * ownership of the array (it must not be changed afterwards: it is written from the event loop later). The
 * handler runs on the transport's single event-loop thread. {@link #start} and {@link #close} block the caller
 * briefly (binding, releasing). Datagrams larger than {@link NettyConfig#maxDatagramBytes()} are dropped and
 * counted in both directions.
 */
public final class NettyPacketTransport implements PacketTransport {
    private static final Logger LOG = LoggerFactory.getLogger(NettyPacketTransport.class);
    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int CLOSED = 2;

    private final NettyConfig config;
    /** {@code bind:port}, first in every log line. */
    private final String name;
    private final TransportStats stats = new TransportStats();
    /** Datagrams received over {@code maxDatagramBytes} (so possibly truncated) and dropped. */
    private final LongAdder oversizedReceived = new LongAdder();
    /** Receive handler calls that threw. */
    private final LongAdder handlerFailures = new LongAdder();
    /** NEW → RUNNING → CLOSED, or NEW → CLOSED if start fails or close comes first. */
    private final AtomicInteger state = new AtomicInteger(NEW);
    /** Set by the first call of {@link #start}. */
    private final AtomicBoolean started = new AtomicBoolean();
    // Written by start() before state becomes RUNNING (a volatile write), read after reading it: safely published.
    private EventLoopGroup group;
    private Channel unicast;
    /** Null when multicast is off. */
    private Channel multicast;
    private Handler handler;

    /** @param config the settings; nothing is bound until {@link #start} */
    public NettyPacketTransport(NettyConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.name = Loops.describe(config.bindAddress(), config.port());
    }

    /**
     * Binds the sockets and joins the group.
     *
     * @throws IOException naming the address and port when a socket cannot be bound, or the group and interface
     *                     when it cannot be joined; the transport is then closed
     * @throws IllegalStateException if called twice or after {@link #close}
     */
    @Override
    public void start(Handler handler) throws IOException {
        Objects.requireNonNull(handler, "handler");
        if (!started.compareAndSet(false, true) || state.get() != NEW) {
            throw new IllegalStateException(name + " packet transport: start called twice or after close");
        }
        this.handler = handler;
        group = Loops.newGroup(1, "udp", config.port());
        try {
            unicast = bind(bootstrap(config.bindAddress(), false), config.bindSocketAddress(), "UDP unicast");
            if (config.multicastEnabled()) {
                multicast = openMulticast();
            }
        } catch (IOException | RuntimeException e) {
            closeChannels();
            Loops.shutdown(group);
            state.set(CLOSED);
            throw e;
        }
        if (!state.compareAndSet(NEW, RUNNING)) {
            closeChannels(); // closed concurrently with start
            Loops.shutdown(group);
            return;
        }
        LOG.info("{} packet transport bound: UDP unicast {}, multicast {}", name, unicast.localAddress(),
                multicast == null ? "off" : config.multicastGroup() + " on " + multicastInterfaceName() + " ttl "
                        + config.multicastTtl() + (config.multicastLoopback() ? " loopback on" : " loopback off"));
    }

    private String multicastInterfaceName() {
        NetworkInterface ni = multicast.config().getOption(ChannelOption.IP_MULTICAST_IF);
        return ni == null ? "?" : ni.getName();
    }

    private Bootstrap bootstrap(InetAddress familyOf, boolean isMulticast) {
        InternetProtocolFamily family = familyOf instanceof Inet6Address
                ? InternetProtocolFamily.IPv6 : InternetProtocolFamily.IPv4;
        // One byte more than the largest accepted datagram: a datagram filling the buffer was too big (and
        // may have been truncated), and is dropped.
        int receiveBuffer = config.maxDatagramBytes() + 1;
        return new Bootstrap().group(group)
                .channelFactory(() -> new NioDatagramChannel(family))
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(receiveBuffer))
                .handler(new Receiver(isMulticast));
    }

    private Channel bind(Bootstrap b, InetSocketAddress at, String what) throws IOException {
        ChannelFuture f = b.bind(at).awaitUninterruptibly();
        if (!f.isSuccess()) {
            f.channel().close(); // a failed bind leaves the channel registered and open
            throw new IOException(name + ": cannot bind " + what + " socket to " + Loops.describe(at.getAddress(),
                    at.getPort()) + " (port " + at.getPort() + "): " + f.cause().getMessage(), f.cause());
        }
        return f.channel();
    }

    private Channel openMulticast() throws IOException {
        InetSocketAddress groupAddress = config.multicastGroup();
        NetworkInterface ni = MulticastInterfaces.choose(config);
        Bootstrap b = bootstrap(groupAddress.getAddress(), true)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.IP_MULTICAST_IF, ni)
                .option(ChannelOption.IP_MULTICAST_TTL, config.multicastTtl())
                .option(ChannelOption.IP_MULTICAST_LOOP_DISABLED, !config.multicastLoopback());
        Channel ch;
        try {
            // Bound to the group address, the socket hears only that group (Linux, BSD); where that is refused,
            // the wildcard address.
            ch = bind(b, groupAddress, "UDP multicast");
        } catch (IOException e) {
            ch = bind(b, new InetSocketAddress(groupAddress.getPort()), "UDP multicast");
        }
        ChannelFuture joined = ((DatagramChannel) ch).joinGroup(groupAddress, ni).awaitUninterruptibly();
        if (!joined.isSuccess()) {
            ch.close();
            throw new IOException(name + ": cannot join multicast group " + groupAddress + " on interface "
                    + ni.getName() + ": " + joined.cause().getMessage(), joined.cause());
        }
        return ch;
    }

    @Override
    public void send(InetSocketAddress to, byte[] data) {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(data, "data");
        write(unicast, to, data);
    }

    /** Sends to the group; a no-op (not counted) when multicast is off. */
    @Override
    public void multicast(byte[] data) {
        Objects.requireNonNull(data, "data");
        if (config.multicastEnabled()) {
            write(multicast, config.multicastGroup(), data);
        }
    }

    private void write(Channel ch, InetSocketAddress to, byte[] data) {
        if (state.get() != RUNNING || data.length > config.maxDatagramBytes() || to.isUnresolved()) {
            stats.dropped.increment();
            LOG.trace("{} dropped a {}-byte datagram to {}", name, data.length, to);
            return;
        }
        int n = data.length;
        ch.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(data), to)).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                stats.messagesOut.increment();
                stats.bytesOut.add(n);
            } else {
                stats.dropped.increment();
                LOG.debug("{} failed to send {} bytes to {}: {}", name, n, to, f.cause().toString());
            }
        });
    }

    @Override
    public TransportStats stats() {
        return stats;
    }

    /** @return datagrams received over {@link NettyConfig#maxDatagramBytes()} and dropped */
    public long oversizedReceived() {
        return oversizedReceived.sum();
    }

    /** @return calls of the handler that threw (the datagram is then lost; the transport goes on) */
    public long handlerFailures() {
        return handlerFailures.sum();
    }

    @Override
    public boolean multicastEnabled() {
        return config.multicastEnabled();
    }

    /** @return the unicast socket's local address, or null before start */
    public InetSocketAddress localAddress() {
        Channel ch = unicast;
        return ch == null ? null : (InetSocketAddress) ch.localAddress();
    }

    /** @return the multicast socket, or null (multicast off, not started); for tests that inspect its options */
    Channel multicastChannel() {
        return multicast;
    }

    /** Closes the sockets and stops the event loop; idempotent. Waits briefly unless called on the loop. */
    @Override
    public void close() {
        int was = state.getAndSet(CLOSED);
        if (was == CLOSED) {
            return;
        }
        if (was == RUNNING) {
            closeChannels();
            Loops.shutdown(group);
            LOG.info("{} packet transport closed", name);
        }
    }

    private void closeChannels() {
        for (Channel ch : new Channel[] {unicast, multicast}) {
            if (ch != null) {
                ChannelFuture f = ch.close();
                if (!ch.eventLoop().inEventLoop()) {
                    f.awaitUninterruptibly(Loops.SHUTDOWN_TIMEOUT.toMillis());
                }
            }
        }
    }

    /** Copies each datagram out of its buffer (released by the superclass) and hands it to the handler. */
    @ChannelHandler.Sharable
    private final class Receiver extends SimpleChannelInboundHandler<DatagramPacket> {
        private final boolean isMulticast;

        Receiver(boolean isMulticast) {
            this.isMulticast = isMulticast;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            int n = packet.content().readableBytes();
            if (n > config.maxDatagramBytes()) {
                oversizedReceived.increment();
                return;
            }
            byte[] data = ByteBufUtil.getBytes(packet.content());
            stats.messagesIn.increment();
            stats.bytesIn.add(n);
            LOG.trace("{} received {} bytes from {} (multicast {})", name, n, packet.sender(), isMulticast);
            try {
                handler.onPacket(packet.sender(), data, isMulticast);
            } catch (RuntimeException e) {
                handlerFailures.increment();
                LOG.debug("{} packet handler failed on {} bytes from {}", name, n, packet.sender(), e);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A datagram socket survives a failed read (e.g. ICMP port unreachable); keep it open.
            LOG.debug("{} UDP {} socket error: {}", name, isMulticast ? "multicast" : "unicast", cause.toString());
        }
    }
}
