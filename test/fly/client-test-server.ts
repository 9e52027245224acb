// A tiny loopback HTTP server for the Fly client tests: records every
// request and answers what the test's handler says (Fly's documented
// answers), or breaks the connection. Not the full emulator: each test
// plays just the answers it needs.

import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  /** path without the query */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
}

export type Answer =
  | { status?: number; json?: unknown; text?: string; headers?: Record<string, string> }
  | 'reset'
  | 'hang';

export type Handler = (req: Recorded, index: number) => Answer | Promise<Answer>;

export interface TestServer {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = body ? JSON.parse(body) : undefined;
        } catch {
          json = undefined;
        }
        const recorded: Recorded = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body, json };
        requests.push(recorded);
        const answer = await handler(recorded, requests.length - 1);
        if (answer === 'reset') {
          req.socket.destroy();
          return;
        }
        if (answer === 'hang') return;
        const text = answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json));
        res.writeHead(answer.status ?? 200, {
          ...(answer.json !== undefined && answer.text === undefined ? { 'content-type': 'application/json' } : {}),
          ...answer.headers,
        });
        res.end(text);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A clock that only moves when the code under test sleeps. */
export function fakeTime(start = 1_700_000_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      t += ms;
    },
  };
}
