package io.scalesmall.log;

/** A message, or a batch, is larger than the log accepts ({@link MessageLog#MAX_MESSAGE_BYTES}, {@link MessageLog#MAX_BATCH_BYTES}). */
public final class MessageTooLargeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The offending size, in bytes. */
    private final long size;
    /** The limit it exceeds, in bytes. */
    private final long limit;

    public MessageTooLargeException(String what, long size, long limit) {
        super(what + " of " + size + " bytes exceeds the limit of " + limit + " bytes");
        this.size = size;
        this.limit = limit;
    }

    public long size() {
        return size;
    }

    public long limit() {
        return limit;
    }
}
