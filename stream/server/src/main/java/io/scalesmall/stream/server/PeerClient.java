package io.scalesmall.stream.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.scalesmall.stream.protocol.Frame;
import io.scalesmall.stream.protocol.FrameCodec;
import io.scalesmall.stream.protocol.FrameDecoder;
import io.scalesmall.stream.protocol.ProtocolException;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A blocking request/response connection to another node's data port, for a head's catch-up (PULL, then the
 * REPLICATE frames and OFFSETS_REPLY it brings back). Every wait is bounded by a deadline (connect and each read).
 * Frames are checked by {@link FrameDecoder} with the protocol's hard frame limit. Not thread-safe: one caller.
 */
final class PeerClient implements Closeable {
    private final InetSocketAddress address;
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private PeerClient(InetSocketAddress address, Socket socket) throws IOException {
        this.address = address;
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /**
     * Connects, waiting at most until {@code deadlineNanos} ({@link System#nanoTime()} scale).
     *
     * @throws ConnectException naming the address if the connection was refused (no process listens there)
     * @throws IOException      naming the address if it cannot connect in time, or another failure
     */
    static PeerClient connect(InetSocketAddress address, long deadlineNanos) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(address, millisLeft(deadlineNanos, address));
            return new PeerClient(address, s);
        } catch (ConnectException e) { // refused: nothing listens there
            s.close();
            ConnectException refused = new ConnectException("cannot connect to " + address + ": " + e.getMessage());
            refused.initCause(e);
            throw refused;
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot connect to " + address + ": " + e.getMessage(), e);
        }
    }

    private static int millisLeft(long deadlineNanos, InetSocketAddress address) throws SocketTimeoutException {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("out of time for " + address);
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    void send(Frame f) throws IOException {
        ByteBuf b = Unpooled.buffer();
        try {
            FrameCodec.encode(f, b);
            b.readBytes(out, b.readableBytes());
            out.flush();
        } finally {
            b.release();
        }
    }

    /**
     * Reads one frame, waiting at most until {@code deadlineNanos}.
     *
     * @throws IOException on a timeout, the connection's end, or a frame that does not decode (named)
     */
    Frame receive(long deadlineNanos) throws IOException {
        socket.setSoTimeout(millisLeft(deadlineNanos, address));
        byte[] header = new byte[FrameCodec.HEADER_BYTES];
        in.readFully(header);
        long length = ((header[2] & 0xFFL) << 24) | ((header[3] & 0xFF) << 16) | ((header[4] & 0xFF) << 8)
                | (header[5] & 0xFF);
        if (length + FrameCodec.HEADER_BYTES > FrameCodec.HARD_MAX_FRAME_BYTES) {
            throw new IOException(address + " sent a frame of " + (length + FrameCodec.HEADER_BYTES) + " bytes");
        }
        byte[] frame = new byte[(int) length + FrameCodec.HEADER_BYTES];
        System.arraycopy(header, 0, frame, 0, header.length);
        in.readFully(frame, header.length, (int) length);
        try {
            return FrameDecoder.decode(Unpooled.wrappedBuffer(frame), FrameCodec.HARD_MAX_FRAME_BYTES);
        } catch (ProtocolException e) {
            throw new IOException(address + " sent a bad frame: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
