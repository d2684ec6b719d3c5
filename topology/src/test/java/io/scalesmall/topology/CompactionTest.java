package io.scalesmall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tombstone expiry: what is dropped, what is kept, and that nothing removed comes back. */
class CompactionTest {
    static final NetId M = Gen.id("10.0.0.1:7000");
    static final NetId P = Gen.id("10.0.0.2:7000");

    final TimedItem get = Gen.ti(Item.get(M), 1, 0, 100);
    final TimedItem addOld = Gen.ti(Item.add(M, 0, 255, 8080, 1), 1, 1, 100);
    final TimedItem rmvOld = Gen.ti(new Item(M, Op.RMV, 0, 255, 8080, 1), 1, 2, 1_000);
    final TimedItem rmvNew = Gen.ti(new Item(M, Op.RMV, 300, 400, 0, 0), 1, 3, 5_001);

    /** A state whose clock has seen M's writes 0..upTo (contiguously) and the writes of the other items. */
    static GroupState seen(long upTo, TimedItem... items) {
        WorldClock w = WorldClock.empty().with(M, DotSet.upTo(1, upTo));
        for (TimedItem t : items) {
            w = w.add(t.updatedAt());
        }
        return GroupState.of(Gen.GROUP, w, List.of(items));
    }

    @Test
    void dropsTombstonesOlderThanTheTtlAndKeepsNewerOnes() {
        GroupState s = seen(3, get, rmvOld, rmvNew);
        GroupState c = s.compact(6_000, 5_000); // horizon 1000: a tombstone written at 1000 is dropped
        assertThat(c.items()).containsExactly(get, rmvNew);
        assertThat(c.itemCount()).isEqualTo(2);
        assertThat(c.worldClock()).as("the clock still says the writes were seen").isEqualTo(s.worldClock());
        assertThat(s.compact(5_999, 5_000).items()).containsExactly(rmvOld, get, rmvNew);
        assertThat(s.compact(Long.MAX_VALUE, 0).items()).as("GET and ADD never expire").containsExactly(get);
        assertThat(c.compact(6_000, 5_000)).isSameAs(c);
        assertThat(seen(1, get, addOld).compact(1_000_000, 0)).isEqualTo(seen(1, get, addOld));
        assertThatThrownBy(() -> s.compact(0, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ttlMillis: -1 is negative");
    }

    @Test
    void aCompactedTombstoneDoesNotComeBackFromAPeerThatStillHoldsItOrAnOlderVersion() {
        GroupState full = seen(2, get, rmvOld);              // writes 0..2
        GroupState compacted = full.compact(10_000, 1_000);
        assertThat(compacted.items()).containsExactly(get);
        GroupState holdsTombstone = full;
        GroupState holdsOldAdd = Gen.state(get, addOld);     // lagging: has not seen the removal
        for (GroupState peer : List.of(holdsTombstone, holdsOldAdd)) {
            assertThat(compacted.merge(peer)).isEqualTo(compacted);
            assertThat(peer.merge(compacted)).isEqualTo(compacted);
        }
        // nor when the old writes are delivered again as deltas
        assertThat(compacted.add(addOld).add(rmvOld)).isEqualTo(compacted);
        assertThat(compacted.merge(Gen.state(addOld))).isEqualTo(compacted);
    }

    @Test
    void aMemberWithEveryItemCompactedLosesItsWorldClockEntry() {
        TimedItem left = Gen.ti(new Item(M, Op.RMV, 0, Gen.MAX, 0, 0), 1, 1, 1_000);
        TimedItem p = Gen.get(P, 4, 0);
        GroupState s = seen(1, left, p);
        GroupState c = s.compact(2_000, 1_000);
        assertThat(c.worldClock().members()).containsExactly(P);
        assertThat(c.worldClock().get(M)).isNull();
        assertThat(c.items()).containsExactly(p);
        assertThat(c).isEqualTo(Gen.state(p));
        assertThat(c.digest()).isEqualTo(Gen.state(p).digest());
        assertThat(seen(1, left).compact(2_000, 1_000)).isEqualTo(GroupState.empty(Gen.GROUP));
        assertThat(Gen.state(left).compact(2_000, 1_000).items()).as("write 0 unseen: kept").containsExactly(left);
    }

    @Test
    void skipsATombstoneWhileTheReplicaMissesAnEarlierWriteOfThatMember() {
        // seen writes 0 and 2 but not 1: write 1 could still be an older version of 0..255 on its way
        GroupState gap = GroupState.of(Gen.GROUP, WorldClock.empty().with(M, DotSet.of(1, new long[] {0, 0, 2, 3})),
                List.of(get, rmvOld, rmvNew));
        assertThat(gap.worldClock().get(M).contiguousUpTo()).isZero();
        assertThat(gap.compact(1_000_000, 0).items()).containsExactly(rmvOld, get, rmvNew);
        // the missing write arrives (it is superseded by the tombstone), then both tombstones can go
        GroupState filled = gap.add(addOld);
        assertThat(filled.items()).containsExactly(rmvOld, get, rmvNew);
        assertThat(filled.compact(1_000_000, 0).items()).containsExactly(get);
        // a tombstone before the gap is dropped while one after it is kept
        GroupState partial = GroupState.of(Gen.GROUP, WorldClock.empty().with(M, DotSet.of(1, new long[] {0, 2, 4, 4})),
                List.of(get, rmvOld, Gen.ti(new Item(M, Op.RMV, 500, 600, 0, 0), 1, 4, 0)));
        assertThat(partial.compact(1_000_000, 0).items()).extracting(t -> t.updatedAt().counter()).containsExactly(0L, 4L);
    }

    @Test
    void memoryStaysBoundedUnderChurn() {
        // 2,000 members; member i joins and serves a range at step i and leaves at step i + LIFE. One step is
        // 100 ms and tombstones live 10 s, i.e. 100 steps. Replica a hears every write; b pulls deltas from
        // a; c merges a's whole state every 7th step. All compact at every step.
        final int members = 2_000;
        final int life = 20;
        final long stepMs = 100;
        final long ttl = 10_000;
        long[] now = {0};
        List<LocalMember> writers = new ArrayList<>();
        List<GroupState> own = new ArrayList<>();
        GroupState a = GroupState.empty(Gen.GROUP);
        GroupState b = a;
        GroupState c = a;
        int maxItems = 0;
        int maxClock = 0;
        for (int step = 0; step < members + life + 120; step++) {
            now[0] = step * stepMs;
            List<GroupState> deltas = new ArrayList<>();
            if (step < members) {
                LocalMember w = new LocalMember(Gen.v4(step), 1, () -> now[0]);
                LocalMember.Write j = w.join(GroupState.empty(Gen.GROUP));
                LocalMember.Write add = w.addItem(j.state(), step * 1_000L, step * 1_000L + 999, 9000, 0);
                writers.add(w);
                own.add(add.state());
                deltas.add(j.delta());
                deltas.add(add.delta());
            }
            int leaver = step - life;
            if (leaver >= 0 && leaver < members) {
                LocalMember.Write leave = writers.get(leaver).leave(own.get(leaver));
                own.set(leaver, leave.state());
                deltas.add(leave.delta());
            }
            for (GroupState d : deltas) {
                a = a.merge(d);
            }
            a = a.compact(now[0], ttl);
            b = b.merge(a.delta(b.worldClock())).compact(now[0], ttl);
            if (step % 7 == 0) {
                c = c.merge(a).compact(now[0], ttl);
            }
            for (GroupState s : List.of(a, b, c)) {
                maxItems = Math.max(maxItems, s.itemCount());
                maxClock = Math.max(maxClock, s.worldClock().size());
            }
            if (step == 1_000) {
                assertThat(a.members()).hasSize(life);
                assertThat(b.members()).isEqualTo(a.members());
            }
        }
        // live: at most LIFE + 1 members with 2 items; retained tombstones: members that left in the last
        // ttl / step + 1 = 101 steps, 2 items each.
        int boundMembers = (life + 1) + (int) (ttl / stepMs + 1);
        assertThat(boundMembers).isEqualTo(122);
        assertThat(maxClock).isLessThanOrEqualTo(122).isGreaterThan(100);
        assertThat(maxItems).isLessThanOrEqualTo(244).isGreaterThan(200);
        // at the end everyone has left long ago: nothing remains
        for (GroupState s : List.of(a, b, c)) {
            assertThat(s.itemCount()).isZero();
            assertThat(s.worldClock().isEmpty()).isTrue();
        }
    }

    @Test
    void deltaOfACompactedStateDoesNotResurrectARemovedItem() {
        LocalMember w = new LocalMember(M, 1, () -> 1_000L);
        LocalMember.Write w0 = w.join(GroupState.empty(Gen.GROUP));
        LocalMember.Write w1 = w.addItem(w0.state(), 0, 255, 8080, 0);
        LocalMember.Write w2 = w.removeItem(w1.state(), 0, 255);
        GroupState x = GroupState.empty(Gen.GROUP).merge(w0.delta()).merge(w1.delta()); // lost w2's broadcast
        GroupState y = w2.state().compact(6_000, 5_000);                                  // dropped RMV @2
        assertThat(y.items()).extracting(TimedItem::item).containsExactly(Item.get(M));

        GroupState viaDelta = x.merge(y.delta(x.worldClock()));
        assertThat(viaDelta).as("delta law").isEqualTo(x.merge(y));
        assertThat(viaDelta.route(100)).as("no ghost of the removed range").isEmpty();
        assertThat(viaDelta.merge(w2.delta()).route(100)).as("the writer's own RMV repairs it").isEmpty();
        GroupState d = y.delta(x.worldClock());
        assertThat(x.merge(w2.delta()).merge(d)).as("associative").isEqualTo(x.merge(w2.delta().merge(d)));
    }
}
