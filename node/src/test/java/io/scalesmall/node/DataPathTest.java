package io.scalesmall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamConsumer;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckMode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's data path: served on its data port over its file log, which survives a restart; clear errors. */
class DataPathTest {
    private static NodeConfig config(Path dir, int dataPort) throws IOException {
        NodeConfig base = LoopbackClusterTest.config(LoopbackClusterTest.freePort(), List.of(), dir);
        return new NodeConfig(base.bind(), base.port(), null, 0, List.of(), List.of(), null, base.label(), dir, null,
                DataConfig.defaults(dir).withPort(dataPort));
    }

    @Test
    void aNodeServesItsLogAndKeepsItAcrossARestart(@TempDir Path dir) throws Exception {
        int dataPort = LoopbackClusterTest.freePort();
        try (Node node = Node.start(config(dir, dataPort), "test");
                StreamProducer p = StreamProducer.create(ProducerConfig.of(node.data().address(), "s")
                        .withAck(AckMode.disk(1)))) {
            assertThat(node.data().address().getPort()).isEqualTo(dataPort);
            assertThat(p.send("one".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS)).isZero();
        }
        assertThat(Files.list(dir.resolve("log")).anyMatch(f -> f.toString().endsWith(".seg"))).isTrue();
        try (Node node = Node.start(config(dir, dataPort), "test");
                StreamConsumer c = StreamConsumer.create(node.data().address())) {
            assertThat(c.fetch("s", 0, 10, 1000, Duration.ZERO).get(10, TimeUnit.SECONDS).messages())
                    .containsExactly("one".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aTakenDataPortIsNamed(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> Node.start(config(dir, taken.getLocalPort()), "test"))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("data-port " + taken.getLocalPort() + ": cannot listen on 127.0.0.1:");
        }
        // the log was released: a node can start on the same dir
        try (Node node = Node.start(config(dir, LoopbackClusterTest.freePort()), "test")) {
            assertThat(node.data().connections()).isZero();
        }
    }

    @Test
    void aLogDirInUseIsNamed(@TempDir Path dir) throws Exception {
        try (Node first = Node.start(config(dir, LoopbackClusterTest.freePort()), "test")) {
            assertThat(first.data().connections()).isZero();
            assertThatThrownBy(() -> Node.start(config(dir, LoopbackClusterTest.freePort()), "test"))
                    .isInstanceOf(IOException.class).hasMessageStartingWith("log-dir " + dir.resolve("log"))
                    .hasMessageContaining("in use");
        }
    }
}
