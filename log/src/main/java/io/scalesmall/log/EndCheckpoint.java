package io.scalesmall.log;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The end offsets of streams that no segment describes any more: those whose batches retention dropped, all of
 * them. Without it, a reopened log would scan no batch of such a stream and give its offsets out again from 0.
 * Written by retention <em>before</em> it deletes segment files; read on open, where a stream's end is the larger
 * of what the checkpoint and the segments say.
 *
 * <p>File {@code ends.chk}, all integers big-endian:
 * <pre>
 * offset size  field
 *  0      2    magic 0x53 0x45 ("SE")
 *  2      1    format version, 1
 *  3      1    flags, 0
 *  4      4    CRC32C of every byte after this field
 *  8      4    E, entry count
 * 12      ...  E x (u8 K, stream name K bytes UTF-8, u64 end offset)
 * </pre>
 * Replaced atomically: written to {@code ends.chk.tmp}, fsynced, renamed over {@code ends.chk}, then the directory
 * is fsynced. A leftover {@code .tmp} (a crash while writing) is deleted on open; a damaged {@code ends.chk} is
 * corruption ({@link LogCorruptedException}), since only whole, synced files are ever renamed into place.
 * Stateless; called under the log's lock or on the opening thread.
 */
final class EndCheckpoint {
    static final String FILE = "ends.chk";
    static final String TMP = FILE + ".tmp";
    static final int MAGIC = 0x5345;
    static final int VERSION = 1;
    static final int HEADER_BYTES = 12;

    private EndCheckpoint() {
    }

    /** Replaces the checkpoint with {@code ends} (stream name → end offset), durably. */
    static void write(Path dir, Map<String, Long> ends) throws IOException {
        int size = HEADER_BYTES;
        Map<byte[], Long> encoded = new LinkedHashMap<>();
        for (var e : ends.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            encoded.put(name, e.getValue());
            size += 1 + name.length + 8;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putShort((short) MAGIC).put((byte) VERSION).put((byte) 0).putInt(0).putInt(encoded.size());
        for (var e : encoded.entrySet()) {
            buf.put((byte) e.getKey().length).put(e.getKey()).putLong(e.getValue());
        }
        buf.putInt(4, crc(buf.array(), size));
        buf.flip();
        Path tmp = dir.resolve(TMP);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Segment.syncDirectory(dir);
    }

    /** The checkpointed end offsets (empty if there is no checkpoint); deletes a leftover temporary file. */
    static Map<String, Long> read(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(TMP));
        Path file = dir.resolve(FILE);
        Map<String, Long> ends = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return ends;
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        if (bytes.length < HEADER_BYTES || (buf.getShort(0) & 0xFFFF) != MAGIC || buf.get(2) != VERSION
                || buf.get(3) != 0) {
            throw new LogCorruptedException(file, 0, "not an end-offset checkpoint of format version " + VERSION);
        }
        if (crc(bytes, bytes.length) != buf.getInt(4)) {
            throw new LogCorruptedException(file, 0, "CRC32C mismatch in the end-offset checkpoint");
        }
        buf.position(8);
        int count = buf.getInt();
        try {
            for (int i = 0; i < count; i++) {
                int k = buf.get() & 0xFF;
                long at = buf.position() - 1;
                byte[] name = new byte[k];
                buf.get(name);
                long end = buf.getLong();
                if (k == 0 || end < 1) {
                    throw new LogCorruptedException(file, at, "bad checkpoint entry " + i);
                }
                ends.put(new String(name, StandardCharsets.UTF_8), end);
            }
        } catch (BufferUnderflowException e) {
            throw new LogCorruptedException(file, buf.position(), "checkpoint ends inside entry " + ends.size());
        }
        if (buf.hasRemaining()) {
            throw new LogCorruptedException(file, buf.position(), buf.remaining() + " bytes after the last entry");
        }
        return ends;
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 8, length - 8);
        return (int) crc.getValue();
    }
}
