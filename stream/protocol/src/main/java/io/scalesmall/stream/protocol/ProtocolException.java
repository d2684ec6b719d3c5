package io.scalesmall.stream.protocol;

/**
 * A frame could not be decoded or accepted. {@link #code()} says what to send back; when the code is
 * {@linkplain ErrorCode#fatal fatal} the connection must be closed, otherwise only the request named by
 * {@link #requestId()} fails (e.g. a FETCH with a name that is not UTF-8).
 */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final int requestId;
    private final long detail;

    public ProtocolException(ErrorCode code, int requestId, String message) {
        this(code, requestId, 0, message);
    }

    /** @param detail the ERROR frame's code-specific number (e.g. the receiver's end offset for OFFSET_GAP) */
    public ProtocolException(ErrorCode code, int requestId, long detail, String message) {
        super(message);
        this.code = code;
        this.requestId = requestId;
        this.detail = detail;
    }

    public ProtocolException(ErrorCode code, String message) {
        this(code, 0, message);
    }

    /** @return what went wrong */
    public ErrorCode code() {
        return code;
    }

    /** @return the request the error is about, or 0 */
    public int requestId() {
        return requestId;
    }

    /** @return the code-specific detail for the ERROR frame, or 0 */
    public long detail() {
        return detail;
    }

    /** @return whether the connection must close */
    public boolean fatal() {
        return code.fatal;
    }
}
