package io.scalesmall.wire;

import java.security.SecureRandom;

/**
 * Supplies the 96-bit AES-GCM nonce of each frame. Production uses {@link #secureRandom()}: with random
 * nonces, one key may seal about 2^32 frames before the nonce-collision risk reaches 2^-32 (NIST SP 800-38D
 * §8.3), so rotate keys well before that. Tests use a fixed nonce to pin golden bytes.
 */
@FunctionalInterface
public interface NonceSource {
    /** Fills {@code nonce} (12 bytes) with a fresh nonce. Must be thread-safe. */
    void next(byte[] nonce);

    /** @return nonces from a {@link SecureRandom} */
    static NonceSource secureRandom() {
        SecureRandom random = new SecureRandom();
        return random::nextBytes;
    }
}
