package io.scalesmall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.scalesmall.chatter.swim.MemberState;
import io.scalesmall.log.FileLogConfig;
import io.scalesmall.log.FileMessageLog;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.LocalMember;
import io.scalesmall.topology.NetId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The re-replicator's looks at the streams a node holds, with a stand-in for the stream server's runs. */
class ReReplicatorTest {
    private static final NetId A = NetId.parse("127.0.0.1:1001");
    private static final NetId B = NetId.parse("127.0.0.1:1002");
    private static final NetId C = NetId.parse("127.0.0.1:1003");
    private static final NetId D = NetId.parse("127.0.0.1:1004");

    /** Every key's chain: A, B, then {@code tail} (claims in two halves: the whole space is the GET item's key). */
    private static GroupState chainTo(NetId tail) {
        GroupState s = GroupState.empty("d");
        int priority = 3;
        long half = Item.MAX_KEY / 2;
        for (NetId m : List.of(A, B, tail)) {
            int port = 7000 + m.port() % 1000;
            s = new LocalMember(m, 1, () -> 0L).write(s, List.of(Item.get(m), Item.add(m, 0, half, port, priority),
                    Item.add(m, half + 1, Item.MAX_KEY, port, priority))).state();
            priority--;
        }
        return s;
    }

    private static Map<NetId, MemberState> alive() {
        return Map.of(A, MemberState.ALIVE, B, MemberState.ALIVE, C, MemberState.ALIVE, D, MemberState.ALIVE);
    }

    @Test
    void aStreamWhoseChainChangedWhileItsRunWasUnderWayIsLookedAtAgainWhenTheRunEnds(@TempDir Path dir)
            throws Exception {
        try (FileMessageLog file = FileMessageLog.open(dir, FileLogConfig.DEFAULT.withCacheBytes(1 << 20))) {
            TrackedLog log = new TrackedLog(file);
            for (String s : List.of("s", "t")) {
                log.append(s, List.of("m".getBytes(StandardCharsets.UTF_8)));
            }
            TopologyChainResolver resolver = new TopologyChainResolver(A, "d", 3);
            resolver.update(chainTo(C), alive()); // this node heads every chain
            Map<String, List<CompletableFuture<Boolean>>> runs = new ConcurrentHashMap<>();
            try (ReReplicator r = new ReReplicator(log, stream -> {
                CompletableFuture<Boolean> run = new CompletableFuture<>();
                runs.computeIfAbsent(stream, k -> new CopyOnWriteArrayList<>()).add(run);
                return run;
            }, resolver, "test")) {
                r.start(Duration.ofMillis(5));
                await().atMost(Duration.ofSeconds(10)).until(() -> runs.size() == 2);
                runs.get("t").get(0).complete(true);
                resolver.update(chainTo(D), alive()); // D replaces C while the run of s is under way
                // A look at the new chains: t's run again, s skipped (under way).
                await().atMost(Duration.ofSeconds(10)).until(() -> runs.get("t").size() == 2);
                runs.get("t").get(1).complete(true);
                runs.get("s").get(0).complete(true); // s's run ends: done for the chain to C
                await().alias("a run of s for the chain to D").atMost(Duration.ofSeconds(10))
                        .until(() -> runs.get("s").size() == 2);
                assertThat(runs.get("t")).hasSize(2);
            }
        }
    }
}
