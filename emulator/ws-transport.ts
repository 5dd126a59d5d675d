// The websocket Transport for the typed client, and connect(url, {token}).

import WebSocket from 'ws';
import { CxlemuClient } from '../src/client/client.js';
import type { CloseInfo, Transport } from '../src/client/transport.js';

export interface ConnectOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Give up on the handshake after this long (ms). Default 10 s. */
  readonly timeoutMs?: number;
}

export class WsTransport implements Transport {
  private frameFn: (f: Uint8Array) => void = () => undefined;
  private closeFn: (i: CloseInfo) => void = () => undefined;

  constructor(private readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      this.frameFn(Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data);
    });
    ws.on('close', (code, reason) => this.closeFn({ code, reason: reason.toString() }));
  }

  send(frame: Uint8Array): void {
    this.ws.send(frame);
  }

  onFrame(fn: (f: Uint8Array) => void): void {
    this.frameFn = fn;
  }

  onClose(fn: (i: CloseInfo) => void): void {
    this.closeFn = fn;
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close(1000, 'client closing');
    });
  }
}

/** Open a websocket to a cxlemu server and wrap it in a typed client. */
export async function connect(url: string, opts: ConnectOptions = {}): Promise<CxlemuClient> {
  const ws = new WebSocket(url, {
    ...(opts.token ? { headers: { authorization: `Bearer ${opts.token}` } } : {}),
    handshakeTimeout: opts.timeoutMs ?? 10_000,
  });
  return clientFor(ws);
}

/** Wrap an already-created (possibly still connecting) socket, e.g. one from app.injectWS. */
export async function clientFor(ws: WebSocket): Promise<CxlemuClient> {
  if (ws.readyState === WebSocket.CONNECTING) {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`websocket handshake refused: HTTP ${res.statusCode}`)));
    });
  }
  return new CxlemuClient(new WsTransport(ws));
}
