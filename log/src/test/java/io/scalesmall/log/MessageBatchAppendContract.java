package io.scalesmall.log;

import static io.scalesmall.log.IdempotentAppendContract.all;
import static io.scalesmall.log.IdempotentAppendContract.msgs;
import static io.scalesmall.log.MessageLogContract.b;
import static io.scalesmall.log.MessageLogContract.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The view forms of append ({@link MessageLog#append(String, MessageBatch)} and
 * {@link MessageLog#append(String, long, long, MessageBatch)}) as every log must do them: the same results as the
 * list forms, for views over arrays and over encoded bodies (heap and direct buffers, the region inside a larger
 * buffer), duplicates and limits included, and the bytes behind the view free to change once append returned. Run
 * by {@link MessageLogContract} (as a nested class) against each implementation.
 */
abstract class MessageBatchAppendContract {
    /** The suite's fresh log (closed by the suite). */
    protected abstract MessageLog log();

    /** A fresh, empty log (closed by the caller). */
    protected abstract MessageLog newLog() throws IOException;

    /**
     * The messages encoded as a batch body, placed inside a larger buffer (junk before and after, which the view must
     * neither read nor return), heap or direct.
     */
    static MessageBatch body(List<byte[]> messages, boolean direct, int junkBefore, int junkAfter) {
        long bytes = MessageBatch.of(messages).bodyBytes();
        ByteBuffer all = direct ? ByteBuffer.allocateDirect((int) bytes + junkBefore + junkAfter)
                : ByteBuffer.allocate((int) bytes + junkBefore + junkAfter);
        for (int i = 0; i < junkBefore; i++) {
            all.put((byte) 0x7f);
        }
        for (byte[] m : messages) {
            all.putInt(m.length).put(m);
        }
        for (int i = 0; i < junkAfter; i++) {
            all.put((byte) 0x7f);
        }
        return MessageBatch.ofBody(all.position(junkBefore).limit(junkBefore + (int) bytes), messages.size());
    }

    static MessageBatch body(String... s) {
        return body(msgs(s), false, 3, 5);
    }

    @Test
    void aBodyViewIsStoredAsTheListWouldBe() throws IOException {
        MessageLog log = log();
        assertThat(log.append("s", body("a", "", "ccc"))).isZero();
        assertThat(log.append("s", MessageBatch.of(msgs("d")))).isEqualTo(3);
        assertThat(log.append("s", 9, 0, body(msgs("e", "f"), true, 0, 0))).isEqualTo(new AppendResult(4, 0));
        assertThat(strings(log.read("s", 0, 100, 1000))).containsExactly("a", "", "ccc", "d", "e", "f");
        List<StoredBatch> batches = log.readBatches("s", 0, 100, 1000);
        assertThat(batches).hasSize(3);
        assertThat(batches.get(2).producerId()).isEqualTo(9);
        assertThat(batches.get(2).firstSequence()).isZero();
        assertThat(strings(batches.get(2).messages())).containsExactly("e", "f");
    }

    @Test
    void aRepeatedBodyViewStoresOnlyItsNewTail() throws IOException {
        MessageLog log = log();
        assertThat(log.append("s", 7, 0, body("a", "b", "c"))).isEqualTo(new AppendResult(0, 0));
        assertThat(log.append("s", 7, 0, body("a", "b", "c"))).isEqualTo(new AppendResult(0, 3));
        assertThat(log.append("s", 7, 1, body("b", "c", "d", "e"))).isEqualTo(new AppendResult(1, 2));
        assertThat(strings(log.read("s", 0, 100, 1000))).containsExactly("a", "b", "c", "d", "e");
        List<StoredBatch> batches = log.readBatches("s", 0, 100, 1000);
        assertThat(batches).hasSize(2);
        assertThat(batches.get(1).firstOffset()).isEqualTo(3);
        assertThat(batches.get(1).firstSequence()).isEqualTo(3);
        assertThat(log.append("s", 8, 0, body("x"))).as("another producer").isEqualTo(new AppendResult(5, 0));
    }

    @Test
    void theBytesBehindAViewMayChangeOnceAppendReturned() throws IOException {
        MessageLog log = log();
        ByteBuffer buf = ByteBuffer.allocate(20);
        buf.putInt(3).put(b("abc")).putInt(1).put(b("d")).flip();
        log.append("s", 5, 0, MessageBatch.ofBody(buf, 2));
        buf.put(4, (byte) 'X').put(11, (byte) 'Y');
        assertThat(strings(log.read("s", 0, 10, 100))).containsExactly("abc", "d");
    }

    @Test
    void viewsAreCheckedAsListsAreAndStoreNothingWhenRefused() throws IOException {
        MessageLog log = log();
        assertThatThrownBy(() -> log.append("s", body(List.of(), false, 0, 0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.append("s", 3, 0, body(List.of(), false, 1, 1)))
                .isInstanceOf(IllegalArgumentException.class);
        List<byte[]> tooLarge = List.of(b("ok"), new byte[MessageLog.MAX_MESSAGE_BYTES + 1]);
        assertThatThrownBy(() -> log.append("s", body(tooLarge, false, 0, 0)))
                .isInstanceOf(MessageTooLargeException.class)
                .hasMessageContaining(String.valueOf(MessageLog.MAX_MESSAGE_BYTES + 1));
        assertThatThrownBy(() -> log.append("s", 3, 0, body(tooLarge, true, 2, 0)))
                .isInstanceOf(MessageTooLargeException.class);
        List<byte[]> huge = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            huge.add(new byte[MessageLog.MAX_MESSAGE_BYTES]);
        }
        assertThatThrownBy(() -> log.append("s", 3, 0, body(huge, false, 0, 0)))
                .isInstanceOf(MessageTooLargeException.class).hasMessageContaining("batch");
        assertThatThrownBy(() -> log.append("s", 0, 0, body("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.append("s", 3, -1, body("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.append("", body("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.append("s", (MessageBatch) null)).isInstanceOf(NullPointerException.class);
        assertThat(log.endOffset("s")).isZero();
        assertThat(log.streamCount()).isZero();
    }

    /** Random batches through every form, partly repeated ones included, against a log fed only lists. */
    @Test
    void everyFormAgreesWithTheListForm() {
        Seeds.check("view appends agree with list appends", 5, seed -> {
            try (MessageLog views = newLog(); MessageLog lists = newLog()) {
                SplittableRandom rnd = new SplittableRandom(seed);
                long next = 0; // the producer's next new sequence
                for (int batch = 0; batch < 80; batch++) {
                    List<byte[]> msgs = new ArrayList<>();
                    for (int i = rnd.nextInt(1, 8); i > 0; i--) {
                        msgs.add(Seeds.message(rnd, rnd.nextInt(0, rnd.nextBoolean() ? 10 : 400)));
                    }
                    MessageBatch view = switch (rnd.nextInt(3)) {
                        case 0 -> MessageBatch.of(msgs);
                        case 1 -> body(msgs, false, rnd.nextInt(0, 9), rnd.nextInt(0, 9));
                        default -> body(msgs, true, rnd.nextInt(0, 9), rnd.nextInt(0, 9));
                    };
                    if (rnd.nextInt(4) == 0) {
                        assertThat(views.append("plain", view)).isEqualTo(lists.append("plain", msgs));
                    } else {
                        long first = next == 0 || rnd.nextInt(4) != 0 ? next : next - rnd.nextLong(0, Math.min(next, 3));
                        AppendResult expected = lists.append("s", 42, first, msgs);
                        assertThat(views.append("s", 42, first, view)).as("batch %d", batch).isEqualTo(expected);
                        next = Math.max(next, first + msgs.size());
                    }
                }
                for (String s : List.of("s", "plain")) {
                    assertThat(all(views, s)).as(s).hasSameSizeAs(all(lists, s));
                    List<byte[]> a = all(views, s);
                    List<byte[]> e = all(lists, s);
                    for (int i = 0; i < e.size(); i++) {
                        assertThat(Arrays.equals(a.get(i), e.get(i))).as("%s message %d", s, i).isTrue();
                    }
                    List<StoredBatch> ab = views.readBatches(s, 0, Integer.MAX_VALUE, Integer.MAX_VALUE);
                    List<StoredBatch> eb = lists.readBatches(s, 0, Integer.MAX_VALUE, Integer.MAX_VALUE);
                    assertThat(ab).hasSameSizeAs(eb);
                    for (int i = 0; i < eb.size(); i++) {
                        assertThat(ab.get(i).firstOffset()).isEqualTo(eb.get(i).firstOffset());
                        assertThat(ab.get(i).producerId()).isEqualTo(eb.get(i).producerId());
                        assertThat(ab.get(i).firstSequence()).isEqualTo(eb.get(i).firstSequence());
                        assertThat(ab.get(i).messages()).hasSameSizeAs(eb.get(i).messages());
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
