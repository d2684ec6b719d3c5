package io.scalesmall.log;

/**
 * The read cache of a {@link FileMessageLog} ({@link FileLogConfig#cacheBytes()}), as counted since open.
 *
 * @param budgetBytes the budget in bytes (0: no cache)
 * @param cachedBytes bytes counted against it now: cached records plus a fixed bookkeeping cost per record
 * @param hits        batches reads took from memory
 * @param misses      batches reads took from disk (older than what the cache holds)
 */
public record CacheStats(long budgetBytes, long cachedBytes, long hits, long misses) {
}
