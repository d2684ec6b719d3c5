#!/usr/bin/env python3
"""How much CPU this machine spends writing new data into the page cache, second by second.

Writes --block-kib blocks to a new file at --mb-per-s (paced), with no fsync, for --seconds, and prints per second:
the MB written so far, the mean and max pwrite() latency (ms), and the CPU time the writing thread used (s). Then
deletes the file. Nothing but the file is touched.

Why: scalesmall's node writes every batch into its segment file on the event loop that acknowledges it (the kernel
copies it into the page cache; no fsync for memory acks). On the 2 vCPU VM of docs/benchmarks.md that copy became
about eight times more expensive once some 1.1 GB of new data had been written (0.05 ms -> 0.7 ms per 256 KiB,
83 % of the time in copy_folio_from_iter_atomic per `perf`), with no writeback running; a bench run that writes more
than that has its node's event loop saturate halfway through. Run this before reading bench figures from a new
machine: if the later seconds cost more than the first ones, so will a long bench run.

Usage: python3 bench/pagecache-write.py [--dir /tmp] [--mb-per-s 160] [--seconds 12] [--block-kib 256]
"""
import argparse
import os
import sys
import time


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dir", default="/tmp", help="directory for the scratch file (default /tmp)")
    p.add_argument("--mb-per-s", type=float, default=160.0, help="write rate, MB/s (default 160: 1.5M msgs/s of 100 B)")
    p.add_argument("--seconds", type=int, default=12, help="how long to write (default 12)")
    p.add_argument("--block-kib", type=int, default=256, help="bytes per pwrite, KiB (default 256: a bench batch)")
    a = p.parse_args()
    if a.mb_per_s <= 0 or a.seconds <= 0 or not 1 <= a.block_kib <= 65536:
        sys.exit("pagecache-write: --mb-per-s and --seconds must be > 0, --block-kib 1..65536")
    block = os.urandom(a.block_kib * 1024)
    gap = len(block) / (a.mb_per_s * 1e6)
    path = os.path.join(a.dir, "scalesmall-pagecache-write-%d.tmp" % os.getpid())
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        start = time.perf_counter()
        pos = 0
        i = 0
        print("second  MB written  pwrite mean ms  pwrite max ms  CPU s")
        for second in range(a.seconds):
            n, total, worst = 0, 0.0, 0.0
            cpu0 = time.thread_time()
            while True:
                due = start + i * gap
                if due >= start + second + 1:
                    break
                now = time.perf_counter()
                if now < due:
                    time.sleep(due - now)
                t = time.perf_counter()
                os.pwrite(fd, block, pos)
                d = time.perf_counter() - t
                pos += len(block)
                i += 1
                n, total, worst = n + 1, total + d, max(worst, d)
            print("%6d  %10d  %14.3f  %13.2f  %5.3f" % (second, pos >> 20, total / max(n, 1) * 1e3, worst * 1e3,
                                                     time.thread_time() - cpu0))
    finally:
        os.close(fd)
        os.unlink(path)


if __name__ == "__main__":
    main()
