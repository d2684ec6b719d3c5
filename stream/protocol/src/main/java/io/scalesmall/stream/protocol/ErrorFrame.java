package io.scalesmall.stream.protocol;

import java.util.Objects;

/**
 * ERROR (type 9), node → client: something failed. Which thing: a request ({@code requestId}, for FETCH and
 * OFFSETS), a batch ({@code firstSequence} and {@code count} &gt; 0, for DATA), or the session or connection (both
 * 0). After a {@linkplain ErrorCode#fatal fatal} code the node closes the connection.
 *
 * @param code          the error code's wire id, 1..65535 ({@link #errorCode()} is null for a code this version
 *                      does not know: a client treats it as failing what the frame names)
 * @param requestId     the failed request's id, or 0
 * @param firstSequence the first sequence of the failed batch, or 0
 * @param count         the failed batch's message count, or 0
 * @param detail        a code-specific number: the stream's first offset for {@link ErrorCode#OFFSET_OUT_OF_RANGE},
 *                      the limit for {@link ErrorCode#MESSAGE_TOO_LARGE} and {@link ErrorCode#FRAME_TOO_LARGE};
 *                      else 0
 * @param text          a human-readable reason, at most {@value #MAX_TEXT_BYTES} UTF-8 bytes (longer is cut)
 */
public record ErrorFrame(int code, int requestId, long firstSequence, long count, long detail, String text)
        implements Frame {
    /** The longest error text, in UTF-8 bytes. */
    public static final int MAX_TEXT_BYTES = 1024;

    public ErrorFrame {
        Objects.requireNonNull(text, "text");
        if (code < 1 || code > 0xFFFF || firstSequence < 0 || count < 0 || count > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("bad error frame: code " + code + ", sequence " + firstSequence
                    + ", count " + count);
        }
    }

    /** An error with a known code. */
    public static ErrorFrame of(ErrorCode code, int requestId, long firstSequence, long count, long detail, String text) {
        return new ErrorFrame(code.id, requestId, firstSequence, count, detail, text);
    }

    /** @return the code, or null when this version does not know it */
    public ErrorCode errorCode() {
        return ErrorCode.of(code);
    }

    @Override
    public FrameType type() {
        return FrameType.ERROR;
    }
}
