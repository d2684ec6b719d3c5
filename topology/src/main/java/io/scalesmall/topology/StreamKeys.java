package io.scalesmall.topology;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The key a stream's name maps to: what the cluster routes on ({@link GroupState#route(long)}), so that every node,
 * client and other implementation sends a stream to the same members.
 *
 * <pre>
 * keyOf(name) = XXH32(UTF-8 bytes of name, seed 0), read as an unsigned 32-bit integer (0 .. 2^32 - 1)
 * </pre>
 *
 * XXH32 is specified (github.com/Cyan4973/xxHash, doc/xxhash_spec.md) and implemented in every common language;
 * it is fast on short inputs and spreads similar names ("stream-1", "stream-2") evenly over the key space, so
 * that ranges of keys hold similar shares of the streams. The function is part of the cluster's contract: changing
 * it moves every stream to other members.
 *
 * <p>A stream name is 1 to {@value #MAX_NAME_BYTES} bytes of UTF-8 (the message log's limit); a string with an
 * unpaired surrogate has no UTF-8 form and is refused. Thread-safe (stateless).
 */
public final class StreamKeys {
    /** The longest stream name, in UTF-8 bytes; the message log enforces the same rule through {@link #nameBytes}. */
    public static final int MAX_NAME_BYTES = 255;
    /** The seed of the XXH32 hash. Fixed: part of the routing contract. */
    public static final int SEED = 0;

    private static final XXHash32 XXH32 = XXHashFactory.fastestInstance().hash32();
    /** How much of a refused name an error message quotes. */
    private static final int QUOTE_CHARS = 64;

    private StreamKeys() {
    }

    /**
     * The routing key of a stream.
     *
     * @param stream the stream's name, 1..{@value #MAX_NAME_BYTES} UTF-8 bytes
     * @return XXH32 (seed 0) of the name's UTF-8 bytes, as an unsigned value in 0..{@link Item#MAX_KEY}
     * @throws IllegalArgumentException if the name is empty, longer than {@value #MAX_NAME_BYTES} UTF-8 bytes, or
     *                                  not encodable as UTF-8 (unpaired surrogate); the message quotes the name
     * @throws NullPointerException     if {@code stream} is null
     */
    public static long keyOf(String stream) {
        byte[] bytes = nameBytes(stream);
        return Integer.toUnsignedLong(XXH32.hash(bytes, 0, bytes.length, SEED));
    }

    /**
     * The one rule for stream names, shared by routing and the message log.
     *
     * @return the name's UTF-8 bytes
     * @throws IllegalArgumentException if the name is empty, longer than {@value #MAX_NAME_BYTES} UTF-8 bytes, or
     *                                  not encodable as UTF-8 (unpaired surrogate); the message quotes the name
     * @throws NullPointerException     if {@code stream} is null
     */
    public static byte[] nameBytes(String stream) {
        Objects.requireNonNull(stream, "stream");
        ByteBuffer encoded;
        try {
            encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(stream));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("stream name " + quote(stream)
                    + " is not valid UTF-16 (unpaired surrogate)", e);
        }
        int n = encoded.remaining();
        if (n < 1 || n > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("stream name " + quote(stream) + " must be 1.." + MAX_NAME_BYTES
                    + " UTF-8 bytes, got " + n);
        }
        byte[] bytes = new byte[n];
        encoded.get(bytes);
        return bytes;
    }

    /** The name in quotes, cut to its first {@value #QUOTE_CHARS} chars (with "...") so errors stay one line. */
    private static String quote(String stream) {
        String shown = stream.length() <= QUOTE_CHARS ? stream : stream.substring(0, QUOTE_CHARS) + "...";
        return "'" + shown.replace("\n", "\\n").replace("\r", "\\r") + "'";
    }
}
