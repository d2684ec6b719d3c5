package io.scalesmall.stream.server;

import io.scalesmall.stream.protocol.ErrorCode;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of a {@link StreamServer}, for metrics (the node exports them to Prometheus) and tests. Every field only
 * grows; all are safe to read and update from any thread.
 */
public final class ServerStats {
    /** Connections accepted. */
    public final LongAdder connectionsOpened = new LongAdder();
    /** Connections that ended, for any reason. */
    public final LongAdder connectionsClosed = new LongAdder();
    /** Connections the node closed because of malformed or hostile input (a fatal protocol error). */
    public final LongAdder hostileCloses = new LongAdder();
    /** DATA batches stored. */
    public final LongAdder batchesIn = new LongAdder();
    /** Messages stored. */
    public final LongAdder messagesIn = new LongAdder();
    /** Message payload bytes stored. */
    public final LongAdder bytesIn = new LongAdder();
    /** Messages of resent batches found already stored, and not stored again (idempotent retries). */
    public final LongAdder duplicateMessages = new LongAdder();
    /** ACK frames sent. */
    public final LongAdder acksSent = new LongAdder();
    /** Group commits: {@code MessageLog.flush()} calls made for disk acks (each serves every waiting session). */
    public final LongAdder groupCommits = new LongAdder();
    /** FETCH requests answered. */
    public final LongAdder fetches = new LongAdder();
    /** Times the node stopped reading a connection (replies not read, or disk acks behind): back-pressure. */
    public final LongAdder readPauses = new LongAdder();
    /** Messages sent to consumers. */
    public final LongAdder messagesOut = new LongAdder();
    /** Messages stored at this node as a replica (REPLICATE), resends of held offsets not counted twice. */
    public final LongAdder replicaMessagesIn = new LongAdder();
    /** Messages this node's chain links sent to the next member of a chain (REPLICATE). */
    public final LongAdder messagesReplicated = new LongAdder();
    /** CHAIN_ACK frames sent upstream. */
    public final LongAdder chainAcksSent = new LongAdder();
    /** Connections chain links opened to the next member of a chain. */
    public final LongAdder linkConnects = new LongAdder();
    /** Chain-link connections that failed or were refused (each makes the chain re-form). */
    public final LongAdder linkFailures = new LongAdder();
    /** Messages a head received from another holder when it took a stream over (catch-up by PULL). */
    public final LongAdder messagesCaughtUp = new LongAdder();
    /** Catch-ups this node ran as a head taking a stream over, successful or not. */
    public final LongAdder catchUps = new LongAdder();
    /** PULL requests this node answered for a new head (each fences the stream here for a while). */
    public final LongAdder pullsServed = new LongAdder();
    /**
     * Re-replications (a stream's chain made to hold the whole stream, without a producer) completed: at the head, or
     * at a middle member handing the stream to the members after it.
     */
    public final LongAdder reReplications = new LongAdder();
    /** Error frames sent, by {@link ErrorCode#id} (index 0 unused). */
    private final AtomicLongArray errors = new AtomicLongArray(ErrorCode.values().length + 1);

    void error(ErrorCode code) {
        errors.incrementAndGet(code.id);
    }

    /** @return how many ERROR frames with this code were sent (or, for fatal codes, connections closed for it) */
    public long errors(ErrorCode code) {
        return errors.get(code.id);
    }
}
