package io.scalesmall.wire;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES keys a node uses: one primary key that encrypts every frame it sends, and any number of further
 * keys it also accepts, so keys rotate without downtime (install the new key as accepted everywhere, then
 * make it primary everywhere, then drop the old one). The approach of HashiCorp memberlist's keyring.
 *
 * <p>Each key has a 32-bit id, the first 4 bytes of SHA-256("scalesmall-key-id" || key), carried in the
 * frame header so the receiver picks the key without trial decryption. Immutable and thread-safe.
 */
public final class Keyring {
    private static final byte[] ID_PREFIX = "scalesmall-key-id".getBytes(StandardCharsets.US_ASCII);

    /** One AES key (16, 24 or 32 bytes) and its id. */
    public static final class Key {
        private final SecretKey secret;
        private final int id;

        private Key(byte[] raw) {
            if (raw == null || (raw.length != 16 && raw.length != 24 && raw.length != 32)) {
                throw new IllegalArgumentException("key: " + (raw == null ? "null" : raw.length + " bytes")
                        + ", expected 16, 24 or 32 bytes (AES-128/192/256)");
            }
            this.secret = new SecretKeySpec(raw.clone(), "AES");
            this.id = idOf(raw);
        }

        /** @return the key's 32-bit id as carried in frame headers */
        public int id() {
            return id;
        }

        SecretKey secret() {
            return secret;
        }

        @Override
        public String toString() {
            return "Key{id=" + String.format("%08x", id) + "}";
        }
    }

    private final Key primary;
    private final List<Key> accepted;

    private Keyring(Key primary, List<Key> accepted) {
        this.primary = primary;
        this.accepted = accepted;
    }

    /**
     * @param primary the key to send with (also accepted)
     * @param others  further keys accepted on receipt
     * @throws IllegalArgumentException if a key is not 16, 24 or 32 bytes
     */
    public static Keyring of(byte[] primary, byte[]... others) {
        Key p = new Key(primary);
        List<Key> acc = new ArrayList<>();
        acc.add(p);
        for (byte[] o : others) {
            Key k = new Key(o);
            if (acc.stream().noneMatch(x -> Arrays.equals(x.secret.getEncoded(), k.secret.getEncoded()))) {
                acc.add(k);
            }
        }
        return new Keyring(p, List.copyOf(acc));
    }

    /**
     * Parses keys written as hex, one per line (blank lines and lines starting with '#' ignored): the first
     * is primary, the rest accepted. The format of {@code --key-file}.
     *
     * @throws IllegalArgumentException naming the line when a key is not valid hex of 16, 24 or 32 bytes
     */
    public static Keyring parse(String text) {
        List<byte[]> keys = new ArrayList<>();
        String[] lines = text.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                keys.add(HexFormat.of().parseHex(line));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("key file line " + (i + 1) + ": not hex (" + e.getMessage() + ")", e);
            }
            if (keys.get(keys.size() - 1).length != 16 && keys.get(keys.size() - 1).length != 24
                    && keys.get(keys.size() - 1).length != 32) {
                throw new IllegalArgumentException("key file line " + (i + 1) + ": " + keys.get(keys.size() - 1).length
                        + " bytes, expected 16, 24 or 32");
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("key file: no key found");
        }
        return of(keys.get(0), keys.subList(1, keys.size()).toArray(new byte[0][]));
    }

    /** @return the key frames are sent with */
    public Key primary() {
        return primary;
    }

    /** @return every key accepted on receipt, primary first */
    public List<Key> accepted() {
        return accepted;
    }

    /** @return the accepted keys with this id (normally one; several only on an id collision) */
    List<Key> withId(int id) {
        List<Key> out = null;
        for (Key k : accepted) {
            if (k.id == id) {
                if (out == null) {
                    out = new ArrayList<>(1);
                }
                out.add(k);
            }
        }
        return out == null ? List.of() : out;
    }

    static int idOf(byte[] raw) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ID_PREFIX);
            byte[] h = sha.digest(raw);
            return ((h[0] & 0xFF) << 24) | ((h[1] & 0xFF) << 16) | ((h[2] & 0xFF) << 8) | (h[3] & 0xFF);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
