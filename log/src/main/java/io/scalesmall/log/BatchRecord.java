package io.scalesmall.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * One batch as stored in a segment file. Layout (all integers big-endian, as in docs/wire-format.md):
 *
 * <pre>
 * offset size  field
 *  0      2    magic 0x53 0x4C ("SL")
 *  2      1    format version: 2 (written); 1 (still read)
 *  3      1    flags: bit 0 = body LZ4-compressed; bit 1 = producer fields present (version 2 only); others 0
 *  4      4    CRC32C of every byte after this field: [8, 37 + K + P + S)
 *  8      4    S, stored body length (bytes after the name and producer fields)
 * 12      4    U, uncompressed body length; U = S when not compressed, S &lt; U when compressed
 * 16      8    base offset: the stream offset of the first message
 * 24      4    N, message count, ≥ 1
 * 28      8    append time, milliseconds since the epoch (for retention by age)
 * 36      1    K, stream name length in bytes, 1..255
 * 37      K    stream name, UTF-8
 * 37+K    P    P = 16 when flag bit 1 is set, else 0: producer id (u64, not 0), first sequence (u64, ≥ 0) --
 *              the batch's messages have sequences first .. first + N - 1 (idempotent appends)
 * 37+K+P  S    body: N × (u32 length, bytes) -- U bytes in all -- or an LZ4 block of those U bytes
 * </pre>
 *
 * A record is {@code 37 + K + P + S} bytes; records follow each other with no padding. The name is repeated in
 * every batch so that every segment describes itself (recovery and retention need no other file); with group
 * commit a batch carries many messages, so that costs a few bytes per batch, not per message. The producer fields
 * are there only for idempotent appends, so plain batches cost no more than in version 1; recovery rebuilds the
 * producers' state from them ({@link ProducerTable}). A version 1 record is a version 2 record without flag bit 1.
 * The body is compressed only when it is at least {@link FileLogConfig#compressMinBytes()} long and LZ4 makes it
 * at least an eighth smaller ({@link #worthCompressing}).
 *
 * <p>Stateless and thread-safe.
 */
final class BatchRecord {
    static final int MAGIC = 0x534C;
    /** The version written. */
    static final int VERSION = 2;
    /** The older version still read: no producer fields. */
    static final int VERSION_1 = 1;
    static final int FLAG_LZ4 = 1;
    static final int FLAG_PRODUCER = 2;
    static final int HEADER_BYTES = 37;
    /** P, the producer fields' size when present. */
    static final int PRODUCER_BYTES = 16;

    static final int CRC_AT = 4;
    static final int CRC_FROM = 8;
    static final int STORED_AT = 8;
    static final int UNCOMPRESSED_AT = 12;
    static final int BASE_OFFSET_AT = 16;
    static final int COUNT_AT = 24;
    static final int TIME_AT = 28;
    static final int NAME_LENGTH_AT = 36;

    /** The largest record a valid log can hold. */
    static final int MAX_RECORD_BYTES = HEADER_BYTES + MessageLog.MAX_STREAM_NAME_BYTES + PRODUCER_BYTES
            + MessageLog.MAX_BATCH_BYTES;

    private static final LZ4Compressor COMPRESSOR = LZ4Factory.fastestInstance().fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4Factory.fastestInstance().safeDecompressor();

    private BatchRecord() {
    }

    /**
     * A record built except for its base offset, append time and CRC, which {@link #seal} fills in once the
     * log's lock is held. Built outside the lock, so that producers compress in parallel.
     *
     * @param bytes  the record in {@code bytes[0, length)}
     * @param count  the number of messages
     */
    record Unsealed(byte[] bytes, int length, int count) {
    }

    /** Encodes a checked batch ({@code bodyBytes} = sum of length + 4) for the stream named by {@code name}. */
    static Unsealed encode(byte[] name, List<byte[]> messages, int bodyBytes, int compressMinBytes) {
        return encode(name, 0, 0, messages, bodyBytes, compressMinBytes, CompressionGate.always());
    }

    /**
     * As {@link #encode(byte[], List, int, int)}, for an idempotent producer: {@code producerId} not 0 writes the
     * producer fields (with {@code firstSequence}); 0 writes none. A body of at least {@code compressMinBytes} is
     * compressed if {@code gate} lets it try and LZ4 makes it smaller.
     */
    static Unsealed encode(byte[] name, long producerId, long firstSequence, List<byte[]> messages, int bodyBytes,
            int compressMinBytes, CompressionGate gate) {
        return encode(name, producerId, firstSequence, MessageBatch.of(messages), bodyBytes, compressMinBytes, gate);
    }

    /**
     * As {@link #encode(byte[], long, long, List, int, int, CompressionGate)}, from a view: its body is copied into
     * the record as it is laid out ({@link MessageBatch#writeBody}: one bulk copy for a body-backed view, no array
     * per message).
     */
    static Unsealed encode(byte[] name, long producerId, long firstSequence, MessageBatch messages, int bodyBytes,
            int compressMinBytes, CompressionGate gate) {
        return encode(name, producerId, firstSequence, messages, bodyBytes, compressMinBytes, gate, null);
    }

    /**
     * Reusable arrays for {@link #encode(byte[], long, long, MessageBatch, int, int, CompressionGate, Scratch)}: one
     * for the raw record, one for its compressed candidate, each kept while at most {@link #MAX_BYTES} long (a larger
     * record gets fresh arrays, not kept). A record encoded into them is valid until the next encode with the same
     * scratch. Not thread-safe: one per thread. Without it, a node taking 256 KiB batches allocated about 70 % of its
     * garbage here (a new array per batch, two when LZ4 was tried; JFR allocation samples of the bench at 1.5M msgs/s).
     */
    static final class Scratch {
        /** The largest array kept: 1 MiB (a cache chunk; batches are 64-256 KiB by default). */
        static final int MAX_BYTES = 1 << 20;
        private byte[] raw = new byte[0];
        private byte[] compressed = new byte[0];

        private byte[] raw(int length) {
            return length > MAX_BYTES ? new byte[length] : (raw = atLeast(raw, length));
        }

        private byte[] compressed(int length) {
            return length > MAX_BYTES ? new byte[length] : (compressed = atLeast(compressed, length));
        }

        /** {@code a} if it holds {@code length} bytes, else a new array of at least that (doubling, to the cap). */
        private static byte[] atLeast(byte[] a, int length) {
            return a.length >= length ? a : new byte[Math.max(length, Math.min(MAX_BYTES, a.length * 2))];
        }
    }

    /**
     * As {@link #encode(byte[], long, long, MessageBatch, int, int, CompressionGate)}, into {@code scratch}'s arrays
     * (null: new ones): the result is valid until {@code scratch} is used again. Bytes past the record's length in
     * its array are left as they were.
     */
    static Unsealed encode(byte[] name, long producerId, long firstSequence, MessageBatch messages, int bodyBytes,
            int compressMinBytes, CompressionGate gate, Scratch scratch) {
        int producerBytes = producerId == 0 ? 0 : PRODUCER_BYTES;
        int bodyStart = HEADER_BYTES + name.length + producerBytes;
        // the raw record; the body is written in place
        byte[] rec = scratch == null ? new byte[bodyStart + bodyBytes] : scratch.raw(bodyStart + bodyBytes);
        messages.writeBody(ByteBuffer.wrap(rec, bodyStart, bodyBytes));
        int stored = bodyBytes;
        int flags = 0;
        if (bodyBytes >= compressMinBytes && gate.shouldTry()) {
            int max = COMPRESSOR.maxCompressedLength(bodyBytes);
            byte[] candidate = scratch == null ? new byte[bodyStart + max] : scratch.compressed(bodyStart + max);
            int n = COMPRESSOR.compress(rec, bodyStart, bodyBytes, candidate, bodyStart, max);
            boolean worth = worthCompressing(bodyBytes, n);
            gate.record(worth);
            if (worth) {
                rec = candidate;
                stored = n;
                flags = FLAG_LZ4;
            }
        }
        ByteBuffer h = ByteBuffer.wrap(rec);
        if (producerId != 0) {
            flags |= FLAG_PRODUCER;
            h.putLong(HEADER_BYTES + name.length, producerId).putLong(HEADER_BYTES + name.length + 8, firstSequence);
        }
        h.putShort(0, (short) MAGIC).put(2, (byte) VERSION).put(3, (byte) flags)
                .putInt(STORED_AT, stored).putInt(UNCOMPRESSED_AT, bodyBytes)
                .putInt(COUNT_AT, messages.count()).put(NAME_LENGTH_AT, (byte) name.length);
        System.arraycopy(name, 0, rec, HEADER_BYTES, name.length);
        return new Unsealed(rec, bodyStart + stored, messages.count());
    }

    /**
     * Whether an LZ4 block of {@code compressed} bytes is kept for a body of {@code raw} bytes: only if it saves at
     * least an eighth. Random letters (what the bench sends, as Kafka's ProducerPerformance) shrink by a few percent
     * -- a 4-byte match here and there, and the repeated length prefixes -- not worth an LZ4 decode per read, and
     * counting them as successes kept {@link CompressionGate} from ever backing off.
     */
    static boolean worthCompressing(int raw, int compressed) {
        return compressed <= raw - raw / 8;
    }

    /** Fills in the base offset, the append time and the CRC; returns the finished record. */
    static ByteBuffer seal(Unsealed u, long baseOffset, long timeMillis) {
        ByteBuffer rec = ByteBuffer.wrap(u.bytes(), 0, u.length());
        rec.putLong(BASE_OFFSET_AT, baseOffset).putLong(TIME_AT, timeMillis);
        rec.putInt(CRC_AT, crc(rec, 0, u.length()));
        return rec;
    }

    /** CRC32C of the record at {@code [at, at + length)} of {@code buf}, from its byte 8 on. */
    static int crc(ByteBuffer buf, int at, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().limit(at + length).position(at + CRC_FROM));
        return (int) crc.getValue();
    }

    /**
     * Checks the fixed header at {@code buf[at, at + 37)} for plausibility (not the CRC). Returns null when it is
     * plausible, else why not.
     */
    static String headerProblem(ByteBuffer buf, int at) {
        if ((buf.getShort(at) & 0xFFFF) != MAGIC) {
            return "bad magic";
        }
        int version = buf.get(at + 2) & 0xFF;
        if (version != VERSION && version != VERSION_1) {
            return "unknown format version " + version;
        }
        int flags = buf.get(at + 3) & 0xFF;
        if ((flags & ~(version == VERSION_1 ? FLAG_LZ4 : FLAG_LZ4 | FLAG_PRODUCER)) != 0) {
            return "unknown flags 0x" + Integer.toHexString(flags);
        }
        int stored = buf.getInt(at + STORED_AT);
        int uncompressed = buf.getInt(at + UNCOMPRESSED_AT);
        int count = buf.getInt(at + COUNT_AT);
        if (uncompressed < 4 || uncompressed > MessageLog.MAX_BATCH_BYTES) {
            return "uncompressed length " + uncompressed + " out of range";
        }
        boolean lz4 = (flags & FLAG_LZ4) != 0;
        if (lz4 ? stored < 1 || stored >= uncompressed : stored != uncompressed) {
            return "stored length " + stored + " inconsistent with uncompressed length " + uncompressed;
        }
        if (count < 1 || count > uncompressed / 4) {
            return "message count " + count + " out of range";
        }
        if (buf.getLong(at + BASE_OFFSET_AT) < 0) {
            return "negative base offset";
        }
        if ((buf.get(at + NAME_LENGTH_AT) & 0xFF) == 0) {
            return "empty stream name";
        }
        return null;
    }

    /** The full record length given a plausible header at {@code at}. */
    static int recordLength(ByteBuffer buf, int at) {
        return bodyAt(buf, at) + buf.getInt(at + STORED_AT);
    }

    /** Where the body starts, relative to the record's start at {@code at}: {@code 37 + K + P}. */
    private static int bodyAt(ByteBuffer buf, int at) {
        return HEADER_BYTES + (buf.get(at + NAME_LENGTH_AT) & 0xFF)
                + ((buf.get(at + 3) & FLAG_PRODUCER) != 0 ? PRODUCER_BYTES : 0);
    }

    /** The producer id of the (whole) record at {@code at}, or 0 when it carries no producer fields. */
    static long producerId(ByteBuffer buf, int at) {
        return (buf.get(at + 3) & FLAG_PRODUCER) == 0 ? 0
                : buf.getLong(at + HEADER_BYTES + (buf.get(at + NAME_LENGTH_AT) & 0xFF));
    }

    /** The first sequence of the (whole) record at {@code at}; meaningful only when {@link #producerId} is not 0. */
    static long firstSequence(ByteBuffer buf, int at) {
        return (buf.get(at + 3) & FLAG_PRODUCER) == 0 ? -1
                : buf.getLong(at + HEADER_BYTES + (buf.get(at + NAME_LENGTH_AT) & 0xFF) + 8);
    }

    /**
     * Checks the producer fields of a whole, CRC-checked record: returns null when there are none or they are
     * valid (id not 0, sequences first .. first + N - 1 within 0..2^63-1), else why not.
     */
    static String producerProblem(ByteBuffer buf, int at) {
        if ((buf.get(at + 3) & FLAG_PRODUCER) == 0) {
            return null;
        }
        if (producerId(buf, at) == 0) {
            return "producer fields with producer id 0";
        }
        long first = firstSequence(buf, at);
        if (first < 0 || first > Long.MAX_VALUE - (count(buf, at) - 1)) {
            return "first sequence " + first + " out of range";
        }
        return null;
    }

    static long baseOffset(ByteBuffer buf, int at) {
        return buf.getLong(at + BASE_OFFSET_AT);
    }

    static long appendMillis(ByteBuffer buf, int at) {
        return buf.getLong(at + TIME_AT);
    }

    static int count(ByteBuffer buf, int at) {
        return buf.getInt(at + COUNT_AT);
    }

    static String streamName(ByteBuffer buf, int at) {
        int k = buf.get(at + NAME_LENGTH_AT) & 0xFF;
        byte[] name = new byte[k];
        buf.get(at + HEADER_BYTES, name);
        return new String(name, StandardCharsets.UTF_8);
    }

    /**
     * Decodes the messages of the (CRC-checked) record at {@code buf[at, ...)}, skipping the first {@code skip}
     * of them and returning at most {@code max} -- stopping before the one that would take the total past
     * {@code maxBytes} unless nothing was taken yet and {@code alwaysOne}.
     *
     * @throws IllegalArgumentException if the body does not decode to exactly N messages in U bytes
     */
    static List<byte[]> decode(ByteBuffer buf, int at, int skip, int max, long maxBytes, boolean alwaysOne) {
        int bodyAt = at + bodyAt(buf, at);
        int stored = buf.getInt(at + STORED_AT);
        int uncompressed = buf.getInt(at + UNCOMPRESSED_AT);
        int count = buf.getInt(at + COUNT_AT);
        ByteBuffer body;
        if ((buf.get(at + 3) & FLAG_LZ4) != 0) {
            if (uncompressed < 0 || uncompressed > MessageLog.MAX_BATCH_BYTES) {
                throw new IllegalArgumentException("uncompressed length " + uncompressed + " out of range");
            }
            byte[] out = new byte[uncompressed];
            int n;
            try {
                n = DECOMPRESSOR.decompress(buf, bodyAt, stored, ByteBuffer.wrap(out), 0, uncompressed);
            } catch (LZ4Exception e) {
                throw new IllegalArgumentException("LZ4 body does not decompress", e);
            }
            if (n != uncompressed) {
                throw new IllegalArgumentException("LZ4 body decompresses to " + n + " bytes, header says " + uncompressed);
            }
            body = ByteBuffer.wrap(out);
        } else {
            body = buf.duplicate().limit(bodyAt + stored).position(bodyAt).slice();
        }
        List<byte[]> messages = new ArrayList<>(Math.min(max, count - Math.min(skip, count)));
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            if (body.remaining() < 4) {
                throw new IllegalArgumentException("body ends inside message " + i + " of " + count);
            }
            int len = body.getInt();
            if (len < 0 || len > MessageLog.MAX_MESSAGE_BYTES || len > body.remaining()) {
                throw new IllegalArgumentException("message " + i + " has bad length " + len);
            }
            if (i < skip) {
                body.position(body.position() + len);
                continue;
            }
            if (messages.size() >= max || (bytes + len > maxBytes && !(messages.isEmpty() && alwaysOne))) {
                return messages;
            }
            byte[] m = new byte[len];
            body.get(m);
            messages.add(m);
            bytes += len;
        }
        if (body.hasRemaining()) {
            throw new IllegalArgumentException(body.remaining() + " bytes left after " + count + " messages");
        }
        return messages;
    }
}
