package io.scalesmall.log;

/**
 * The read cache of a {@link FileMessageLog} ({@link FileLogConfig#cacheBytes()}), as counted since open.
 *
 * @param budgetBytes   the budget in bytes (0: no cache)
 * @param heldBytes     bytes of memory the cache holds now (whole chunks, allocated as it fills), at most the budget
 * @param cachedBatches batches that reads can take from memory now
 * @param hits          batches reads took from memory
 * @param misses        batches reads took from disk (older than what the cache holds)
 */
public record CacheStats(long budgetBytes, long heldBytes, int cachedBatches, long hits, long misses) {
}
