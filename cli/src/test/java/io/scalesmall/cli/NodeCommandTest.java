package io.scalesmall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad configuration stops {@code scalesmall node} at once with exit code 2 and one line naming the problem. */
class NodeCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private String oneLine() {
        String e = err.toString().strip();
        assertThat(e.lines().count()).as("one line: %s", e).isEqualTo(1);
        return e;
    }

    @Test
    void anOutOfRangePortIsRejected(@TempDir Path dir) {
        assertThat(run("node", "--bind", "127.0.0.1", "--port", "70000", "--data-dir", dir.toString())).isEqualTo(2);
        assertThat(oneLine()).startsWith("scalesmall node: ").contains("port").contains("70000");
    }

    @Test
    void aTakenPortIsRejected(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThat(run("node", "--bind", "127.0.0.1", "--port", Integer.toString(port), "--multicast", "off",
                    "--http", "off", "--data-dir", dir.toString())).isEqualTo(2);
            assertThat(oneLine()).contains(Integer.toString(port));
        }
    }

    @Test
    void anUnreadableKeyFileIsRejected(@TempDir Path dir) {
        assertThat(run("node", "--bind", "127.0.0.1", "--multicast", "off", "--http", "off",
                "--key-file", dir.resolve("missing.key").toString(), "--data-dir", dir.toString())).isEqualTo(2);
        assertThat(oneLine()).contains("key-file").contains("missing.key");
    }

    @Test
    void anUnknownConfigKeyIsRejected(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("node.conf");
        Files.writeString(conf, "port = 30000\nprot = 30001\n");
        assertThat(run("node", "--config", conf.toString())).isEqualTo(2);
        assertThat(oneLine()).contains("unknown key 'prot'").contains("line 2");
    }

    @Test
    void aBadAddressIsRejected(@TempDir Path dir) {
        assertThat(run("node", "--bind", "not-an-ip", "--data-dir", dir.toString())).isEqualTo(2);
        assertThat(oneLine()).contains("bind").contains("not-an-ip");
    }
}
