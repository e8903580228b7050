import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

/** Gzipped JavaScript budgets per app, in bytes (issues #4 and #5). */
export const BUNDLE_BUDGETS = { dashboard: 180 * 1024, kiosk: 120 * 1024 } as const;

/** A web app built by vite.config.ts. */
export type AppName = keyof typeof BUNDLE_BUDGETS;

/** One emitted JavaScript chunk and its sizes. */
export interface ChunkSize {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Builds `app` into `outDir` with the project's vite.config.ts and measures every JS chunk. */
export async function measureApp(app: AppName, outDir: string): Promise<ChunkSize[]> {
  await build({ configFile: join(import.meta.dirname, '..', 'vite.config.ts'), mode: app, logLevel: 'silent', build: { outDir } });
  const chunks: ChunkSize[] = [];
  for (const entry of await readdir(outDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const path = join(entry.parentPath, entry.name);
    const data = await readFile(path);
    chunks.push({ file: relative(outDir, path), bytes: data.length, gzipBytes: gzipSync(data, { level: 9 }).length });
  }
  return chunks.sort((a, b) => b.gzipBytes - a.gzipBytes);
}

/** Sum of the gzipped sizes. */
export function totalGzip(chunks: readonly ChunkSize[]): number {
  return chunks.reduce((sum, c) => sum + c.gzipBytes, 0);
}
