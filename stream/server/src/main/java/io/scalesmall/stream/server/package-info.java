/**
 * Serves a {@link io.scalesmall.log.MessageLog} over the stream protocol:
 * {@link io.scalesmall.stream.server.StreamServer} (Netty; one {@code Session} per connection), its settings
 * ({@link io.scalesmall.stream.server.StreamServerConfig}) and counters
 * ({@link io.scalesmall.stream.server.ServerStats}). Memory acks are batched per socket read, disk acks by group
 * commit (one {@code MessageLog.flush()} for every session waiting), consumers long-poll. Hostile input closes its
 * connection only and is counted. The node ({@code io.scalesmall.node}) wires it to its file log and data port.
 */
package io.scalesmall.stream.server;
