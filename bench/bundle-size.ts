import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

/**
 * Gzipped JavaScript budgets per app, in bytes: everything a browser may
 * load (issues #4 and #5; the kiosk's 150 KB since it loads MQTT.js, issue #16).
 */
export const BUNDLE_BUDGETS = { dashboard: 180 * 1024, kiosk: 150 * 1024 } as const;

/** A web app built by vite.config.ts. */
export type AppName = keyof typeof BUNDLE_BUDGETS;

/**
 * Gzipped JavaScript a page of the app loads before its first paint (its
 * entries and their static imports), in bytes (issue #16: the kiosk loads
 * MQTT.js only after it).
 */
export const FIRST_PAINT_BUDGETS: Readonly<Partial<Record<AppName, number>>> = { kiosk: 45 * 1024 };

/** One emitted JavaScript chunk and its sizes. */
export interface ChunkSize {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Loaded before the first paint: a page entry or a static import of one (never a service worker or a dynamic import). */
  readonly initial: boolean;
}

/** The chunk graph of a build output, as much of Rollup's `OutputChunk` as this needs. */
interface OutputChunk {
  readonly type: string;
  readonly fileName: string;
  readonly name: string;
  readonly isEntry: boolean;
  readonly imports: readonly string[];
}

/** Files loaded before the first paint: page entries (not `sw`) and, transitively, their static imports. */
function initialFiles(output: readonly OutputChunk[]): Set<string> {
  const chunks = new Map(output.filter((c) => c.type === 'chunk').map((c) => [c.fileName, c]));
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of chunks.get(file)?.imports ?? []) visit(next);
  };
  for (const c of chunks.values()) if (c.isEntry && c.name !== 'sw') visit(c.fileName);
  return seen;
}

/** Builds `app` into `outDir` with the project's vite.config.ts and measures every JS chunk. */
export async function measureApp(app: AppName, outDir: string): Promise<ChunkSize[]> {
  // What ships: Vite keeps a NODE_ENV already set (vitest sets "test"), and
  // libraries then bundle their development code (https://vite.dev/guide/env-and-mode).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build({
      configFile: join(import.meta.dirname, '..', 'vite.config.ts'),
      mode: app,
      logLevel: 'silent',
      build: { outDir },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  const outputs = (Array.isArray(result) ? result : [result]) as { output?: readonly OutputChunk[] }[];
  const initial = initialFiles(outputs.flatMap((r) => r.output ?? []));
  const chunks: ChunkSize[] = [];
  for (const entry of await readdir(outDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const path = join(entry.parentPath, entry.name);
    const data = await readFile(path);
    const file = relative(outDir, path);
    chunks.push({ file, bytes: data.length, gzipBytes: gzipSync(data, { level: 9 }).length, initial: initial.has(file) });
  }
  return chunks.sort((a, b) => b.gzipBytes - a.gzipBytes);
}

/** Sum of the gzipped sizes. */
export function totalGzip(chunks: readonly ChunkSize[]): number {
  return chunks.reduce((sum, c) => sum + c.gzipBytes, 0);
}

/** Sum of the gzipped sizes loaded before the first paint. */
export function firstPaintGzip(chunks: readonly ChunkSize[]): number {
  return totalGzip(chunks.filter((c) => c.initial));
}
