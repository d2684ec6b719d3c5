package io.scalesmall.stream.server;

import io.scalesmall.log.MessageLog;

/**
 * What every session of one {@link StreamServer} shares. Immutable holder; each member is thread-safe.
 *
 * @param log       the message log served
 * @param appender  the log's append path for producer sessions
 * @param committer the group committer behind disk acks
 * @param waiters   FETCHes parked at the end of their streams
 * @param stats     the server's counters
 * @param config    the server's settings
 * @param links       the chain links (replication to the next member of each stream's chain)
 * @param heads       whether this node may write each stream as its head (catch-up, fences)
 * @param replication re-replication and the read limit at a head
 */
record Shared(MessageLog log, LogAppender appender, GroupCommitter committer, FetchWaiters waiters, ServerStats stats,
        StreamServerConfig config, ChainLinks links, Headship heads, Replication replication) {
    /** @return where streams' chains go */
    ChainResolver resolver() {
        return links.resolver();
    }
}
