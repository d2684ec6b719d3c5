package io.scalesmall.wire;

/**
 * A frame or message was rejected. The only exception the decoders throw for bad input, whatever the bytes:
 * callers count it by {@link #reason()} and drop the input (and, on TCP, the connection).
 */
public final class CodecException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why input was rejected; stable names, usable as metric tags. */
    public enum Reason {
        /** Fewer bytes than the header, or than the header's length field announces. */
        TRUNCATED,
        /** The first two bytes are not the magic {@code 0x53 0x53}. */
        BAD_MAGIC,
        /** A version this codec does not speak. */
        UNSUPPORTED_VERSION,
        /** Flag bits this version does not define. */
        UNSUPPORTED_FLAGS,
        /** The frame, or the payload once decompressed, is larger than the configured maximum. */
        OVERSIZED,
        /** No key of the keyring has the frame's key id. */
        UNKNOWN_KEY,
        /** AES-GCM rejected the frame: wrong key, wrong cluster label, or altered bytes. */
        AUTHENTICATION_FAILED,
        /** An authenticated frame of a type id this version does not know. */
        UNKNOWN_TYPE,
        /** The LZ4 block is corrupt or does not have its announced length. */
        DECOMPRESSION_FAILED,
        /** The payload is not a valid protobuf message of the frame's type. */
        MALFORMED,
        /** A decoded field breaks a rule of the data types (the message names the field and value). */
        INVALID_FIELD
    }

    private final Reason reason;

    /** @param detail what was wrong, naming the field or byte offset where there is one */
    public CodecException(Reason reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    /** @param cause the library error behind it (protobuf, LZ4, JCE) */
    public CodecException(Reason reason, String detail, Throwable cause) {
        super(reason + ": " + detail, cause);
        this.reason = reason;
    }

    /** @return why the input was rejected */
    public Reason reason() {
        return reason;
    }
}
