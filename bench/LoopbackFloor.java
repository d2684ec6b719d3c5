import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * The latency floor this machine gives a pipeline shaped like scalesmall's ack path, with no scalesmall in it.
 *
 * <p>A sender thread writes a batch ({@code --batch-bytes}, default 190,000: what 0.5 ms of 100-byte messages at
 * 3.3M msgs/s fills) every {@code --interval-us} (default 500) to a loopback TCP socket, stamped with System.nanoTime();
 * a server thread reads each batch whole and writes back 16 bytes (the stamp); a reader thread takes those and
 * records now - stamp. Beside them, {@code --burners N} threads each keep a CPU busy for {@code --duty} (0..1) of each
 * 1 ms (spinning on the clock, no memory traffic): the CPU the rest of a loaded process would take. Prints the round
 * trips' p50, p99, p99.9 and max in ms after {@code --seconds} (default 20; the first 2 s are warm-up, not counted).
 * Traffic goes to 127.0.0.1 only.
 *
 * <p>Usage (JDK 17+, no build): {@code java bench/LoopbackFloor.java [--burners 1] [--duty 0.9] [--seconds 20]}
 */
public final class LoopbackFloor {
    public static void main(String[] args) throws Exception {
        int intervalUs = 500;
        int batchBytes = 190_000;
        int burners = 0;
        double duty = 0.9;
        int seconds = 20;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--interval-us" -> intervalUs = Integer.parseInt(args[i + 1]);
                case "--batch-bytes" -> batchBytes = Integer.parseInt(args[i + 1]);
                case "--burners" -> burners = Integer.parseInt(args[i + 1]);
                case "--duty" -> duty = Double.parseDouble(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (batchBytes < 16 || intervalUs < 10 || seconds < 3 || duty < 0 || duty > 1 || burners < 0) {
            throw new IllegalArgumentException("--batch-bytes >= 16, --interval-us >= 10, --seconds >= 3, "
                    + "--duty in 0..1, --burners >= 0");
        }
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long measureFrom = System.nanoTime() + 2_000_000_000L;
        for (int b = 0; b < burners; b++) {
            double d = duty;
            Thread t = new Thread(() -> burn(d, end), "burner-" + b);
            t.setDaemon(true);
            t.start();
        }
        int size = batchBytes;
        ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread server = new Thread(() -> serve(listener, size), "server");
        server.setDaemon(true);
        server.start();
        Socket s = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        s.setTcpNoDelay(true);
        long[] rtt = new long[(int) ((long) seconds * 1_000_000 / intervalUs) + 16];
        int[] n = {0};
        Thread reader = new Thread(() -> {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()))) {
                while (true) {
                    long stamp = in.readLong();
                    in.readLong();
                    long now = System.nanoTime();
                    if (stamp >= measureFrom && n[0] < rtt.length) {
                        rtt[n[0]++] = now - stamp;
                    }
                }
            } catch (Exception e) {
                // the socket closed at the end
            }
        }, "reader");
        reader.start();
        byte[] batch = new byte[batchBytes];
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
        long next = System.nanoTime();
        while (next < end) {
            long now;
            while ((now = System.nanoTime()) < next) {
                LockSupport.parkNanos(next - now);
            }
            out.writeLong(System.nanoTime());
            out.write(batch, 8, batch.length - 8);
            out.flush();
            next += intervalUs * 1000L;
        }
        s.shutdownOutput(); // the server sees the end, answers what it read and closes; then the reader sees it
        reader.join();
        s.close();
        long[] r = Arrays.copyOf(rtt, n[0]);
        Arrays.sort(r);
        System.out.printf("batches %d of %d bytes every %d us, burners %d at duty %.2f: round trip (ms) p50 %.3f"
                + "  p99 %.3f  p99.9 %.3f  max %.3f%n", r.length, batchBytes, intervalUs, burners, duty,
                at(r, 0.5), at(r, 0.99), at(r, 0.999), r[r.length - 1] / 1e6);
    }

    private static double at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
    }

    private static void serve(ServerSocket listener, int size) {
        try (Socket c = listener.accept();
             DataInputStream in = new DataInputStream(new BufferedInputStream(c.getInputStream(), 1 << 16));
             DataOutputStream out = new DataOutputStream(c.getOutputStream())) {
            c.setTcpNoDelay(true);
            byte[] rest = new byte[size - 8];
            byte[] ack = new byte[16];
            while (true) {
                long stamp = in.readLong();
                in.readFully(rest);
                for (int i = 0; i < 8; i++) {
                    ack[i] = (byte) (stamp >>> (56 - 8 * i));
                }
                out.write(ack);
            }
        } catch (Exception e) {
            // the client closed at the end
        }
    }

    private static void burn(double duty, long end) {
        long busy = (long) (duty * 1_000_000);
        long now;
        while ((now = System.nanoTime()) < end) {
            long until = now + busy;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            long idle = 1_000_000 - busy;
            if (idle > 0) {
                LockSupport.parkNanos(idle);
            }
        }
    }
}
