package io.scalesmall.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * How a {@link FileMessageLog} opens its segment files: {@link #DEFAULT} is {@link FileChannel#open}; tests pass an
 * opener whose channels fail writes, truncations or fsyncs on demand (a full or failing disk without a real one).
 */
interface ChannelOpener {
    /** Opens {@code path} with {@code options}, as {@link FileChannel#open(Path, OpenOption...)}. */
    FileChannel open(Path path, OpenOption... options) throws IOException;

    ChannelOpener DEFAULT = FileChannel::open;
}
