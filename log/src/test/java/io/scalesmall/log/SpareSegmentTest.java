package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The spare segment's life on its own: written when asked and allowed, taken, given back, failing, closed. */
class SpareSegmentTest {
    private static final int BYTES = 64 * 1024;

    @TempDir
    Path dir;
    private final FaultyChannel.Faults faults = new FaultyChannel.Faults();
    @RegisterExtension
    final CapturedLog logged = new CapturedLog(Level.WARN);
    /** Whether the budget has room; reservations asked for. */
    private final AtomicBoolean room = new AtomicBoolean(true);
    private final AtomicInteger asked = new AtomicInteger();

    private SpareSegment started() {
        SpareSegment spare = new SpareSegment(dir, BYTES, faults.opener(), "test-spare", 50);
        spare.start((bytes, reserved) -> {
            asked.incrementAndGet();
            if (!room.get()) {
                return false;
            }
            reserved.set(bytes);
            return true;
        });
        return spare;
    }

    private Path file() {
        return dir.resolve(SpareSegment.FILE);
    }

    @Test
    void writesNothingUntilAskedThenZerosThatARollTakesOver() throws IOException {
        try (SpareSegment spare = started()) {
            assertThat(spare.take(0, true)).as("none asked for yet").isNull();
            assertThat(file()).doesNotExist();
            assertThat(spare.reservedBytes()).isZero();

            spare.request();
            await().atMost(Duration.ofSeconds(10)).until(spare::ready);
            assertThat(spare.reservedBytes()).isEqualTo(BYTES);
            assertThat(Files.readAllBytes(file())).hasSize(BYTES).containsOnly(0);

            Segment seg = spare.take(7, true);
            try {
                assertThat(seg.number).isEqualTo(7);
                assertThat(seg.path).isEqualTo(dir.resolve(Segment.pendingFileName(7)));
                assertThat(seg.size()).isZero();
                assertThat(seg.allocated()).isEqualTo(BYTES);
                await().atMost(Duration.ofSeconds(10)).until(spare::ready); // the next one, unasked
                assertThat(spare.prepared()).isEqualTo(2);
                assertThat(asked.get()).as("a new reservation: the taken one became the segment's").isEqualTo(2);
                assertThat(Files.size(seg.path)).as("the new spare is another file").isEqualTo(BYTES);
            } finally {
                seg.close();
            }
        }
        assertThat(file()).as("close deletes the spare").doesNotExist();
        assertThat(logged.list).isEmpty();
    }

    @Test
    void aBudgetWithoutRoomGetsNoSpareUntilItHasRoom() {
        room.set(false);
        try (SpareSegment spare = started()) {
            spare.request();
            await().atMost(Duration.ofSeconds(10)).until(() -> asked.get() >= 1);
            assertThat(spare.ready()).isFalse();
            assertThat(spare.reservedBytes()).isZero();
            assertThat(file()).doesNotExist();
            room.set(true); // asked again within a second
            await().atMost(Duration.ofSeconds(10)).until(spare::ready);
            assertThat(spare.reservedBytes()).isEqualTo(BYTES);
        }
    }

    @Test
    void discardGivesTheRoomBackAndTheNextSpareWaitsForRoom() {
        try (SpareSegment spare = started()) {
            assertThat(spare.discard()).as("none ready").isFalse();
            spare.request();
            await().atMost(Duration.ofSeconds(10)).until(spare::ready);
            room.set(false);
            int before = asked.get();
            assertThat(spare.discard()).isTrue();
            assertThat(file()).doesNotExist();
            assertThat(spare.reservedBytes()).isZero();
            assertThat(spare.ready()).isFalse();
            await().atMost(Duration.ofSeconds(10)).until(() -> asked.get() > before);
            assertThat(file()).as("no room: no new spare").doesNotExist();
        }
    }

    @Test
    void aSpareThatCannotBeWrittenIsDeletedLoggedOnceAndTriedAgain() {
        faults.failWrites = 3; // ENOSPC on the first three spares (retried every 50 ms)
        try (SpareSegment spare = started()) {
            spare.request();
            await().atMost(Duration.ofSeconds(10)).until(spare::ready);
            assertThat(faults.failWrites).isZero();
            assertThat(spare.prepared()).isEqualTo(1);
            assertThat(spare.reservedBytes()).isEqualTo(BYTES);
        }
        assertThat(logged.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains(SpareSegment.FILE).contains("No space left on device")
                    .contains("grow as they fill");
        });
    }

    @Test
    void aFailedSpareHoldsNoRoomWhileItWaitsToRetry() {
        faults.failWrites = Integer.MAX_VALUE;
        try (SpareSegment spare = new SpareSegment(dir, BYTES, faults.opener(), "test-spare", 60_000)) {
            spare.start((bytes, reserved) -> {
                asked.incrementAndGet();
                reserved.set(bytes);
                return true;
            });
            spare.request();
            await().atMost(Duration.ofSeconds(10)).until(() -> !logged.list.isEmpty());
            await().atMost(Duration.ofSeconds(10)).until(() -> spare.reservedBytes() == 0);
            assertThat(file()).doesNotExist();
            assertThat(spare.ready()).isFalse();
        }
    }

    /** The zeros follow the active segment's fill: done by the time it is three quarters full, not in one burst. */
    @Test
    void theZerosArePacedByTheActiveSegmentsFill() throws IOException {
        long bytes = 4L << 20;
        AtomicLong filled = new AtomicLong();
        try (SpareSegment spare = new SpareSegment(dir, bytes, faults.opener(), "test-spare", 50)) {
            spare.start((b, reserved) -> {
                reserved.set(b);
                return true;
            }, filled::get);
            spare.request();
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file()) && Files.size(file()) >= 1 << 20);
            // nothing filled yet: at most 4/3 MiB of zeros, so one step of 1 MiB, and it waits
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> !spare.ready() && Files.size(file()) == 1 << 20);
            filled.set(2L << 20); // half full: room for 4 MiB (4/3 of 3 MiB), all of it
            await().atMost(Duration.ofSeconds(10)).until(spare::ready);
            assertThat(Files.size(file())).isEqualTo(bytes);
        }
    }

    @Test
    void aLeftoverSpareIsDeleted() throws IOException {
        Files.write(file(), new byte[100]);
        SpareSegment.deleteLeftover(dir);
        assertThat(file()).doesNotExist();
        SpareSegment.deleteLeftover(dir); // none: nothing to do
    }
}
