/**
 * Serves a {@link io.scalesmall.log.MessageLog} over the stream protocol:
 * {@link io.scalesmall.stream.server.StreamServer} (Netty; one {@code Session} per connection), its settings
 * ({@link io.scalesmall.stream.server.StreamServerConfig}) and counters
 * ({@link io.scalesmall.stream.server.ServerStats}). Memory acks are batched per socket read, disk acks by group
 * commit (one {@code MessageLog.flush()} for every session waiting), consumers long-poll. Hostile input closes its
 * connection only and is counted. Chain replication (docs/wire-format.md §S10): a
 * {@link io.scalesmall.stream.server.ChainResolver} names each stream's chain; the head checks INITs and assigns
 * offsets, a per-stream {@code ChainLink} ships batches (REPLICATE) to the next member with catch-up and failover,
 * replicas store at the head's offsets and answer with CHAIN_ACK watermarks. The node ({@code io.scalesmall.node}) wires it to its file log and data port.
 */
package io.scalesmall.stream.server;
