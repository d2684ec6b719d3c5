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

    public ProtocolException(ErrorCode code, int requestId, String message) {
        super(message);
        this.code = code;
        this.requestId = requestId;
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

    /** @return whether the connection must close */
    public boolean fatal() {
        return code.fatal;
    }
}
