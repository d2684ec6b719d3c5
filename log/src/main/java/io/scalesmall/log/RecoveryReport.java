package io.scalesmall.log;

/**
 * What {@link FileMessageLog#open} found.
 *
 * @param segments       segment files read
 * @param batches        valid batches indexed
 * @param streams        streams found
 * @param truncatedBytes bytes cut from the tail of the last segment (a torn or corrupt tail); 0 after a clean
 *                       close
 */
public record RecoveryReport(int segments, long batches, int streams, long truncatedBytes) {
}
