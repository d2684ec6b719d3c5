package io.scalesmall.stream.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.log.FileLogConfig;
import io.scalesmall.log.FileMessageLog;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Disk acks share fsyncs: many producers' batches are covered by far fewer group commits than there are batches. */
class GroupCommitTest {
    @Test
    void manyProducersShareEachFsync(@TempDir Path dir) throws Exception {
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT);
                StreamServer server = StreamServer.start(log, StreamServerConfig.loopback())) {
            List<StreamProducer> producers = new ArrayList<>();
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                producers.add(StreamProducer.create(ProducerConfig.of(server.address(), "g" + p)
                        .withAck(AckMode.disk(1)).withBatchBytes(400)));
            }
            for (int i = 0; i < 10_000; i++) {
                for (StreamProducer p : producers) {
                    futures.add(p.send(("message " + i).getBytes(StandardCharsets.UTF_8)));
                }
            }
            for (CompletableFuture<Long> f : futures) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isNotNegative();
            }
            for (StreamProducer p : producers) {
                p.close();
            }
            long batches = server.stats().batchesIn.sum();
            long commits = server.stats().groupCommits.sum();
            long fsyncs = log.fsyncCount();
            System.out.println("GroupCommitTest: " + batches + " batches acknowledged on disk after " + commits
                    + " group commits, " + fsyncs + " fsyncs");
            assertThat(batches).isGreaterThan(1_000);
            assertThat(commits).as("group commits for %d batches", batches).isLessThan(batches / 4);
            assertThat(fsyncs).isLessThanOrEqualTo(commits + log.segmentCount() + 1);
        }
    }
}
