/**
 * Which serial ports the bridge should hold open right now. With `auto`,
 * every USB serial device: the stable /dev/serial/by-id names first (they
 * survive ttyACM0 → ttyACM1 renumbering), then ttyACM/ttyUSB devices that
 * no by-id link names. Two names of one device are opened once.
 */
import { readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The file-system calls discovery needs (injectable for tests). */
export interface DiscoveryFs {
  readdir(dir: string): string[];
  /** The resolved path, or undefined when the path does not exist. */
  realpath(path: string): string | undefined;
}

/** The real file system. */
export const nodeDiscoveryFs: DiscoveryFs = {
  readdir(dir) {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
  realpath(path) {
    try {
      return realpathSync(path);
    } catch {
      return undefined;
    }
  },
};

/** A port to open: the name to open it by and the device it resolves to. */
export interface PortCandidate {
  readonly path: string;
  readonly realPath: string;
}

// `*` in the last path segment only: enough for /dev/ttyUSB* or /tmp/x/tty-*.
function expand(pattern: string, fs: DiscoveryFs): string[] {
  const name = basename(pattern);
  if (!name.includes('*')) return [pattern];
  const dir = dirname(pattern);
  const re = new RegExp(
    `^${name
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return fs
    .readdir(dir)
    .filter((f) => re.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** The patterns `auto` stands for, most stable names first. */
export const AUTO_PATTERNS: readonly string[] = ['/dev/serial/by-id/*', '/dev/ttyACM*', '/dev/ttyUSB*'];

/**
 * The ports to hold open: pinned paths, then the configured list (or the
 * `auto` patterns), each existing device once.
 */
export function portCandidates(
  ports: 'auto' | readonly string[],
  pinned: readonly string[],
  fs: DiscoveryFs = nodeDiscoveryFs,
): PortCandidate[] {
  const patterns = [...pinned, ...(ports === 'auto' ? AUTO_PATTERNS : ports)];
  const seen = new Set<string>();
  const out: PortCandidate[] = [];
  for (const pattern of patterns) {
    for (const path of expand(pattern, fs)) {
      const realPath = fs.realpath(path);
      if (realPath === undefined || seen.has(realPath)) continue;
      seen.add(realPath);
      out.push({ path, realPath });
    }
  }
  return out;
}
