package io.scalesmall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.scalesmall.topology.NetId;
import io.scalesmall.wire.CodecException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, "Hostile input": random and malformed datagrams and TCP streams sent at a node never stop it and
 * never change its state; they are counted. Traffic goes to 127.0.0.1 only.
 */
class HostileInputTest {
    @Test
    void garbageNeitherStopsNorChangesANode(@TempDir Path dir) throws Exception {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        int port = LoopbackClusterTest.freePort();
        try (Node node = Node.start(LoopbackClusterTest.config(port, List.of(), dir.resolve("n")), "test")) {
            node.groups().addItem("g", 0, 99, 1234, 1);
            long before = node.groups().state("g").digest();
            InetAddress lo = InetAddress.getLoopbackAddress();
            try (DatagramSocket udp = new DatagramSocket(0, lo)) {
                for (int i = 0; i < 2_000; i++) {
                    byte[] b = new byte[random.nextInt(1_400)];
                    random.nextBytes(b);
                    if (b.length > 13 && random.nextBoolean()) {
                        b[0] = 0x53; // pass the magic check now and then
                        b[1] = 0x53;
                        b[2] = 1;
                    }
                    udp.send(new DatagramPacket(b, b.length, lo, port));
                }
            }
            for (int c = 0; c < 20; c++) {
                try (Socket s = new Socket(lo, port); OutputStream out = s.getOutputStream()) {
                    byte[] b = new byte[random.nextInt(20_000) + 13];
                    random.nextBytes(b);
                    b[0] = 0x53;
                    b[1] = 0x53;
                    b[2] = 1;
                    b[4] = 0;
                    int len = random.nextInt(b.length);
                    b[9] = (byte) (len >>> 24);
                    b[10] = (byte) (len >>> 16);
                    b[11] = (byte) (len >>> 8);
                    b[12] = (byte) len;
                    out.write(b);
                    out.flush();
                } catch (IOException closedByTheNode) {
                    // the node may drop the connection mid-write: that is the point
                }
            }
            // The kernel may drop part of the burst; everything the transports did deliver must be rejected
            // by the decoder and counted, one for one.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                long rejected = node.groups().decodeErrors().values().stream().mapToLong(Long::longValue).sum();
                long delivered = node.groups().packets().stats().messagesIn.sum()
                        + node.groups().streams().stats().messagesIn.sum();
                assertThat(delivered).as("seed %d: datagrams delivered", seed).isGreaterThan(50);
                assertThat(rejected).as("seed %d: every delivered message rejected", seed).isEqualTo(delivered);
            });
            assertThat(node.groups().decodeErrors().get(CodecException.Reason.BAD_MAGIC)).isPositive();
            assertThat(node.groups().state("g").digest()).as("seed %d: state unchanged", seed).isEqualTo(before);
            assertThat(node.groups().members("g")).containsExactly(NetId.parse("127.0.0.1:" + port));
            // Still serving: a new write goes through.
            assertThat(node.groups().addItem("g", 100, 199, 1235, 1).item().port()).isEqualTo(1235);
        }
    }
}
