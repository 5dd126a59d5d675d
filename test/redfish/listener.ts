// A Redfish event listener for tests: an HTTP server on 127.0.0.1, port 0, that records every POST
// body by path and lets a test wait for the n-th one on a path (no fixed sleeps).

import { createServer, type Server } from 'node:http';

export interface Listener {
  readonly base: string;
  readonly port: number;
  /** Bodies received on `path`, in order. */
  received(path: string): Record<string, unknown>[];
  /** The Content-Type of every POST, in arrival order. */
  contentTypes(): string[];
  /** Resolves once `path` has received `n` bodies. */
  waitFor(path: string, n: number): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function listen(port = 0): Promise<Listener> {
  const got = new Map<string, Record<string, unknown>[]>();
  const waiters: { path: string; n: number; done: () => void }[] = [];
  const types: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const list = got.get(path) ?? [];
      list.push(JSON.parse(body) as Record<string, unknown>);
      types.push(String(req.headers['content-type']));
      got.set(path, list);
      res.writeHead(204).end();
      for (const w of [...waiters]) if (w.path === path && list.length >= w.n) w.done();
    });
  });
  await new Promise<void>((res) => server.listen(port, '127.0.0.1', res));
  const a = server.address();
  if (!a || typeof a === 'string') throw new Error('no address');
  return {
    base: `http://127.0.0.1:${a.port}`,
    port: a.port,
    received: (path) => got.get(path) ?? [],
    contentTypes: () => [...types],
    waitFor: (path, n) =>
      new Promise((res) => {
        const check = (): void => res(got.get(path) ?? []);
        if ((got.get(path) ?? []).length >= n) check();
        else waiters.push({ path, n, done: check });
      }),
    close: () => new Promise((res) => server.close(() => res())),
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const l = await listen();
  await l.close();
  return l.port;
}
