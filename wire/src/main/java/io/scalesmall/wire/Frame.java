package io.scalesmall.wire;

/**
 * A decoded frame: authenticated, decrypted and decompressed.
 *
 * @param type    the payload's type
 * @param payload the protobuf bytes of that type; owned by the caller
 */
public record Frame(FrameType type, byte[] payload) {
}
