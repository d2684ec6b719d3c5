/**
 * The real network under the protocol: {@link io.scalesmall.node.netty.NettyPacketTransport} (UDP unicast and
 * multicast) and {@link io.scalesmall.node.netty.NettyStreamTransport} (TCP frames), both configured by one
 * {@link io.scalesmall.node.netty.NettyConfig}. Each transport owns one Netty event-loop group; handlers run on
 * its threads and must not block. Drops and errors are counted (in
 * {@link io.scalesmall.chatter.transport.TransportStats} and each transport's own counters), never logged one
 * by one; start, bind and close are logged at INFO with the node's address first.
 */
package io.scalesmall.node.netty;
