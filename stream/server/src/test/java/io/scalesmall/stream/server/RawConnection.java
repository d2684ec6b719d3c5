package io.scalesmall.stream.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.scalesmall.stream.protocol.Frame;
import io.scalesmall.stream.protocol.FrameCodec;
import io.scalesmall.stream.protocol.FrameDecoder;
import io.scalesmall.stream.protocol.ProtocolException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/** A blocking socket speaking raw frames to a node, for tests that send what no client would. */
final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawConnection(InetSocketAddress node) throws IOException {
        socket = new Socket(node.getAddress(), node.getPort());
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void send(Frame f) throws IOException {
        ByteBuf b = Unpooled.buffer();
        FrameCodec.encode(f, b);
        sendBytes(ByteBufUtil.getBytes(b));
    }

    void sendBytes(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }

    /** Reads one frame. @throws EOFException if the node closed the connection */
    Frame read() throws IOException, ProtocolException {
        byte[] header = new byte[FrameCodec.HEADER_BYTES];
        in.readFully(header);
        int len = ((header[2] & 0xff) << 24) | ((header[3] & 0xff) << 16) | ((header[4] & 0xff) << 8) | (header[5] & 0xff);
        byte[] frame = new byte[FrameCodec.HEADER_BYTES + len];
        System.arraycopy(header, 0, frame, 0, header.length);
        in.readFully(frame, FrameCodec.HEADER_BYTES, len);
        return FrameDecoder.decode(Unpooled.wrappedBuffer(frame), FrameCodec.HARD_MAX_FRAME_BYTES);
    }

    /** @return true once the node closed the connection (reads to the end, discarding) */
    boolean closedByNode() {
        try {
            while (in.read() >= 0) {
                // drain
            }
            return true;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
