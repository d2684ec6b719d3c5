/**
 * Placement: which members serve which keys, computed by every node alone from the group topology (issue 6).
 *
 * <pre>
 *   weights  = {@link io.scalesmall.placement.Weights#of}(state, active)     GET priorities of the live members
 *   settling = settling.offer(weights, nowNanos)                            {@link io.scalesmall.placement.Settling}
 *   if (settling.due(nowNanos)):
 *       ring    = {@link io.scalesmall.placement.Ring#of}(settling.view(), R, S)   weighted rendezvous, arcs
 *       held    = {@link io.scalesmall.placement.Claims#held}(state.itemsOf(self))
 *       desired = {@link io.scalesmall.placement.Claims#desired}(ring, self, dataPort, held, released)
 *       write {@link io.scalesmall.placement.Claims#diff}(held, desired).writes() through LocalMember
 *       settling = settling.applied()
 *   own weight = {@link io.scalesmall.placement.Tightening#weight}(tight, capacity weight), capacity from
 *                {@link io.scalesmall.placement.Capacity}; tight from {@link io.scalesmall.placement.Tightening#tight}
 * </pre>
 *
 * The ring depends only on the weights (never on published claims), so claims cannot feed back into it: no
 * master, no oscillation. Chains for new data are the route's items with priority > 0; priority-0 items only
 * locate old data. Everything here is pure (time is a parameter) and immutable or stateless, hence thread-safe;
 * only {@link io.scalesmall.placement.Capacity#diskBytes(java.nio.file.Path, long, long)} reads the file system.
 */
package io.scalesmall.placement;
