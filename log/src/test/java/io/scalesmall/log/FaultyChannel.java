package io.scalesmall.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link FileChannel} over a real one that fails on demand, as a full or failing disk does: a write that stores
 * only part of its bytes and then throws, a truncate or an fsync that throws. The faults are set on a shared
 * {@link Faults}, so a test arms them for whichever segment the log writes next. Decorator only: the log's code is
 * the same as in production.
 */
final class FaultyChannel extends FileChannel {
    /** ENOSPC as the JDK reports it on Linux. */
    static IOException noSpace() {
        return new IOException("No space left on device");
    }

    /** EIO as the JDK reports it on Linux. */
    static IOException ioError() {
        return new IOException("Input/output error");
    }

    /** What fails next. Each count is how many further calls fail (0: none). */
    static final class Faults {
        /** Failing writes store this share of their bytes first, 0..1. */
        volatile double partialShare = 0.5;
        volatile IOException writeError = noSpace();
        volatile int failWrites;
        volatile int failTruncates;
        volatile int failForces;
        volatile int failCreates;
        /** Channels opened, by path. */
        final Map<Path, FaultyChannel> channels = new ConcurrentHashMap<>();

        /** An opener for {@link FileMessageLog#open(Path, FileLogConfig, java.util.function.LongSupplier,
         * GroupCommit.Fsync, ChannelOpener)}: new segment files fail while {@link #failCreates} lasts. */
        ChannelOpener opener() {
            return (path, options) -> {
                for (OpenOption o : options) {
                    if (o == StandardOpenOption.CREATE_NEW && failCreates > 0) {
                        failCreates--;
                        throw noSpace();
                    }
                }
                FaultyChannel c = new FaultyChannel(FileChannel.open(path, options), this);
                channels.put(path, c);
                return c;
            };
        }
    }

    private final FileChannel real;
    private final Faults faults;

    private FaultyChannel(FileChannel real, Faults faults) {
        this.real = real;
        this.faults = faults;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        if (faults.failWrites > 0) {
            faults.failWrites--;
            int part = (int) (src.remaining() * faults.partialShare);
            if (part > 0) {
                ByteBuffer head = src.duplicate();
                head.limit(head.position() + part);
                while (head.hasRemaining()) {
                    real.write(head, position + (part - head.remaining()));
                }
            }
            throw faults.writeError;
        }
        return real.write(src, position);
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        if (faults.failTruncates > 0) {
            faults.failTruncates--;
            throw ioError();
        }
        real.truncate(size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (faults.failForces > 0) {
            faults.failForces--;
            throw noSpace();
        }
        real.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return real.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        throw new UnsupportedOperationException("the log writes at positions only");
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        throw new UnsupportedOperationException("the log writes at positions only");
    }

    @Override
    public long position() throws IOException {
        return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        real.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return real.size();
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        throw new UnsupportedOperationException("the log writes at positions only");
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return real.read(dst, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return real.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        real.close();
    }
}
