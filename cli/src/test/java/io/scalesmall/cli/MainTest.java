package io.scalesmall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.LocalMember;
import io.scalesmall.topology.NetId;
import io.scalesmall.wire.FrameConfig;
import io.scalesmall.wire.Keyring;
import io.scalesmall.wire.Wire;
import io.scalesmall.wire.WireMessage;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private final CliRun cli = new CliRun();
    private final StringWriter out = cli.out;
    private final StringWriter err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void helpListsTheCommands() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("Usage: scalesmall", "keygen", "inspect");
    }

    @Test
    void versionNamesTheProject() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("scalesmall ");
    }

    @Test
    void keygenWritesAKeyFileThatInspectUsesToOpenAFrame(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("cluster.key");
        assertThat(run("keygen", "--out", key.toString())).isZero();
        assertThat(run("keygen", "--out", key.toString())).as("never overwrites a key").isEqualTo(1);
        Keyring ring = Keyring.parse(Files.readString(key));
        assertThat(ring.primary().id()).isNotZero();

        NetId me = NetId.parse("10.0.0.1:29999");
        LocalMember writer = new LocalMember(me, 7, () -> 1_700_000_000_000L);
        GroupState s = writer.join(GroupState.empty("orders")).state();
        s = writer.addItem(s, 0, 255, 11000, 5).state();
        byte[] frame = new Wire(FrameConfig.of("prod", ring)).encode(new WireMessage.GroupStateMessage(s));
        Path f = dir.resolve("frame.bin");
        Files.write(f, frame);

        assertThat(run("inspect", "--key-file", key.toString(), "--label", "prod", f.toString())).isZero();
        assertThat(out.toString()).contains("type GROUP_STATE", "group orders", "10.0.0.1:29999", "ADD", "11000");

        frame[frame.length - 1] ^= 1;
        Files.write(f, frame);
        assertThat(run("inspect", "--key-file", key.toString(), "--label", "prod", f.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("AUTHENTICATION_FAILED");
    }

    @Test
    void inspectWithTheWrongLabelIsRejected(@TempDir Path dir) throws Exception {
        byte[] raw = new byte[32];
        Path key = dir.resolve("k");
        Files.writeString(key, HexFormat.of().formatHex(raw) + "\n");
        Keyring ring = Keyring.parse(Files.readString(key));
        byte[] frame = new Wire(FrameConfig.of("cluster-a", ring))
                .encode(new WireMessage.GroupStateMessage(GroupState.empty("g")));
        Path f = dir.resolve("frame.bin");
        Files.write(f, frame);
        assertThat(run("inspect", "--key-file", key.toString(), "--label", "cluster-b", f.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("AUTHENTICATION_FAILED");
    }

    @Test
    void keygenRejectsABadSize() {
        assertThat(run("keygen", "--bits", "100")).isEqualTo(2);
        assertThat(err.toString()).contains("--bits 100");
    }
}
