package io.scalesmall.wire;

import static io.scalesmall.wire.TestSupport.HEX;
import static io.scalesmall.wire.TestSupport.LABEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scalesmall.topology.DotSet;
import io.scalesmall.topology.WorldClock;
import io.scalesmall.wire.CodecException.Reason;
import io.scalesmall.wire.WireMessage.DigestMessage;
import org.junit.jupiter.api.Test;

/** Key rotation across nodes with different keyrings, and the key file format. */
class KeyRotationTest {
    private static final byte[] K1 = TestSupport.bytes(0x01, 32);
    private static final byte[] K2 = TestSupport.bytes(0x51, 32);
    private static final byte[] K3 = TestSupport.bytes(0xa1, 16);

    private static final DigestMessage MSG = new DigestMessage("g", 99,
            WorldClock.empty().with(TestSupport.v4(10, 0, 0, 7, 7946), DotSet.upTo(3, 4)));

    private static Wire node(Keyring keyring) {
        return new Wire(FrameConfig.of(LABEL, keyring));
    }

    private static Reason reasonOf(Wire receiver, byte[] frame) {
        try {
            receiver.decode(frame);
        } catch (CodecException e) {
            return e.reason();
        }
        return null;
    }

    @Test
    void aNodeAcceptsFramesOfEveryKeyOfItsKeyring() throws CodecException {
        Wire a = node(Keyring.of(K1));
        Wire b = node(Keyring.of(K2, K1));
        byte[] fromA = a.encode(MSG);
        assertThat(TestSupport.getInt(fromA, 5)).isEqualTo(Keyring.of(K1).primary().id());
        assertThat(b.decode(fromA)).isEqualTo(MSG);

        byte[] fromB = b.encode(MSG);
        assertThat(TestSupport.getInt(fromB, 5)).as("B seals with its primary").isEqualTo(Keyring.of(K2).primary().id());
        assertThat(reasonOf(a, fromB)).isEqualTo(Reason.UNKNOWN_KEY);

        Wire aWithK2 = node(Keyring.of(K1, K2));
        assertThat(aWithK2.decode(fromB)).isEqualTo(MSG);
        assertThat(aWithK2.decode(fromA)).isEqualTo(MSG);
    }

    /** The full memberlist-style rotation of three nodes from K1 to K2, checking every pair at every step. */
    @Test
    void aClusterRotatesFromOneKeyToAnotherWithoutRejectingAFrame() throws CodecException {
        Keyring[][] steps = {
                {Keyring.of(K1), Keyring.of(K1), Keyring.of(K1)},
                // 1. install K2 as accepted, one node at a time
                {Keyring.of(K1, K2), Keyring.of(K1), Keyring.of(K1)},
                {Keyring.of(K1, K2), Keyring.of(K1, K2), Keyring.of(K1, K2)},
                // 2. make K2 primary, one node at a time
                {Keyring.of(K2, K1), Keyring.of(K1, K2), Keyring.of(K1, K2)},
                {Keyring.of(K2, K1), Keyring.of(K2, K1), Keyring.of(K2, K1)},
                // 3. drop K1
                {Keyring.of(K2), Keyring.of(K2, K1), Keyring.of(K2, K1)},
                {Keyring.of(K2), Keyring.of(K2), Keyring.of(K2)},
        };
        for (int s = 0; s < steps.length; s++) {
            for (int from = 0; from < 3; from++) {
                byte[] frame = node(steps[s][from]).encode(MSG);
                for (int to = 0; to < 3; to++) {
                    assertThat(node(steps[s][to]).decode(frame)).as("step %d, node %d to node %d", s, from, to)
                            .isEqualTo(MSG);
                }
            }
        }
        // After the rotation, a straggler still on K1 is locked out, both ways.
        byte[] old = node(Keyring.of(K1)).encode(MSG);
        assertThat(reasonOf(node(Keyring.of(K2)), old)).isEqualTo(Reason.UNKNOWN_KEY);
        assertThat(reasonOf(node(Keyring.of(K1)), node(Keyring.of(K2)).encode(MSG))).isEqualTo(Reason.UNKNOWN_KEY);
    }

    @Test
    void keyringOfKeepsThePrimaryFirstAndDropsDuplicates() {
        Keyring k = Keyring.of(K1, K2, K1, K2.clone(), K3);
        assertThat(k.primary().id()).isEqualTo(TestSupport.keyIdOf(K1));
        assertThat(k.accepted()).extracting(Keyring.Key::id)
                .containsExactly(TestSupport.keyIdOf(K1), TestSupport.keyIdOf(K2), TestSupport.keyIdOf(K3));
    }

    @Test
    void keyringOfRejectsKeysOfTheWrongLength() {
        for (int n : new int[] {0, 15, 17, 31, 33, 64}) {
            assertThatThrownBy(() -> Keyring.of(new byte[n])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(n + " bytes");
            assertThatThrownBy(() -> Keyring.of(K1, new byte[n])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(n + " bytes");
        }
        assertThatThrownBy(() -> Keyring.of((byte[]) null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Keyring.of(new byte[24]).accepted()).hasSize(1);
    }

    @Test
    void theKeyringCopiesTheCallersArray() throws CodecException {
        byte[] raw = K1.clone();
        Wire w = node(Keyring.of(raw));
        byte[] frame = w.encode(MSG);
        java.util.Arrays.fill(raw, (byte) 0);
        assertThat(w.decode(frame)).isEqualTo(MSG);
        assertThat(node(Keyring.of(K1)).decode(frame)).isEqualTo(MSG);
    }

    @Test
    void keyToStringShowsTheIdOnly() {
        String s = Keyring.of(K1).primary().toString();
        assertThat(s).isEqualTo(String.format("Key{id=%08x}", TestSupport.keyIdOf(K1)));
        assertThat(s).doesNotContainIgnoringCase(HEX.formatHex(K1).substring(0, 8));
    }

    // ---- the key file -------------------------------------------------------------------------------

    @Test
    void parseReadsHexKeysSkippingCommentsAndBlankLines() throws CodecException {
        String file = "# scalesmall keys: first is primary\n"
                + "\n"
                + "   " + HEX.formatHex(K2) + "   \r\n"
                + "# the old key, still accepted\r\n"
                + "\t\n"
                + HEX.formatHex(K1).toUpperCase() + "\n"
                + "  # indented comment\n"
                + HEX.formatHex(K3) + "\n"
                + HEX.formatHex(K1) + "\n";
        Keyring k = Keyring.parse(file);
        assertThat(k.primary().id()).isEqualTo(TestSupport.keyIdOf(K2));
        assertThat(k.accepted()).extracting(Keyring.Key::id)
                .containsExactly(TestSupport.keyIdOf(K2), TestSupport.keyIdOf(K1), TestSupport.keyIdOf(K3));
        // The parsed keys are the real keys: they interoperate with keyrings built from the bytes.
        assertThat(node(k).decode(node(Keyring.of(K1)).encode(MSG))).isEqualTo(MSG);
        assertThat(node(Keyring.of(K2)).decode(node(k).encode(MSG))).isEqualTo(MSG);
    }

    @Test
    void parseAcceptsASingleKeyWithoutNewline() {
        assertThat(Keyring.parse(HEX.formatHex(K3)).primary().id()).isEqualTo(TestSupport.keyIdOf(K3));
    }

    @Test
    void parseNamesTheLineOfKeyThatIsNotHex() {
        String file = "# keys\n" + HEX.formatHex(K1) + "\n\n" + "zz" + HEX.formatHex(K2).substring(2) + "\n";
        assertThatThrownBy(() -> Keyring.parse(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("key file line 4: not hex");
        assertThatThrownBy(() -> Keyring.parse(HEX.formatHex(K1).substring(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("key file line 1: not hex");
        assertThatThrownBy(() -> Keyring.parse("# a\n00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("key file line 2: not hex");
        assertThatThrownBy(() -> Keyring.parse("0x" + HEX.formatHex(K3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("key file line 1: not hex");
    }

    @Test
    void parseNamesTheLineOfAKeyOfTheWrongLength() {
        String file = HEX.formatHex(K1) + "\r\n# comment\r\n" + HEX.formatHex(new byte[20]) + "\r\n";
        assertThatThrownBy(() -> Keyring.parse(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key file line 3: 20 bytes, expected 16, 24 or 32");
        assertThatThrownBy(() -> Keyring.parse(HEX.formatHex(new byte[33])))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("key file line 1: 33 bytes, expected 16, 24 or 32");
    }

    @Test
    void parseRejectsAFileWithoutKeys() {
        for (String empty : new String[] {"", "\n", "# only a comment\n\n   \n", "\r\n\r\n"}) {
            assertThatThrownBy(() -> Keyring.parse(empty)).as("'%s'", empty)
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("key file: no key found");
        }
    }

    @Test
    void parseErrorsDoNotEchoTheKeyMaterial() {
        String secret = HEX.formatHex(K2);
        String bad = secret.substring(0, 40) + "g" + secret.substring(41);
        assertThatThrownBy(() -> Keyring.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret.substring(0, 16)));
        assertThatThrownBy(() -> Keyring.parse(secret + "00")).isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret.substring(0, 16)));
    }
}
