/**
 * Memory of the PDF benchmark, Chromium included: the resident set of every process of the
 * browser's tree (browser, zygotes, renderers, GPU and utility processes), read from /proc, plus
 * this Node process. RSS sums count pages shared between Chromium's processes once per process,
 * an upper bound; PSS (proportional set size, shared pages split between their users) is
 * sampled beside it as the fairer sum.
 */
import { readdirSync, readFileSync } from 'node:fs';

const PAGE_BYTES = 4096;
const MB = 1024 * 1024;

/** Parent pid of `pid` (field 4 of /proc/PID/stat; the command name may hold spaces and ")"). */
function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return null;
  }
}

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const parent = parentOf(pid);
    if (parent === null) continue;
    const list = children.get(parent) ?? [];
    list.push(pid);
    children.set(parent, list);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Resident set of `pid` in bytes (second field of /proc/PID/statm); 0 once it is gone. */
function rssBytes(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_BYTES;
  } catch {
    return 0;
  }
}

/** Proportional set size of `pid` in bytes (/proc/PID/smaps_rollup); 0 when unreadable. */
function pssBytes(pid: number): number {
  try {
    const kb = /^Pss:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

export interface MemoryPeak {
  /** Highest sum seen of Chromium's RSS (whole tree) and Node's RSS, MB. */
  peakTotalMb: number;
  /** Chromium's tree and Node at that moment, MB. */
  chromiumMb: number;
  nodeMb: number;
  /** Highest PSS sum of the same processes, MB (sampled less often). */
  peakPssMb: number;
  /** Chromium processes seen. */
  processes: number;
  samples: number;
}

/**
 * Samples the memory of `browserPid`'s tree and this process every `everyMs` until `stop()`,
 * which returns the peak. The tree is re-read every sample: renderers come and go per page.
 */
export function meterMemory(browserPid: number, everyMs = 25): { stop(): MemoryPeak } {
  const peak: MemoryPeak = {
    peakTotalMb: 0,
    chromiumMb: 0,
    nodeMb: 0,
    peakPssMb: 0,
    processes: 0,
    samples: 0,
  };
  const seen = new Set<number>();
  const sample = (): void => {
    const tree = processTree(browserPid);
    for (const pid of tree) seen.add(pid);
    const chromium = tree.reduce((n, pid) => n + rssBytes(pid), 0);
    const node = process.memoryUsage.rss();
    peak.samples += 1;
    if (chromium + node > peak.peakTotalMb * MB) {
      peak.peakTotalMb = (chromium + node) / MB;
      peak.chromiumMb = chromium / MB;
      peak.nodeMb = node / MB;
    }
    // PSS walks every mapping: one sample in ten.
    if (peak.samples % 10 === 1) {
      const pss = tree.reduce((n, pid) => n + pssBytes(pid), 0) + pssBytes(process.pid);
      peak.peakPssMb = Math.max(peak.peakPssMb, pss / MB);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop(): MemoryPeak {
      clearInterval(timer);
      sample();
      return { ...peak, processes: seen.size };
    },
  };
}
