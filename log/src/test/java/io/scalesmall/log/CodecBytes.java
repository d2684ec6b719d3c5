package io.scalesmall.log;

import java.nio.charset.StandardCharsets;

/** Test shorthand for UTF-8 message bytes. */
final class CodecBytes {
    private CodecBytes() {
    }

    static byte[] of(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
