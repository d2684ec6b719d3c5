package io.scalesmall.bench;

import io.scalesmall.topology.GroupState;
import io.scalesmall.wire.CodecException;
import io.scalesmall.wire.Frame;
import io.scalesmall.wire.FrameCodec;
import io.scalesmall.wire.FrameConfig;
import io.scalesmall.wire.FrameType;
import io.scalesmall.wire.Keyring;
import io.scalesmall.wire.Messages;
import io.scalesmall.wire.Wire;
import io.scalesmall.wire.WireMessage;
import io.scalesmall.wire.WireMessage.GroupDeltaMessage;
import io.scalesmall.wire.WireMessage.GroupStateMessage;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding and decoding a 1,000-item {@link GroupState} (250 members × 4 items) as a {@code GROUP_STATE}
 * message, split so each layer's cost is visible:
 *
 * <pre>
 *   wireEncode = protoEncode + frameSeal     (protobuf, then LZ4 + AES-GCM-256 with a SecureRandom nonce)
 *   wireDecode = frameOpen   + protoDecode   (AES-GCM + LZ4, then protobuf + validation + GroupState.of)
 *   wireRoundTrip = wireEncode + wireDecode
 * </pre>
 * plus {@link #deltaRoundTrip}: the one-item delta every broadcast carries, through the whole wire.
 * Payload and frame sizes are printed once in setup ({@code CodecBenchmark: ...} in the run's output).
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar CodecBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class CodecBenchmark {
    static final int MEMBERS = 250;

    private Wire wire;
    private FrameCodec frames;
    private WireMessage message;
    private WireMessage delta;
    /** Protobuf bytes of {@link #message}. */
    private byte[] payload;
    /** Sealed frame of {@link #message}. */
    private byte[] frame;

    @Setup
    public void setup() throws CodecException {
        Fixtures.Built b = Fixtures.build(MEMBERS, 1);
        byte[] key = new byte[32];
        new Random(2).nextBytes(key);
        wire = new Wire(FrameConfig.of("bench-cluster", Keyring.of(key)));
        frames = wire.frames();
        message = new GroupStateMessage(b.state());
        delta = new GroupDeltaMessage(Fixtures.updateDeltas(b, 1, 3)[0]);
        payload = Messages.toBytes(message);
        frame = wire.encode(message);

        WireMessage back = wire.decode(frame);
        if (!(back instanceof GroupStateMessage s) || !s.state().equals(b.state())
                || s.state().digest() != b.state().digest()) {
            throw new IllegalStateException("round trip changed the state");
        }
        if (!Arrays.equals(frames.decode(frame).payload(), payload)) {
            throw new IllegalStateException("frame payload differs from the protobuf bytes");
        }
        byte[] deltaFrame = wire.encode(delta);
        boolean lz4 = (frame[4] & FrameCodec.FLAG_LZ4) != 0;
        System.out.printf("CodecBenchmark: state %d members, %d items: protobuf payload %d bytes (%.1f B/item), "
                        + "frame %d bytes (%s, %.1f B/item); one-item delta frame %d bytes (protobuf %d)%n",
                b.state().worldClock().size(), b.state().itemCount(), payload.length,
                payload.length / (double) b.state().itemCount(), frame.length, lz4 ? "LZ4-compressed" : "uncompressed",
                frame.length / (double) b.state().itemCount(), deltaFrame.length, Messages.toBytes(delta).length);
    }

    /** Protobuf + LZ4 + AES-GCM. */
    @Benchmark
    public byte[] wireEncode() {
        return wire.encode(message);
    }

    /** AES-GCM + LZ4 + protobuf + validation. */
    @Benchmark
    public WireMessage wireDecode() throws CodecException {
        return wire.decode(frame);
    }

    /** Encode then decode. */
    @Benchmark
    public WireMessage wireRoundTrip() throws CodecException {
        return wire.decode(wire.encode(message));
    }

    /** Protobuf only: {@link Messages#toBytes}. */
    @Benchmark
    public byte[] protoEncode() {
        return Messages.toBytes(message);
    }

    /** Protobuf only: {@link Messages#fromBytes}, including validation and building the state. */
    @Benchmark
    public WireMessage protoDecode() throws CodecException {
        return Messages.fromBytes(FrameType.GROUP_STATE, payload);
    }

    /** Frame only: LZ4 + AES-GCM of the protobuf bytes. */
    @Benchmark
    public byte[] frameSeal() {
        return frames.encode(FrameType.GROUP_STATE, payload);
    }

    /** Frame only: AES-GCM + LZ4 back to the protobuf bytes. */
    @Benchmark
    public Frame frameOpen() throws CodecException {
        return frames.decode(frame);
    }

    /** A one-item delta through the whole wire, both ways. */
    @Benchmark
    public WireMessage deltaRoundTrip() throws CodecException {
        return wire.decode(wire.encode(delta));
    }
}
