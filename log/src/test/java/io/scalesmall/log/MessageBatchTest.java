package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link MessageBatch}: both backings give the same counts, body and sub-views; {@link MessageBatch#ofBody} (a
 * decoder of untrusted bytes: the server hands it what a client sent) is fuzzed: for random and mutated regions it
 * either throws {@link IllegalArgumentException} or returns a view whose body is exactly the region. Seeded; the
 * seed is printed. Override: {@code -Dscalesmall.fuzz.seed=N}.
 */
class MessageBatchTest {
    private static List<byte[]> messages(SplittableRandom rnd) {
        List<byte[]> out = new ArrayList<>();
        for (int i = rnd.nextInt(0, 7); i > 0; i--) {
            out.add(Seeds.message(rnd, rnd.nextInt(0, rnd.nextBoolean() ? 5 : 200)));
        }
        return out;
    }

    private static byte[] encode(List<byte[]> messages) {
        ByteBuffer b = ByteBuffer.allocate((int) MessageBatch.of(messages).bodyBytes());
        for (byte[] m : messages) {
            b.putInt(m.length).put(m);
        }
        return b.array();
    }

    private static byte[] body(MessageBatch batch) {
        ByteBuffer b = ByteBuffer.allocate((int) batch.bodyBytes());
        batch.writeBody(b);
        assertThat(b.hasRemaining()).as("writeBody fills bodyBytes exactly").isFalse();
        return b.array();
    }

    @Test
    void bothBackingsDescribeTheSameMessages() {
        Seeds.check("list and body views agree", 200, seed -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            List<byte[]> msgs = messages(rnd);
            byte[] encoded = encode(msgs);
            byte[] framed = new byte[encoded.length + 7];
            System.arraycopy(encoded, 0, framed, 3, encoded.length);
            MessageBatch list = MessageBatch.of(msgs);
            MessageBatch view = MessageBatch.ofBody(ByteBuffer.wrap(framed, 3, encoded.length), msgs.size());
            for (int from = 0; from <= msgs.size(); from++) {
                MessageBatch a = list.from(from);
                MessageBatch b = view.from(from);
                List<byte[]> rest = msgs.subList(from, msgs.size());
                for (MessageBatch m : List.of(a, b)) {
                    assertThat(m.count()).isEqualTo(rest.size());
                    assertThat(m.bodyBytes()).isEqualTo(encode(rest).length);
                    assertThat(m.payloadBytes()).isEqualTo(encode(rest).length - 4L * rest.size());
                    assertThat(m.maxLength()).isEqualTo(rest.stream().mapToInt(x -> x.length).max().orElse(0));
                    assertThat(body(m)).isEqualTo(encode(rest));
                    assertThat(m.toList()).containsExactlyElementsOf(rest);
                }
            }
            assertThatThrownBy(() -> view.from(msgs.size() + 1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> view.from(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        });
    }

    @Test
    void aViewNeitherMovesNorCopiesItsBuffer() {
        ByteBuffer buf = ByteBuffer.allocate(16);
        buf.putInt(2).put((byte) 'h').put((byte) 'i').flip();
        MessageBatch view = MessageBatch.ofBody(buf, 1);
        assertThat(buf.position()).isZero();
        assertThat(buf.limit()).isEqualTo(6);
        buf.put(4, (byte) 'H');
        assertThat(view.toList().get(0)).isEqualTo(new byte[] {'H', 'i'});
        List<byte[]> copies = view.toList();
        copies.get(0)[0] = 'x';
        assertThat(view.toList().get(0)[0]).as("toList copies").isEqualTo((byte) 'H');
    }

    @Test
    void badRegionsAndArgumentsAreRefused() {
        assertThatThrownBy(() -> MessageBatch.ofBody(ByteBuffer.wrap(new byte[] {0, 0, 0, 2, 'a'}), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad length 2");
        assertThatThrownBy(() -> MessageBatch.ofBody(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 0}), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 bytes left");
        assertThatThrownBy(() -> MessageBatch.ofBody(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 0, 0}), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("message 1");
        assertThatThrownBy(() -> MessageBatch.ofBody(ByteBuffer.wrap(new byte[] {-1, -1, -1, -1}), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad length -1");
        assertThatThrownBy(() -> MessageBatch.ofBody(ByteBuffer.allocate(0), -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(MessageBatch.ofBody(ByteBuffer.allocate(0), 0).count()).isZero();
        assertThatThrownBy(() -> MessageBatch.of(null)).isInstanceOf(NullPointerException.class);
        List<byte[]> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> MessageBatch.of(withNull)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void ofBodySurvivesHostileRegions() {
        String s = System.getProperty("scalesmall.fuzz.seed");
        long seed = s == null || s.isBlank() ? System.nanoTime() : Long.parseLong(s.trim());
        System.out.println("MessageBatchTest seed=" + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] outcomes = new int[2]; // accepted, refused
        for (int it = 0; it < 100_000; it++) {
            List<byte[]> msgs = messages(rnd);
            byte[] region = encode(msgs);
            int count = msgs.size();
            switch (rnd.nextInt(5)) {
                case 0 -> { // a byte changed
                    if (region.length > 0) {
                        region[rnd.nextInt(region.length)] = (byte) rnd.nextInt();
                    }
                }
                case 1 -> region = java.util.Arrays.copyOf(region, rnd.nextInt(0, region.length + 9)); // cut or grown
                case 2 -> count += rnd.nextInt(-2, 3); // a wrong count
                case 3 -> { // random bytes
                    region = new byte[rnd.nextInt(0, 40)];
                    for (int i = 0; i < region.length; i++) {
                        region[i] = (byte) (rnd.nextInt(4) == 0 ? rnd.nextInt() : 0);
                    }
                    count = rnd.nextInt(0, 5);
                }
                default -> { // unchanged
                }
            }
            String where = "seed " + seed + " (rerun: mvn -o test -pl log -Dtest=MessageBatchTest"
                    + " -Dscalesmall.fuzz.seed=" + seed + "), iteration " + it + ", count " + count + ", region "
                    + HexFormat.of().formatHex(region);
            MessageBatch view;
            try {
                view = MessageBatch.ofBody(ByteBuffer.wrap(region), count);
            } catch (IllegalArgumentException e) {
                assertThat(count < 0 || !java.util.Arrays.equals(region, encode(msgs)) || count != msgs.size())
                        .as(where + ": an intact region was refused: " + e.getMessage()).isTrue();
                outcomes[1]++;
                continue;
            } catch (RuntimeException e) {
                throw new AssertionError(where + ": threw " + e, e);
            }
            outcomes[0]++;
            assertThat(view.count()).as(where).isEqualTo(count);
            assertThat(body(view)).as(where + ": the body is the region").isEqualTo(region);
            assertThat(encode(view.toList())).as(where + ": messages re-encode to the region").isEqualTo(region);
        }
        System.out.println("MessageBatchTest seed=" + seed + " accepted " + outcomes[0] + ", refused " + outcomes[1]);
        assertThat(outcomes[0]).as("seed %d: some inputs pass", seed).isPositive();
        assertThat(outcomes[1]).as("seed %d: some inputs are refused", seed).isPositive();
    }
}
