/**
 * The stream protocol (docs/wire-format.md, part 2): frame records ({@link io.scalesmall.stream.protocol.Frame} and one
 * record per {@link io.scalesmall.stream.protocol.FrameType}), the binary codec
 * ({@link io.scalesmall.stream.protocol.FrameCodec} encodes, {@link io.scalesmall.stream.protocol.FrameDecoder}
 * decodes and checks), the TCP {@link io.scalesmall.stream.protocol.FrameSplitter}, error codes and the
 * {@link io.scalesmall.stream.protocol.AckMode} a producer session waits for. Pure data and codecs: no sockets,
 * no log, no threads. Type ids and error codes are append-only.
 */
package io.scalesmall.stream.protocol;
