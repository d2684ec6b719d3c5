package io.scalesmall.node.netty;

import static io.scalesmall.node.netty.TestSupport.eventually;
import static io.scalesmall.node.netty.TestSupport.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.fail;

import io.scalesmall.chatter.transport.StreamTransport;
import io.scalesmall.topology.NetId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link StreamTransport} must do, whatever carries the bytes. A subclass supplies transports (real
 * sockets, or later a simulated network) and ids; the tests only use the interface.
 */
public abstract class StreamTransportContract {
    /** A frame as delivered to a handler. */
    protected record Received(InetSocketAddress from, byte[] frame) {
    }

    /** A started transport and what its handler received, in order. */
    protected record Node(NetId id, StreamTransport transport, BlockingQueue<Received> inbox) {
        /** @return the next frame received within {@code timeout}, or null */
        public Received next(Duration timeout) {
            try {
                return inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private final List<StreamTransport> created = new ArrayList<>();

    /** @return a new, unstarted transport that will be reachable as {@code self} */
    protected abstract StreamTransport create(NetId self);

    /** @return an id nothing is reachable at yet (a transport may be started on it later) */
    protected abstract NetId unusedId();

    /** @return how long the implementation may take to give up on an unreachable peer, or to deliver */
    protected Duration patience() {
        return Duration.ofSeconds(10);
    }

    /** Creates and starts a transport reachable as {@code id}; it is closed after the test. */
    protected Node start(NetId id) {
        return start(id, create(id));
    }

    /** Starts {@code t}, reachable as {@code id}, collecting what it receives; it is closed after the test. */
    protected Node start(NetId id, StreamTransport t) {
        track(t);
        BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
        try {
            t.start((from, f) -> inbox.add(new Received(from, f)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Node(id, t, inbox);
    }

    /** Closes {@code t} after the test. */
    protected <T extends StreamTransport> T track(T t) {
        created.add(t);
        return t;
    }

    @AfterEach
    void closeAll() {
        created.forEach(StreamTransport::close);
    }

    @Test
    void aThousandFramesEachWayArriveInOrderAndByteExact() {
        Node a = start(unusedId());
        Node b = start(unusedId());
        Random random = new Random(42);
        List<byte[]> toB = frames(random, 1_000);
        List<byte[]> toA = frames(random, 1_000);
        for (int i = 0; i < 1_000; i++) {
            a.transport().send(b.id(), toB.get(i));
            b.transport().send(a.id(), toA.get(i));
        }
        expectInOrder(b, toB);
        expectInOrder(a, toA);
        long bytes = toB.stream().mapToLong(f -> f.length).sum();
        // A send is counted when its write completes, which may be just after the receiver has the frame.
        assertThat(eventually(() -> a.transport().stats().messagesOut.sum() == 1_000, patience())).isTrue();
        assertThat(eventually(() -> a.transport().stats().bytesOut.sum() == bytes, patience())).isTrue();
        assertThat(b.transport().stats().messagesIn.sum()).isEqualTo(1_000);
        assertThat(b.transport().stats().bytesIn.sum()).isEqualTo(bytes);
        assertThat(a.transport().stats().dropped.sum()).isZero();
        assertThat(b.transport().stats().dropped.sum()).isZero();
    }

    /** Mostly small frames, some of tens of KiB, a few of about a MiB; bodies are random. */
    private static List<byte[]> frames(Random random, int n) {
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(100);
            int body = kind < 70 ? random.nextInt(512) : kind < 97 ? 512 + random.nextInt(64 * 1024) : random.nextInt(1 << 20);
            out.add(frame(random, body));
        }
        return out;
    }

    private void expectInOrder(Node receiver, List<byte[]> sent) {
        for (int i = 0; i < sent.size(); i++) {
            Received r = receiver.next(patience());
            if (r == null) {
                fail("%s received only %d of %d frames", receiver.id(), i, sent.size());
            }
            if (!java.util.Arrays.equals(r.frame(), sent.get(i))) {
                fail("frame %d at %s differs from the one sent (%d bytes received, %d sent)", i, receiver.id(),
                        r.frame().length, sent.get(i).length);
            }
            assertThat(r.from().getAddress()).isEqualTo(TestSupport.LOOPBACK);
        }
    }

    @Test
    void sendsToAnUnreachablePeerAreDroppedAndCountedWithoutBlocking() {
        Node a = start(unusedId());
        NetId nobody = unusedId();
        Random random = new Random(1);
        long t0 = System.nanoTime();
        assertThatCode(() -> {
            for (int i = 0; i < 5; i++) {
                a.transport().send(nobody, frame(random, 100));
            }
        }).doesNotThrowAnyException();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500));
        assertThat(eventually(() -> a.transport().stats().dropped.sum() == 5, patience()))
                .as("dropped %d of 5", a.transport().stats().dropped.sum()).isTrue();
        assertThat(a.transport().stats().messagesOut.sum()).isZero();
    }

    @Test
    void aPeerThatStartsLaterIsReachedByLaterSends() {
        Node a = start(unusedId());
        NetId late = unusedId();
        Random random = new Random(2);
        a.transport().send(late, frame(random, 10));
        assertThat(eventually(() -> a.transport().stats().dropped.sum() == 1, patience())).isTrue();

        Node b = start(late);
        byte[] f = frame(random, 300);
        a.transport().send(late, f);
        Received r = b.next(patience());
        assertThat(r).as("frame after the peer started").isNotNull();
        assertThat(r.frame()).isEqualTo(f);
    }

    @Test
    void closeDeliversAFrameQueuedJustBeforeIt() {
        Node a = start(unusedId());
        Node b = start(unusedId());
        byte[] leave = frame(new Random(3), 64);
        a.transport().send(b.id(), leave);
        a.transport().close();
        Received r = b.next(patience());
        assertThat(r).as("the frame queued before close").isNotNull();
        assertThat(r.frame()).isEqualTo(leave);
    }

    @Test
    void closeIsIdempotentAndLaterSendsAreDroppedAndCounted() {
        Node a = start(unusedId());
        Node b = start(unusedId());
        a.transport().close();
        a.transport().close();
        assertThatCode(() -> a.transport().send(b.id(), frame(new Random(4), 8))).doesNotThrowAnyException();
        assertThat(a.transport().stats().dropped.sum()).isEqualTo(1);
        assertThat(a.transport().openConnections()).isZero();
        assertThat(b.next(Duration.ofMillis(200))).isNull();
    }

    @Test
    void aConnectionIsCountedOnBothEnds() {
        Node a = start(unusedId());
        Node b = start(unusedId());
        assertThat(a.transport().openConnections()).isZero();
        a.transport().send(b.id(), frame(new Random(5), 1));
        assertThat(b.next(patience())).isNotNull();
        assertThat(eventually(() -> a.transport().openConnections() >= 1 && b.transport().openConnections() >= 1,
                patience())).as("a %d, b %d", a.transport().openConnections(), b.transport().openConnections()).isTrue();
    }
}
