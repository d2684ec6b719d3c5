package io.scalesmall.cli.bench;

import io.scalesmall.stream.server.ChainResolver;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The {@link ChainResolver} of one in-process bench node: every stream has the same chain, the bench's nodes in
 * order (node 0 the head, then 1, 2, ...), as {@code stream/server}'s chain tests do it. The list is read from a
 * supplier because the members' ports are known only once every server is listening; until then it is empty
 * (the node would serve alone). Thread-safe if the supplier is.
 */
final class FixedChain implements ChainResolver {
    private final byte[] self;
    private final Supplier<List<Member>> members;

    /**
     * @param self    this node's id, 1..255 bytes (copied)
     * @param members the chain, head first, for every stream
     */
    FixedChain(byte[] self, Supplier<List<Member>> members) {
        this.self = self.clone();
        this.members = Objects.requireNonNull(members, "members");
    }

    @Override
    public byte[] selfId() {
        return self.clone();
    }

    @Override
    public List<Member> chain(String stream, long key) {
        return members.get();
    }
}
