package io.scalesmall.wire;

/**
 * The whole wire format in one place: {@link Messages} inside {@link FrameCodec} frames. Protocol code calls
 * {@link #encode} to send and {@link #decode} on whatever arrives. Thread-safe.
 */
public final class Wire {
    private final FrameCodec frames;

    /** A wire with secure-random nonces. */
    public Wire(FrameConfig config) {
        this(new FrameCodec(config));
    }

    /** A wire around a given frame codec. */
    public Wire(FrameCodec frames) {
        if (frames == null) {
            throw new IllegalArgumentException("frames: null");
        }
        this.frames = frames;
    }

    /** @return the frame codec */
    public FrameCodec frames() {
        return frames;
    }

    /**
     * @return the sealed frame of {@code message}
     * @throws IllegalArgumentException if it exceeds the maximum frame size
     */
    public byte[] encode(WireMessage message) {
        return frames.encode(message.type(), Messages.toBytes(message));
    }

    /**
     * @return the message in {@code frame}
     * @throws CodecException for any bad input, whatever the bytes; never another exception
     */
    public WireMessage decode(byte[] frame) throws CodecException {
        return decode(frame, 0, frame.length);
    }

    /** As {@link #decode(byte[])}, for a frame at {@code buf[off, off + len)}. */
    public WireMessage decode(byte[] buf, int off, int len) throws CodecException {
        Frame f = frames.decode(buf, off, len);
        return Messages.fromBytes(f.type(), f.payload(), frames.config().maxFrameBytes() / 16);
    }
}
