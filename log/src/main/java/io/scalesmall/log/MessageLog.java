package io.scalesmall.log;

import io.scalesmall.topology.StreamKeys;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * A node's message store: per <em>stream</em>, an append-only sequence of small messages with consecutive
 * offsets from 0.
 *
 * <p><b>Streams.</b> A stream is named by a string of 1 to {@value #MAX_STREAM_NAME_BYTES} UTF-8 bytes (no unpaired
 * surrogates). A stream exists once something was appended to it; a stream never appended to reads as empty,
 * with first and end offsets 0. A log holds any number of streams without a file or a thread per stream.
 *
 * <p><b>Messages</b> are opaque byte arrays of 0 to {@value #MAX_MESSAGE_BYTES} bytes. Each gets an
 * <em>offset</em>: its position in its stream, consecutive from 0. A message's offset never changes.
 *
 * <p><b>Batches.</b> {@link #append} stores a list of messages atomically: a reader sees all of them or none,
 * and they take consecutive offsets with no other message between them. A batch holds at least one message and
 * at most {@value #MAX_BATCH_BYTES} bytes counted as {@code sum(length + 4)}.
 *
 * <p><b>Idempotent appends</b> ({@link #append(String, long, long, List)}), after Kafka's idempotent producer
 * (KIP-98): a producer names itself by a producer id and numbers its messages with sequences; a retried batch is
 * not stored twice, and the retry learns the offsets the first attempt got.
 *
 * <p><b>Durability.</b> An append is visible to readers when it returns. It is durable (survives a crash of
 * the process or the machine) once a later {@link #flush()} returned; implementations say what they keep.
 *
 * <p><b>Threads.</b> All methods are safe to call from any thread. Appends are serialized per log (one at a time;
 * each stream's offsets are assigned in the order the appends took the log's lock). Reads, offset queries and
 * flushes run concurrently with each other and with appends. After {@link #close()} every method but
 * {@code close} throws {@link IllegalStateException}.
 *
 * <p><b>Ownership.</b> Arrays and {@link MessageBatch} views passed to {@code append} are copied or written out
 * before it returns; the caller may reuse (or release) the bytes behind them as soon as it returned, and must keep
 * them unchanged until then. Arrays returned by {@code read} belong to the caller.
 *
 * <p><b>Two forms of append.</b> Each append takes the batch either as a {@code List<byte[]>} or as a
 * {@link MessageBatch} view (for instance over the message list of a received frame, encoded as {@code N × (u32
 * length, bytes)}, which the file log copies into its batch record in one piece, without an array per message).
 * The list forms are defaults that wrap the list ({@link MessageBatch#of}); implementations implement the view
 * forms, and both behave identically.
 *
 * <p><b>Nulls.</b> No argument may be null ({@link NullPointerException}).
 */
public interface MessageLog extends Closeable {
    /** The largest message, in bytes: 1 MiB. */
    int MAX_MESSAGE_BYTES = 1 << 20;
    /** The largest batch, counted as the sum over its messages of {@code length + 4}: 16 MiB. */
    int MAX_BATCH_BYTES = 16 << 20;
    /** The longest stream name, in UTF-8 bytes. */
    int MAX_STREAM_NAME_BYTES = StreamKeys.MAX_NAME_BYTES;
    /**
     * How many of a producer's latest batches per stream an idempotent log remembers (first sequence, count, base
     * offset), to answer retries with their original offsets: 64.
     */
    int PRODUCER_WINDOW_BATCHES = 64;

    /**
     * Appends a batch of messages to a stream, atomically, creating the stream if needed.
     *
     * @param stream   the stream's name (1..{@value #MAX_STREAM_NAME_BYTES} UTF-8 bytes)
     * @param messages at least one message; each of at most {@value #MAX_MESSAGE_BYTES} bytes
     * @return the offset given to the first message; the others follow consecutively
     * @throws MessageTooLargeException if a message or the batch exceeds its limit (nothing is stored)
     * @throws IllegalArgumentException if the name is invalid or the batch empty (nothing is stored)
     * @throws IOException              if the write failed; nothing of the batch is visible
     */
    default long append(String stream, List<byte[]> messages) throws IOException {
        return append(stream, MessageBatch.of(messages));
    }

    /**
     * Appends a batch of messages given as a view; in every other respect exactly {@link #append(String, List)}.
     *
     * @param messages at least one message; each of at most {@value #MAX_MESSAGE_BYTES} bytes; read during the call
     *                 only (see Ownership in the class comment)
     * @return the offset given to the first message; the others follow consecutively
     * @throws MessageTooLargeException if a message or the batch exceeds its limit (nothing is stored)
     * @throws IllegalArgumentException if the name is invalid or the batch empty (nothing is stored)
     * @throws IOException              if the write failed; nothing of the batch is visible
     */
    long append(String stream, MessageBatch messages) throws IOException;

    /**
     * Appends a producer's batch idempotently: its messages carry sequences {@code firstSequence ..
     * firstSequence + messages.size() - 1}, and those the log already stored for this producer on this stream are
     * not stored again. After Kafka's idempotent producer (KIP-98).
     *
     * <p>Per (stream, producer id) the log remembers the last stored sequence and its last
     * {@value #PRODUCER_WINDOW_BATCHES} batches. Leading messages whose sequence is at or below the last stored
     * one are duplicates, answered with the offset the first of them got when it was stored; the rest (if any)
     * are appended atomically as one batch, exactly as {@link #append(String, List)} would. A gap
     * ({@code firstSequence} more than one above the last stored sequence) is accepted. A batch at or below the
     * last stored sequence whose first message no remembered batch holds is refused with
     * {@link DuplicateSequenceException} rather than guessed at.
     *
     * <p>The state is bounded and rebuilt from what the log holds: a producer is forgotten once no batch of it was
     * appended for the producer expiry (default 7 days, {@link FileLogConfig#producerExpiryMillis()}; checked at
     * appends and by {@link #enforceRetention}), and retention forgets the batches it drops (a producer with no
     * batch left is forgotten). A forgotten producer starts afresh: any sequence is accepted. A durable log
     * rebuilds the state when it is opened, so duplicates are still detected after a restart.
     *
     * @param stream        the stream's name (1..{@value #MAX_STREAM_NAME_BYTES} UTF-8 bytes)
     * @param producerId    the producer's id: any value but 0 (0 means "no producer" in storage)
     * @param firstSequence the first message's sequence, at least 0; the last one must not pass
     *                      {@link Long#MAX_VALUE}
     * @param messages      at least one message; each of at most {@value #MAX_MESSAGE_BYTES} bytes
     * @return the first message's offset (original when it was a duplicate) and how many leading messages were
     *         duplicates, 0..messages.size()
     * @throws DuplicateSequenceException if {@code firstSequence} is at or below the last stored sequence and no
     *                                    remembered batch holds it (nothing is stored)
     * @throws MessageTooLargeException   if a message or the batch exceeds its limit (nothing is stored)
     * @throws IllegalArgumentException   if the name is invalid, the batch empty, {@code producerId} is 0 or a
     *                                    sequence out of range (nothing is stored)
     * @throws IOException                if the write failed; nothing of the batch is visible
     */
    default AppendResult append(String stream, long producerId, long firstSequence, List<byte[]> messages)
            throws IOException {
        return append(stream, producerId, firstSequence, MessageBatch.of(messages));
    }

    /**
     * Appends a producer's batch, given as a view, idempotently; in every other respect exactly
     * {@link #append(String, long, long, List)} (with {@code messages.size()} read as {@code messages.count()}).
     *
     * @param messages at least one message; each of at most {@value #MAX_MESSAGE_BYTES} bytes; read during the call
     *                 only (see Ownership in the class comment)
     * @return the first message's offset (original when it was a duplicate) and how many leading messages were
     *         duplicates, 0..messages.count()
     * @throws DuplicateSequenceException if {@code firstSequence} is at or below the last stored sequence and no
     *                                    remembered batch holds it (nothing is stored)
     * @throws MessageTooLargeException   if a message or the batch exceeds its limit (nothing is stored)
     * @throws IllegalArgumentException   if the name is invalid, the batch empty, {@code producerId} is 0 or a
     *                                    sequence out of range (nothing is stored)
     * @throws IOException                if the write failed; nothing of the batch is visible
     */
    AppendResult append(String stream, long producerId, long firstSequence, MessageBatch messages)
            throws IOException;

    /** Appends one message; see {@link #append(String, List)}. Returns its offset. */
    default long append(String stream, byte[] message) throws IOException {
        return append(stream, List.of(message));
    }

    /**
     * Reads consecutive messages of a stream starting at {@code fromOffset}: at most {@code maxMessages}, and
     * stopping before the message that would take the total past {@code maxBytes} (message lengths only) --
     * except that the first message is returned whatever its size, so a reader always makes progress.
     *
     * @param fromOffset  {@link #firstOffset} ≤ fromOffset ≤ {@link #endOffset}; at the end offset the result is
     *                    empty
     * @param maxMessages at least 1
     * @param maxBytes    at least 1
     * @throws OffsetOutOfRangeException if fromOffset is outside [firstOffset, endOffset]
     * @throws IllegalArgumentException  if the name is invalid, or maxMessages or maxBytes below 1
     * @throws IOException               if the storage could not be read
     */
    ReadResult read(String stream, long fromOffset, int maxMessages, int maxBytes) throws IOException;

    /**
     * Reads as {@link #read} does (same range rules and limits), keeping the batches the messages were stored in
     * apart, each with its producer id and the sequence of its first message returned ({@link StoredBatch}): the
     * read path of chain replication, so that a copy keeps the producers' idempotence state. A read starting inside
     * a batch returns that batch's rest, its first sequence advanced accordingly.
     *
     * <p>Every log must return the producer fields as stored: a copy made without them stores a producer's resend
     * a second time once it becomes the head.
     *
     * @return the batches in offset order, consecutive from {@code fromOffset}; empty at the end of the stream
     * @throws OffsetOutOfRangeException if fromOffset is outside [firstOffset, endOffset]
     * @throws IllegalArgumentException  if the name is invalid, or maxMessages or maxBytes below 1
     * @throws IOException               if the storage could not be read
     */
    List<StoredBatch> readBatches(String stream, long fromOffset, int maxMessages, int maxBytes) throws IOException;

    /**
     * The offset of the oldest message still held: 0 for a stream never appended to, and the end offset for a
     * stream whose messages retention dropped, all of them.
     */
    long firstOffset(String stream);

    /** The offset the next appended message will get (0 for a stream never appended to). */
    long endOffset(String stream);

    /**
     * Applies the log's retention settings now: drops the oldest data (whole batches or whole segments, as the
     * implementation documents) that is older or more than they allow. Each stream's first offset moves to its
     * first message still held (reads below it throw {@link OffsetOutOfRangeException} naming it); end offsets
     * never move back, so offsets are never given out twice. Idempotent producers idle longer than the producer
     * expiry at {@code nowMillis} are forgotten. Callers run it periodically.
     *
     * @param nowMillis the current time, ms since the epoch (passed in, so that tests need no clock)
     * @return the number of messages dropped, over all streams
     * @throws IOException if the storage could not be changed
     */
    long enforceRetention(long nowMillis) throws IOException;

    /** How many streams hold (or held) messages. */
    int streamCount();

    /**
     * Returns once everything appended before this call is durable. Concurrent callers share the work (group
     * commit: one fsync serves every caller waiting for it).
     *
     * @throws IOException if the storage could not be synced; durability is then unknown
     */
    void flush() throws IOException;

    /** Releases the log's resources. Does not flush. Idempotent. */
    @Override
    void close() throws IOException;
}
