/**
 * The compiled file a worker thread runs, next to the module asking: `name` beside `here`.
 * Tests run the TypeScript sources (`src/…/x.ts`); worker threads need the compiled file, so
 * from a source module the same path under `dist/` is used.
 */
export function workerScript(here: string, name: string): URL {
  const url = new URL(name, here);
  if (!here.endsWith('.ts')) return url;
  const i = url.href.lastIndexOf('/src/');
  return new URL(`${url.href.slice(0, i)}/dist/${url.href.slice(i + 5)}`);
}

/** The module a worker thread imports for `url` (a source module's compiled file under `dist/`). */
export function compiledModule(url: string): URL {
  if (!url.endsWith('.ts')) return new URL(url);
  return workerScript(url, `./${url.slice(url.lastIndexOf('/') + 1, -3)}.js`);
}
