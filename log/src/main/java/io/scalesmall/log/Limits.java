package io.scalesmall.log;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/** Argument checks shared by every {@link MessageLog}, so that all implementations reject the same inputs. */
final class Limits {
    private Limits() {
    }

    /** The stream name's UTF-8 bytes, after checking its length and that it encodes (no unpaired surrogates). */
    static byte[] streamNameBytes(String stream) {
        Objects.requireNonNull(stream, "stream");
        ByteBuffer encoded;
        try {
            encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(stream));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("stream name is not valid UTF-16 (unpaired surrogate)", e);
        }
        int n = encoded.remaining();
        if (n < 1 || n > MessageLog.MAX_STREAM_NAME_BYTES) {
            throw new IllegalArgumentException("stream name must be 1.." + MessageLog.MAX_STREAM_NAME_BYTES
                    + " UTF-8 bytes, got " + n);
        }
        byte[] bytes = new byte[n];
        encoded.get(bytes);
        return bytes;
    }

    /** Checks a batch; returns its size counted as {@code sum(length + 4)}. */
    static int checkBatch(List<byte[]> messages) {
        Objects.requireNonNull(messages, "messages");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a batch holds at least one message");
        }
        long total = 0;
        for (byte[] m : messages) {
            Objects.requireNonNull(m, "message");
            if (m.length > MessageLog.MAX_MESSAGE_BYTES) {
                throw new MessageTooLargeException("message", m.length, MessageLog.MAX_MESSAGE_BYTES);
            }
            total += m.length + 4L;
        }
        if (total > MessageLog.MAX_BATCH_BYTES) {
            throw new MessageTooLargeException("batch", total, MessageLog.MAX_BATCH_BYTES);
        }
        return (int) total;
    }

    /** Checks read bounds (not the offset range, which needs the stream). */
    static void checkRead(long fromOffset, int maxMessages, int maxBytes) {
        if (fromOffset < 0) {
            throw new IllegalArgumentException("fromOffset must be >= 0, got " + fromOffset);
        }
        if (maxMessages < 1) {
            throw new IllegalArgumentException("maxMessages must be >= 1, got " + maxMessages);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be >= 1, got " + maxBytes);
        }
    }
}
