package io.scalesmall.topology;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The digest of a {@link GroupState}: XXH64 (seed 0) of its canonical form, two levels deep so that a
 * member's part is hashed once and reused while it does not change. Every byte is specified in
 * docs/wire-format.md ("Digest") so that other implementations compute the same value; all integers are
 * big-endian.
 *
 * <pre>
 * itemsHash(member) = XXH64( u32 count, count x [u8 op, u32 start, u32 end, u16 port, u32 priority,
 *                                               u64 counter, u64 timestampMillis] )   items in key order
 * digest(state)     = XXH64( u16 len, group name UTF-8,
 *                            u32 members, members x [u8 addrLen, addr, u16 port, u64 incarnation,
 *                                                   u32 ranges, ranges x [u64 lo, u64 hi],
 *                                                   u64 itemsHash(member)] )          members in NetId order
 * </pre>
 * Members of the world clock without items hash the empty item set. Thread-safe (stateless).
 */
public final class Digests {
    private static final XXHash64 XXH64 = XXHashFactory.fastestInstance().hash64();

    private Digests() {
    }

    /** @return the digest of {@code state}, recomputing every member's part (ignores all caches) */
    public static long full(GroupState state) {
        return compute(state, false);
    }

    static long compute(GroupState state, boolean useCache) {
        byte[] name = state.group().getBytes(StandardCharsets.UTF_8);
        WorldClock clock = state.worldClock();
        Buf b = new Buf(16 + name.length + clock.size() * 48);
        b.u16(name.length).bytes(name).u32(clock.size());
        // Records hold a subset of the clock's members, in the same order: walk both together.
        Iterator<Map.Entry<NetId, TimedSet>> records = state.records().entrySet().iterator();
        Map.Entry<NetId, TimedSet> record = records.hasNext() ? records.next() : null;
        for (Map.Entry<NetId, DotSet> e : clock.entries().entrySet()) {
            NetId m = e.getKey();
            DotSet d = e.getValue();
            b.netId(m).u64(d.incarnation()).u32(d.rangeCount());
            for (int i = 0; i < d.rangeCount(); i++) {
                b.u64(d.low(i)).u64(d.high(i));
            }
            TimedSet items = TimedSet.empty();
            if (record != null && record.getKey().equals(m)) {
                items = record.getValue();
                record = records.hasNext() ? records.next() : null;
            }
            b.u64(useCache ? items.cachedHash() : itemsHash(items));
        }
        return XXH64.hash(b.buf, 0, b.len, 0);
    }

    /** @return the XXH64 of the canonical form of one member's items (see the class comment) */
    static long itemsHash(TimedSet items) {
        Buf b = new Buf(4 + items.size() * 36);
        b.u32(items.size());
        for (int i = 0; i < items.size(); i++) {
            TimedItem t = items.item(i);
            Item it = t.item();
            b.u8(it.op().code()).u32(it.start()).u32(it.end()).u16(it.port()).u32(it.priority())
                    .u64(t.updatedAt().counter()).u64(t.timestampMillis());
        }
        return XXH64.hash(b.buf, 0, b.len, 0);
    }

    /** A tiny big-endian appender; canonical bytes only, never sent. */
    private static final class Buf {
        byte[] buf;
        int len;

        Buf(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        private void ensure(int n) {
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }

        Buf u8(int v) {
            ensure(1);
            buf[len++] = (byte) v;
            return this;
        }

        Buf u16(int v) {
            ensure(2);
            buf[len++] = (byte) (v >>> 8);
            buf[len++] = (byte) v;
            return this;
        }

        Buf u32(long v) {
            ensure(4);
            for (int s = 24; s >= 0; s -= 8) {
                buf[len++] = (byte) (v >>> s);
            }
            return this;
        }

        Buf u64(long v) {
            ensure(8);
            for (int s = 56; s >= 0; s -= 8) {
                buf[len++] = (byte) (v >>> s);
            }
            return this;
        }

        Buf bytes(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
            return this;
        }

        Buf netId(NetId id) {
            int n = id.addressLength();
            u8(n);
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[len++] = (byte) id.addressByte(i);
            }
            return u16(id.port());
        }
    }
}
