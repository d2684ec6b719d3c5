package io.scalesmall.placement;

import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Member ids for the placement tests. */
final class Ids {
    private Ids() {
    }

    /** 127.0.0.1:port: the ids of a local cluster. */
    static NetId local(int port) {
        return NetId.parse("127.0.0.1:" + port);
    }

    /** {@code n} distinct random ids, about one in four IPv6. */
    static List<NetId> random(SplittableRandom r, int n) {
        List<NetId> out = new ArrayList<>();
        while (out.size() < n) {
            NetId id;
            if (r.nextInt(4) == 0) {
                byte[] a = new byte[16];
                a[0] = (byte) 0xFD;
                for (int i = 8; i < 16; i++) {
                    a[i] = (byte) r.nextInt(256);
                }
                id = NetId.of(a, 1 + r.nextInt(65535));
            } else {
                id = NetId.of(new byte[] {10, (byte) r.nextInt(256), (byte) r.nextInt(256), (byte) r.nextInt(256)},
                        1 + r.nextInt(65535));
            }
            if (!out.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }
}
