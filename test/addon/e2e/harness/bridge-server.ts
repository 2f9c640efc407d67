/**
 * A small HTTP server on 127.0.0.1 that serves the built sidebar (with the google.script.run shim) and
 * answers the shim's POST /run by calling a server function. Values are JSON both ways, as in Apps Script.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertJsonSafe } from './json-safe';
import { injectScriptRunShim } from './script-run-shim';

export type ServerCall = (fn: string, args: unknown[]) => unknown;

export interface BridgeServer {
  url: string;
  /** Every call the sidebar made, in order. */
  calls: { fn: string; args: unknown[] }[];
  /** Holds replies until the returned release() is called, to observe the sidebar while a call runs. */
  hold(): () => void;
  close(): Promise<void>;
}

export async function startBridgeServer(sidebarHtml: string, call: ServerCall): Promise<BridgeServer> {
  const page = injectScriptRunShim(sidebarHtml);
  const calls: BridgeServer['calls'] = [];
  let gate: Promise<void> = Promise.resolve();

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/' || req.url === '/sidebar')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
      return;
    }
    if (req.method === 'POST' && req.url === '/run') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const reply = await answer(Buffer.concat(chunks).toString('utf8'));
        await gate;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply));
      });
      return;
    }
    res.writeHead(404).end();
  });

  async function answer(
    body: string,
  ): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
    try {
      const { fn, args } = JSON.parse(body) as { fn: string; args: unknown[] };
      calls.push({ fn, args });
      const value = await call(fn, args);
      assertJsonSafe(value);
      return { ok: true, value };
    } catch (err) {
      // Errors from the vm context are not instanceof this realm's Error; read the message by shape.
      const message = (err as { message?: unknown })?.message;
      return { ok: false, message: typeof message === 'string' ? message : String(err) };
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    hold() {
      let release = () => {};
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => release();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
