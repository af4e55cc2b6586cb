import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Creates a directory and its missing parents one level at a time. (Node's recursive
 * mkdir loops forever on some special file systems such as /proc; this fails instead.)
 */
export async function ensureDir(dir: string): Promise<void> {
  const missing: string[] = [];
  let cur = resolve(dir);
  for (;;) {
    const info = await stat(cur).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
    if (info) {
      if (!info.isDirectory()) throw Object.assign(new Error(`${cur} is not a directory`), { code: 'ENOTDIR' });
      break;
    }
    missing.unshift(cur);
    const up = dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  for (const d of missing) await mkdir(d).catch((e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? undefined : Promise.reject(e)));
}

