// The client's only seam to the network. src/ opens no sockets: a websocket adapter
// (emulator/ws-transport.ts) or a test double implements this.

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

export interface Transport {
  /** Send one binary frame. */
  send(frame: Uint8Array): void;
  /** Register the frame handler (called once, by the client). */
  onFrame(fn: (frame: Uint8Array) => void): void;
  /** Register the close handler (called once, by the client). */
  onClose(fn: (info: CloseInfo) => void): void;
  /** Close the connection; resolves once it is closed. */
  close(): Promise<void>;
}
