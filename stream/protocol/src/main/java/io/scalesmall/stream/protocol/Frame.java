package io.scalesmall.stream.protocol;

/**
 * A decoded frame of the stream protocol: one record per {@link FrameType}. Records are immutable apart from the
 * byte arrays they hold (message payloads, exclude-list entries), which belong to whoever decoded them. Their
 * {@code equals} compares such arrays by identity, as records do. DATA has a second record, {@link DataView}, whose
 * messages stay in the frame buffer: only {@link FrameDecoder#decodeInPlace} returns it.
 */
public sealed interface Frame permits InitFrame, InitOkFrame, DataFrame, DataView, AckFrame, FetchFrame, MessagesFrame,
        OffsetsFrame, OffsetsReplyFrame, ErrorFrame, ReplicateFrame, ChainAckFrame, PullFrame {
    /** @return this frame's type */
    FrameType type();
}
