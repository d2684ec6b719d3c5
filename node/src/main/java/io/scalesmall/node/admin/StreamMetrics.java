package io.scalesmall.node.admin;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.scalesmall.stream.protocol.ErrorCode;
import io.scalesmall.stream.server.ServerStats;
import io.scalesmall.stream.server.StreamServer;
import java.util.concurrent.atomic.LongAdder;

/**
 * The data path's counters as Prometheus metrics ({@code scalesmall_stream_*}): messages and bytes stored and
 * served, acks, group commits, duplicates dropped, connections, connections closed for hostile input, read pauses
 * (back-pressure), and error frames by code. Reads the server's {@link ServerStats}; nothing is copied. Thread-safe.
 */
public final class StreamMetrics implements MeterBinder {
    private final StreamServer server;

    public StreamMetrics(StreamServer server) {
        this.server = server;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        ServerStats s = server.stats();
        counter(registry, "scalesmall.stream.messages.in", s.messagesIn, null, "Messages stored");
        counter(registry, "scalesmall.stream.payload.in", s.bytesIn, BaseUnits.BYTES, "Message payload bytes stored");
        counter(registry, "scalesmall.stream.batches.in", s.batchesIn, null, "DATA batches stored");
        counter(registry, "scalesmall.stream.duplicates", s.duplicateMessages, null,
                "Resent messages found already stored (idempotent retries)");
        counter(registry, "scalesmall.stream.acks", s.acksSent, null, "ACK frames sent");
        counter(registry, "scalesmall.stream.group.commits", s.groupCommits, null, "Log flushes serving disk acks");
        counter(registry, "scalesmall.stream.fetches", s.fetches, null, "FETCH requests");
        counter(registry, "scalesmall.stream.messages.out", s.messagesOut, null, "Messages sent to consumers");
        counter(registry, "scalesmall.stream.connections.opened", s.connectionsOpened, null, "Connections accepted");
        counter(registry, "scalesmall.stream.hostile.closes", s.hostileCloses, null,
                "Connections closed for malformed or hostile input");
        counter(registry, "scalesmall.stream.read.pauses", s.readPauses, null,
                "Times a connection was not read for back-pressure (replies unread, disk acks behind)");
        for (ErrorCode code : ErrorCode.values()) {
            FunctionCounter.builder("scalesmall.stream.errors", s, st -> st.errors(code)).tag("code", code.name())
                    .description("ERROR frames sent, by code").register(registry);
        }
        Gauge.builder("scalesmall.stream.connections.open", server, StreamServer::connections)
                .description("Open data connections").strongReference(true).register(registry);
    }

    private static void counter(MeterRegistry registry, String name, LongAdder adder, String unit, String description) {
        FunctionCounter.builder(name, adder, LongAdder::doubleValue).baseUnit(unit).description(description)
                .register(registry);
    }
}
