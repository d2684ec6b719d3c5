package io.scalesmall.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A member that restarts without its state must leave no ghost of its previous life on any replica. */
class RestartTest {
    static final NetId M = Gen.id("10.0.0.7:7000");
    static final NetId P = Gen.id("10.0.0.8:7000");
    static final long T = 1_700_000_000_000L;

    final long[] now = {T};
    final List<GroupState> replicas = new ArrayList<>();
    final SplittableRandom rnd = new SplittableRandom(11);

    RestartTest() {
        for (int i = 0; i < 5; i++) {
            replicas.add(GroupState.empty(Gen.GROUP));
        }
    }

    /** Delivers the deltas to every replica, each in its own random order. */
    void deliver(List<GroupState> deltas) {
        for (int i = 0; i < replicas.size(); i++) {
            List<GroupState> order = new ArrayList<>(deltas);
            Gen.shuffle(rnd, order);
            GroupState r = replicas.get(i);
            for (GroupState d : order) {
                r = r.merge(d);
            }
            replicas.set(i, r);
        }
    }

    /** Runs the writes in order, each on the state the previous one returned; returns the deltas. */
    static List<GroupState> deltas(List<LocalMember.Write> writes) {
        return writes.stream().filter(w -> !w.isEmpty()).map(LocalMember.Write::delta).toList();
    }

    void assertAllReplicasEqual() {
        for (GroupState r : replicas) {
            assertThat(r).isEqualTo(replicas.get(0));
            assertThat(r.digest()).isEqualTo(replicas.get(0).digest());
        }
    }

    /** Writes of the old life at incarnation 1000: join, serve 0..999 and 5000..5999; a peer P joins too. */
    List<GroupState> oldLife() {
        LocalMember old = new LocalMember(M, 1_000, () -> now[0]);
        LocalMember.Write w1 = old.join(GroupState.empty(Gen.GROUP));
        LocalMember.Write w2 = old.addItem(w1.state(), 0, 999, 7000, 1);
        LocalMember.Write w3 = old.addItem(w2.state(), 5_000, 5_999, 7000, 1);
        LocalMember.Write p = new LocalMember(P, 3, () -> now[0]).addItem(GroupState.empty(Gen.GROUP), 0, 99_999, 8000, 0);
        return deltas(List.of(w1, w2, w3, p));
    }

    @Test
    void aRestartWithAHigherIncarnationLeavesNoGhostAnywhere() {
        deliver(oldLife());
        assertThat(replicas.get(3).route(500)).extracting(Item::member).containsExactly(M, P);

        now[0] = T + 60_000;
        LocalMember reborn = new LocalMember(M, 2_000, () -> now[0]);
        LocalMember.Write j = reborn.join(GroupState.empty(Gen.GROUP));
        LocalMember.Write a = reborn.addItem(j.state(), 100_000, 199_999, 7100, 2);
        deliver(deltas(List.of(j, a)));

        Set<Item> expected = Set.of(Item.get(M), Item.add(M, 100_000, 199_999, 7100, 2));
        for (GroupState r : replicas) {
            assertThat(r.route(500)).as("no ghost of 0..999").extracting(Item::member).containsExactly(P);
            assertThat(r.route(5_500)).as("no ghost of 5000..5999").extracting(Item::member).containsExactly(P);
            assertThat(r.route(150_000)).containsExactly(Item.add(M, 100_000, 199_999, 7100, 2));
            assertThat(new HashSet<>(Gen.live(r, M))).isEqualTo(expected);
            assertThat(r.itemsOf(M).size()).as("nothing of the old life, not even tombstones").isEqualTo(2);
            assertThat(r.worldClock().get(M)).isEqualTo(DotSet.upTo(2_000, 1));
            assertThat(r.members()).containsExactly(M, P);
        }
        assertAllReplicasEqual();
        assertThat(replicas.get(0)).isEqualTo(a.state().merge(replicas.get(0)));
    }

    @Test
    void lateDeltasOfTheOldLifeAreIgnored() {
        List<GroupState> old = oldLife();
        LocalMember reborn = new LocalMember(M, 2_000, () -> now[0]);
        LocalMember.Write j = reborn.join(GroupState.empty(Gen.GROUP));
        deliver(List.of(j.delta()));
        deliver(old);   // the old life's broadcasts arrive after the new life's
        for (GroupState r : replicas) {
            assertThat(r.itemsOf(M).items()).extracting(TimedItem::item).containsExactly(Item.get(M));
            assertThat(r.route(500)).extracting(Item::member).containsExactly(P);
        }
        assertAllReplicasEqual();
    }

    @Test
    void wallTimeWentBackwardsTheNewLifeReconcilesAboveTheOldIncarnation() {
        deliver(oldLife());
        GroupState before = replicas.get(0);

        LocalMember back = new LocalMember(M, 500, () -> now[0]);
        LocalMember.Write j = back.join(GroupState.empty(Gen.GROUP));
        LocalMember.Write a = back.addItem(j.state(), 2_000, 2_999, 7200, 0);
        assertThat(a.clock()).isEqualTo(new LocalClock(M, 500, 1));
        deliver(deltas(List.of(j, a)));
        for (GroupState r : replicas) {
            assertThat(r).as("the writes of incarnation 500 lose to 1000's").isEqualTo(before);
            assertThat(r.route(2_500)).extracting(Item::member).containsExactly(P);
        }

        GroupState heard = a.state().merge(replicas.get(2));
        Optional<LocalMember.Write> fix = back.reconcile(heard);
        assertThat(fix).isPresent();
        assertThat(fix.get().clock().incarnation()).isGreaterThan(1_000);
        assertThat(fix.get().clock()).isEqualTo(new LocalClock(M, 1_001, 0));
        deliver(List.of(fix.get().delta()));

        Set<Item> expected = Set.of(Item.get(M), Item.add(M, 2_000, 2_999, 7200, 0));
        for (GroupState r : replicas) {
            assertThat(new HashSet<>(Gen.live(r, M))).isEqualTo(expected);
            assertThat(r.route(500)).extracting(Item::member).containsExactly(P);
            assertThat(r.route(5_500)).extracting(Item::member).containsExactly(P);
            assertThat(r.route(2_500)).containsExactly(Item.add(M, 2_000, 2_999, 7200, 0), Item.add(P, 0, 99_999, 8000, 0));
            for (TimedItem t : r.itemsOf(M).items()) {
                assertThat(t.updatedAt()).isEqualTo(new LocalClock(M, 1_001, 0));
            }
            assertThat(r).isEqualTo(fix.get().state());
        }
        assertAllReplicasEqual();
        assertThat(back.reconcile(fix.get().state())).isEmpty();
        assertThat(back.reconcile(replicas.get(4))).isEmpty();
        // and the next ordinary write continues in the new incarnation
        assertThat(back.removeItem(fix.get().state(), 2_000, 2_999).clock()).isEqualTo(new LocalClock(M, 1_001, 1));
    }

    @Test
    void aWriteAfterHearingTheOldLifeMovesAboveItWithoutAnExplicitReconcile() {
        deliver(oldLife());
        LocalMember back = new LocalMember(M, 500, () -> now[0]);
        GroupState s = back.join(GroupState.empty(Gen.GROUP)).state().merge(replicas.get(0));
        LocalMember.Write w = back.addItem(s, 2_000, 2_999, 7200, 0);
        assertThat(w.clock()).isEqualTo(new LocalClock(M, 1_001, 0));
        deliver(List.of(w.delta()));
        for (GroupState r : replicas) {
            assertThat(new HashSet<>(Gen.live(r, M))).isEqualTo(Set.of(Item.get(M), Item.add(M, 2_000, 2_999, 7200, 0)));
        }
    }

    @Test
    void reconcileOfAFreshLifeThatHasNotWrittenTombstonesTheOldLifesItems() {
        deliver(oldLife());
        LocalMember fresh = new LocalMember(M, 900, () -> now[0]);
        Optional<LocalMember.Write> fix = fresh.reconcile(replicas.get(0));
        assertThat(fix).isPresent();
        assertThat(fix.get().clock()).isEqualTo(new LocalClock(M, 1_001, 0));
        deliver(List.of(fix.get().delta()));
        assertThat(replicas.get(1).members()).containsExactly(P);
        assertThat(Gen.live(replicas.get(1), M)).isEmpty();
        assertThat(fresh.reconcile(replicas.get(1))).isEmpty();
    }

    @Test
    void aNewLifeWithTheSameIncarnationIsDetected() {
        LocalMember old = new LocalMember(M, 1_000, () -> T);
        LocalMember.Write o1 = old.join(GroupState.empty(Gen.GROUP));
        LocalMember.Write o2 = old.addItem(o1.state(), 0, 999, 7000, 1);
        deliver(deltas(List.of(o1, o2)));

        LocalMember same = new LocalMember(M, 1_000, () -> T + 1);
        LocalMember.Write n1 = same.join(GroupState.empty(Gen.GROUP));
        LocalMember.Write n2 = same.addItem(n1.state(), 2_000, 2_999, 7200, 0);
        deliver(deltas(List.of(n1, n2)));
        GroupState heard = n2.state().merge(replicas.get(0));
        same.reconcile(heard).ifPresent(w -> deliver(List.of(w.delta())));

        for (GroupState r : replicas) {
            assertThat(new HashSet<>(Gen.live(r, M))).isEqualTo(Set.of(Item.get(M), Item.add(M, 2_000, 2_999, 7200, 0)));
        }
    }
}
