package io.scalesmall.stream.client;

import io.scalesmall.stream.protocol.ErrorCode;

/**
 * A send, fetch or offsets request failed. {@link #code()} is the node's error code when the node refused it
 * (e.g. {@link ErrorCode#LOG_FULL}, {@link ErrorCode#MESSAGE_TOO_LARGE}, {@link ErrorCode#OFFSET_OUT_OF_RANGE}),
 * or null when the client gave up (node unreachable past the delivery timeout, in-flight limit, closed).
 */
public final class StreamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The node's error code, or null. Not serialized with a code unknown to the reader. */
    private final transient ErrorCode code;
    /** For {@link ErrorCode#OFFSET_OUT_OF_RANGE}: the stream's first offset; else 0. */
    private final long detail;

    public StreamException(ErrorCode code, long detail, String message) {
        super(code == null ? message : code + ": " + message);
        this.code = code;
        this.detail = detail;
    }

    public StreamException(String message) {
        this(null, 0, message);
    }

    public StreamException(String message, Throwable cause) {
        super(message, cause);
        this.code = null;
        this.detail = 0;
    }

    /** @return the node's error code, or null when the failure was the client's (timeout, limit, closed) */
    public ErrorCode code() {
        return code;
    }

    /** @return the code-specific number the node sent (the first offset for OFFSET_OUT_OF_RANGE), or 0 */
    public long detail() {
        return detail;
    }
}
