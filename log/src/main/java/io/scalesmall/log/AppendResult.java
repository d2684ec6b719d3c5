package io.scalesmall.log;

/**
 * What an idempotent append ({@link MessageLog#append(String, long, long, java.util.List)}) did.
 *
 * @param firstOffset the offset of the batch's first message in its stream: where it was stored now, or -- when
 *                    that message had been stored before -- its original offset. At least 0.
 * @param duplicates  how many leading messages of the batch were already stored and so were not stored again,
 *                    0..{@code messages.size()}; the rest were appended now as one batch
 */
public record AppendResult(long firstOffset, int duplicates) {
    public AppendResult {
        if (firstOffset < 0) {
            throw new IllegalArgumentException("firstOffset must be >= 0, got " + firstOffset);
        }
        if (duplicates < 0) {
            throw new IllegalArgumentException("duplicates must be >= 0, got " + duplicates);
        }
    }
}
