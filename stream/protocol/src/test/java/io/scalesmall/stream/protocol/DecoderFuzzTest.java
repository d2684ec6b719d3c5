package io.scalesmall.stream.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feeds {@link FrameDecoder#decode} at least 100,000 hostile inputs per run (default 200,000): random bytes,
 * random bodies behind valid headers, and mutations of valid frames of every type (bit flips, byte overwrites,
 * truncation, extension, splices, length and count fields rewritten to large values). For every input decode must
 * return a frame or throw {@link ProtocolException}, nothing else; an accepted frame must re-encode to exactly its
 * input (the encoding is canonical) — except ERROR, whose text is decoded leniently, which must re-encode to a frame
 * that decodes equal. Inputs whose length or count fields were rewritten, and 1% of the rest, must allocate at most
 * {@code 4 × input + 64 KiB} while decoding (no allocation driven by a length field alone). Every input also goes
 * through {@link FrameDecoder#decodeInPlace}, which must agree exactly: the same error code, or a frame of the same
 * type that re-encodes to the same bytes, for DATA a {@link DataView} whose messages equal the copying decoder's.
 *
 * <p>Then the same corpus, cut into random chunks, goes through {@link FrameSplitter} in an
 * {@link EmbeddedChannel}: it must emit whole frames or fail with a {@link DecoderException} wrapping a fatal
 * {@link ProtocolException}, never buffer more than the frame limit.
 *
 * <p>Seeded; every failure names the seed and iteration. Overrides: {@code -Dscalesmall.fuzz.seed=N},
 * {@code -Dscalesmall.fuzz.iterations=N}.
 */
class DecoderFuzzTest {
    private static final long SEED = seed();
    private static final int ITERATIONS = Math.max(100_000, Integer.getInteger("scalesmall.fuzz.iterations", 200_000));
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int WARMUP = 10_000;

    private enum Family { RANDOM, RANDOM_BODY, FLIP, OVERWRITE, TRUNCATE, EXTEND, SPLICE, BIG_FIELD }

    private final Random rng = new Random(SEED);
    private final List<byte[]> corpus = new ArrayList<>();
    private final Map<Family, int[]> accepted = new EnumMap<>(Family.class);
    private final Map<ErrorCode, int[]> rejected = new EnumMap<>(ErrorCode.class);
    private final Map<FrameType, int[]> acceptedTypes = new EnumMap<>(FrameType.class);
    private int iteration;
    private Family family;

    private static long seed() {
        String s = System.getProperty("scalesmall.fuzz.seed");
        return s == null || s.isBlank() ? new SecureRandom().nextLong() : Long.decode(s.strip());
    }

    private String where() {
        return "DecoderFuzzTest seed=" + SEED + " iteration=" + iteration + " family=" + family
                + " (rerun: mvn -o test -pl stream/protocol -Dtest=DecoderFuzzTest -Dscalesmall.fuzz.seed=" + SEED + ")";
    }

    private byte[] randomBytes(int max) {
        byte[] b = new byte[rng.nextInt(max + 1)];
        rng.nextBytes(b);
        return b;
    }

    private String randomName() {
        return rng.nextInt(4) == 0 ? "ström-" + rng.nextInt(100) : "s" + rng.nextInt(1000);
    }

    private List<byte[]> randomMessages(int min) {
        int n = min + rng.nextInt(6);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(randomBytes(rng.nextInt(8) == 0 ? 300 : 20));
        }
        return out;
    }

    private Frame randomFrame() {
        long seq = rng.nextInt(3) == 0 ? rng.nextLong() & Long.MAX_VALUE : rng.nextInt(1000);
        switch (rng.nextInt(12)) {
            case 0: {
                AckMode[] modes = {AckMode.NONE, AckMode.memory(1 + rng.nextInt(3)), AckMode.disk(1 + rng.nextInt(255))};
                List<byte[]> ex = new ArrayList<>();
                for (int i = rng.nextInt(4); i > 0; i--) {
                    ex.add(("10.0.0." + rng.nextInt(256) + ":29998").getBytes(StandardCharsets.UTF_8));
                }
                return new InitFrame(rng.nextLong(), modes[rng.nextInt(3)], 1 + rng.nextInt(255), rng.nextInt(256),
                        randomName(), ex);
            }
            case 1:
                return new InitOkFrame(6 + rng.nextInt(1 << 24), rng.nextInt(1 << 21), 1 + rng.nextInt(1000));
            case 2:
                return new DataFrame(seq, randomMessages(1));
            case 3: {
                int runs = 1 + rng.nextInt(4);
                List<AckFrame.OffsetRun> list = new ArrayList<>();
                long total = 0;
                for (int i = 0; i < runs; i++) {
                    long c = 1 + rng.nextInt(1000);
                    total += c;
                    list.add(new AckFrame.OffsetRun(c, rng.nextInt(10) == 0 ? -1 : rng.nextInt(1 << 30)));
                }
                return new AckFrame(seq + total, total - 1, rng.nextInt(256), rng.nextInt(256), list);
            }
            case 4:
                return new FetchFrame(rng.nextInt(), randomName(), seq, 1 + rng.nextInt(1000), 1 + rng.nextInt(1 << 20),
                        rng.nextInt(60_000));
            case 5: {
                List<byte[]> m = rng.nextInt(5) == 0 ? List.of() : randomMessages(1);
                return new MessagesFrame(rng.nextInt(), seq, rng.nextInt(10), seq + m.size() + rng.nextInt(10), m);
            }
            case 6:
                return new OffsetsFrame(rng.nextInt(), randomName());
            case 7:
                return new OffsetsReplyFrame(rng.nextInt(), seq, seq + rng.nextInt(1000));
            case 9: {
                long producer = rng.nextInt(3) == 0 ? 0 : rng.nextLong();
                return new ReplicateFrame(rng.nextInt(3) == 0 ? seq : rng.nextInt(1 << 20), producer,
                        producer == 0 ? 0 : seq, randomMessages(1));
            }
            case 10: {
                int n = 1 + rng.nextInt(5);
                long[] d = new long[n];
                long[] p = new long[n];
                long dv = seq;
                long pv = seq;
                for (int i = 0; i < n; i++) {
                    dv -= rng.nextInt(3) == 0 ? 0 : Math.min(dv, rng.nextInt(1000));
                    pv -= rng.nextInt(3) == 0 ? 0 : Math.min(pv, rng.nextInt(1000));
                    d[i] = dv;
                    p[i] = pv;
                }
                return new ChainAckFrame(d, p);
            }
            case 11:
                return new PullFrame(rng.nextInt(), randomName(), seq, rng.nextInt(3) == 0 ? 0 : 1 + rng.nextInt(5000),
                        1 + rng.nextInt(1 << 20), "127.0.0." + rng.nextInt(256) + ":" + rng.nextInt(65536));
            default:
                return new ErrorFrame(1 + rng.nextInt(20), rng.nextInt(), seq, rng.nextInt(100), rng.nextLong(),
                        "error " + rng.nextInt());
        }
    }

    private byte[] input() {
        byte[] base = corpus.get(rng.nextInt(corpus.size()));
        family = Family.values()[rng.nextInt(Family.values().length)];
        switch (family) {
            case RANDOM:
                return randomBytes(64);
            case RANDOM_BODY: {
                byte[] body = randomBytes(200);
                byte[] b = new byte[6 + body.length];
                b[0] = 1;
                b[1] = (byte) (1 + rng.nextInt(13));
                b[2] = (byte) (body.length >>> 24);
                b[3] = (byte) (body.length >>> 16);
                b[4] = (byte) (body.length >>> 8);
                b[5] = (byte) body.length;
                System.arraycopy(body, 0, b, 6, body.length);
                return b;
            }
            case FLIP: {
                byte[] b = base.clone();
                for (int i = 1 + rng.nextInt(3); i > 0; i--) {
                    int at = rng.nextInt(b.length);
                    b[at] ^= (byte) (1 << rng.nextInt(8));
                }
                return b;
            }
            case OVERWRITE: {
                byte[] b = base.clone();
                b[rng.nextInt(b.length)] = (byte) rng.nextInt(256);
                return b;
            }
            case TRUNCATE:
                return Arrays.copyOf(base, rng.nextInt(base.length));
            case EXTEND: {
                byte[] tail = randomBytes(16);
                byte[] b = Arrays.copyOf(base, base.length + tail.length);
                System.arraycopy(tail, 0, b, base.length, tail.length);
                return b;
            }
            case SPLICE: {
                byte[] other = corpus.get(rng.nextInt(corpus.size()));
                int cut = rng.nextInt(base.length);
                int from = rng.nextInt(other.length);
                byte[] b = Arrays.copyOf(base, cut + other.length - from);
                System.arraycopy(other, from, b, cut, other.length - from);
                return b;
            }
            default: {
                // A length or count field rewritten to a large value: any 4 aligned-or-not bytes after the header.
                byte[] b = base.clone();
                int at = b.length <= 6 ? 2 : 2 + rng.nextInt(b.length - 5);
                int value = rng.nextBoolean() ? -1 : 0x7fff_0000 + rng.nextInt(0xffff);
                for (int i = 0; i < 4 && at + i < b.length; i++) {
                    b[at + i] = (byte) (value >>> (24 - 8 * i));
                }
                return b;
            }
        }
    }

    private void decodeOne(byte[] input, boolean measure) {
        long before = measure ? THREADS.getCurrentThreadAllocatedBytes() : 0;
        Frame f;
        try {
            f = FrameDecoder.decode(Unpooled.wrappedBuffer(input), FrameCodec.HARD_MAX_FRAME_BYTES);
        } catch (ProtocolException e) {
            rejected.computeIfAbsent(e.code(), k -> new int[1])[0]++;
            if (e.code() == ErrorCode.BAD_STREAM_NAME) {
                assertThat(e.fatal()).as(where()).isFalse();
            }
            checkAllocation(input, measure, before);
            inPlaceAgrees(input, null, e);
            return;
        } catch (Throwable t) {
            throw new AssertionError(where() + ": decode threw " + t + " for hex=" + Hex.of(input), t);
        }
        checkAllocation(input, measure, before);
        inPlaceAgrees(input, f, null);
        accepted.computeIfAbsent(family, k -> new int[1])[0]++;
        acceptedTypes.computeIfAbsent(f.type(), k -> new int[1])[0]++;
        byte[] again = Hex.encode(f);
        if (f instanceof ErrorFrame) {
            try {
                assertThat(Hex.encode(Hex.decode(again))).as(where()).isEqualTo(again);
            } catch (ProtocolException e) {
                throw new AssertionError(where() + ": re-encoded ERROR rejected: " + e.getMessage(), e);
            }
        } else {
            assertThat(Hex.of(again)).as(where() + ": accepted frame re-encodes to its input").isEqualTo(Hex.of(input));
        }
    }

    /**
     * {@link FrameDecoder#decodeInPlace} on the same input (in a fresh buffer, released after) must refuse it with
     * the same code as {@link FrameDecoder#decode} did ({@code refused}), or accept what it accepted ({@code copied}).
     */
    private void inPlaceAgrees(byte[] input, Frame copied, ProtocolException refused) {
        ByteBuf buf = Unpooled.buffer(input.length);
        buf.writeBytes(input);
        try {
            Frame f;
            try {
                f = FrameDecoder.decodeInPlace(buf, FrameCodec.HARD_MAX_FRAME_BYTES);
            } catch (ProtocolException e) {
                assertThat(refused).as(where() + ": only decodeInPlace refused: " + e.getMessage()).isNotNull();
                assertThat(e.code()).as(where()).isEqualTo(refused.code());
                return;
            } catch (Throwable t) {
                throw new AssertionError(where() + ": decodeInPlace threw " + t + " for hex=" + Hex.of(input), t);
            }
            assertThat(refused).as(where() + ": only decodeInPlace accepted").isNull();
            assertThat(f.type()).as(where()).isEqualTo(copied.type());
            if (f instanceof DataView v) {
                DataFrame d = (DataFrame) copied;
                assertThat(v.firstSequence()).as(where()).isEqualTo(d.firstSequence());
                assertThat(v.messages().count()).as(where()).isEqualTo(d.messages().size());
                assertThat(v.messages().toList()).as(where()).containsExactlyElementsOf(d.messages());
                assertThat(v.messages().payloadBytes()).as(where())
                        .isEqualTo(d.messages().stream().mapToLong(m -> m.length).sum());
            } else {
                assertThat(f).as(where()).isNotInstanceOf(DataFrame.class);
            }
            if (!(f instanceof ErrorFrame)) {
                assertThat(Hex.of(Hex.encode(f))).as(where() + ": in-place frame re-encodes to its input")
                        .isEqualTo(Hex.of(input));
            }
        } finally {
            assertThat(buf.release()).as(where() + ": the decoder took no reference").isTrue();
        }
    }

    private void checkAllocation(byte[] input, boolean measure, long before) {
        if (!measure) {
            return;
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        long bound = 4L * input.length + 64 * 1024;
        if (allocated > bound) {
            throw new AssertionError(where() + ": decode allocated " + allocated + " bytes, bound " + bound + ", hex="
                    + Hex.of(input));
        }
    }

    @Test
    void decoderSurvivesHostileInput() {
        System.out.println("DecoderFuzzTest seed=" + SEED + " iterations=" + ITERATIONS);
        for (int i = 0; i < 400; i++) {
            corpus.add(Hex.encode(randomFrame()));
        }
        for (iteration = 0; iteration < ITERATIONS; iteration++) {
            byte[] in = input();
            boolean measure = iteration > WARMUP && (family == Family.BIG_FIELD || rng.nextInt(100) == 0);
            decodeOne(in, measure);
        }
        System.out.println("DecoderFuzzTest seed=" + SEED + " accepted by family " + summary(accepted)
                + ", rejected by code " + summary(rejected));
        assertThat(rejected.keySet()).as("seed %d: the fuzzer reaches every structural check", SEED)
                .contains(ErrorCode.MALFORMED, ErrorCode.UNKNOWN_TYPE, ErrorCode.UNSUPPORTED_VERSION,
                        ErrorCode.FRAME_TOO_LARGE, ErrorCode.BAD_STREAM_NAME);
        assertThat(accepted.get(Family.FLIP)).as("seed %d: some mutants stay valid", SEED).isNotNull();
        assertThat(acceptedTypes.keySet()).as("seed %d: every frame type, the chain's included, is decoded", SEED)
                .containsExactlyInAnyOrder(FrameType.values());
    }

    private static <K> String summary(Map<K, int[]> m) {
        StringBuilder sb = new StringBuilder("{");
        m.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append('=').append(v[0]));
        return sb.append('}').toString();
    }

    @Test
    void splitterCutsWholeFramesOrFailsFatally() {
        System.out.println("DecoderFuzzTest splitter seed=" + SEED);
        for (int i = 0; i < 200; i++) {
            corpus.add(Hex.encode(randomFrame()));
        }
        int limit = 4096;
        for (iteration = 0; iteration < 2_000; iteration++) {
            EmbeddedChannel ch = new EmbeddedChannel(new FrameSplitter(limit));
            ByteBuf stream = Unpooled.buffer();
            int frames = 1 + rng.nextInt(20);
            for (int k = 0; k < frames; k++) {
                stream.writeBytes(rng.nextInt(10) == 0 ? input() : corpus.get(rng.nextInt(corpus.size())));
            }
            byte[] all = new byte[stream.readableBytes()];
            stream.readBytes(all);
            int at = 0;
            boolean failed = false;
            while (at < all.length && !failed) {
                int n = Math.min(all.length - at, 1 + rng.nextInt(300));
                try {
                    ch.writeInbound(Unpooled.wrappedBuffer(all, at, n));
                } catch (DecoderException e) {
                    assertThat(e.getCause()).as(where()).isInstanceOf(ProtocolException.class);
                    assertThat(((ProtocolException) e.getCause()).fatal()).as(where()).isTrue();
                    failed = true;
                }
                at += n;
            }
            for (Object o; (o = ch.readInbound()) != null; ) {
                ByteBuf f = (ByteBuf) o;
                assertThat(f.readableBytes()).as(where()).isBetween(FrameCodec.HEADER_BYTES, limit);
                assertThat(f.getUnsignedInt(f.readerIndex() + 2) + 6).as(where()).isEqualTo(f.readableBytes());
                f.release();
            }
            ch.finishAndReleaseAll();
        }
    }
}
