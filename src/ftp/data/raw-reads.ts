/**
 * Plain (not TLS) data sockets that read into one reused buffer (net's `onread` option).
 *
 * A socket that reads the usual way allocates a fresh 64 KiB buffer for every read; on the machines
 * measured, fresh memory costs a page fault per 4 KiB, and the allocations, not the network, capped a
 * loopback download at about half of lftp's speed (a test socket: 1.0 GB/s the usual way, 1.6-3.4
 * reading into a reused buffer). A reader that takes raw chunks (`setRawSink`) is handed a view of
 * the buffer and must copy what it keeps before it returns; without one, each chunk is copied into
 * a buffer of its own and goes through the stream as on any socket (listings, small files).
 */
import * as net from 'node:net';

const READ_BUFFER = 256 * 1024;
/** Copies for a reader of the stream: as big as a socket's own reads, so memory is used as before. */
const STREAM_CHUNK = 64 * 1024;
/** Read buffers kept between data connections (process-wide). */
const KEPT = 4;
const spare: Buffer[] = [];

/** Takes a chunk (valid only during the call); false pauses the socket until `resume()`. */
export type RawSink = (chunk: Buffer) => boolean;

const sinks = new WeakMap<net.Socket, RawSink | null>();

/** net.connect with reads into a reused buffer; the socket behaves as any other until a raw sink is set. */
export function connectWithRawReads(host: string, port: number): net.Socket {
  return withRawReads((onread) => net.connect({ host, port, onread }));
}

/**
 * The same for a connection an active-mode listener accepted (created paused, `pauseOnConnect`, so it
 * has read nothing yet): Node gives an accepted socket no `onread`, so its handle moves to a new socket
 * that has one, as Node itself builds an accepted socket (the `handle` option). Where the handle
 * can't be reached (another Node), the socket is returned as it is and reads the usual way.
 */
export function adoptWithRawReads(accepted: net.Socket): net.Socket {
  const holder = accepted as unknown as { _handle?: { readStart?: unknown } | null };
  const handle = holder._handle;
  if (!handle || typeof handle.readStart !== 'function' || accepted.destroyed || accepted.readableLength > 0) return accepted;
  const socket = withRawReads((onread) => new net.Socket({ handle, onread, readable: true, writable: true } as net.SocketConstructorOpts));
  // The old socket lets go of the handle; destroying it then closes nothing but lets its server finish.
  holder._handle = null;
  accepted.destroy();
  return socket;
}

function withRawReads(create: (onread: net.OnReadOpts) => net.Socket): net.Socket {
  const buffer = spare.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER);
  const socket: net.Socket = create({
    buffer,
    callback: (n: number): boolean => {
      const sink = sinks.get(socket);
      if (sink) return sink(buffer.subarray(0, n));
      // No raw reader: copies of their own, through the stream (false: over its high-water mark).
      let more = true;
      for (let at = 0; at < n; at += STREAM_CHUNK) more = socket.push(Buffer.from(buffer.subarray(at, Math.min(n, at + STREAM_CHUNK))));
      return more;
    },
  });
  sinks.set(socket, null);
  // Once closed the socket reads no more: the buffer can serve the next one.
  socket.once('close', () => {
    if (spare.length < KEPT) spare.push(buffer);
  });
  return socket;
}

/**
 * Hands the socket's chunks to `sink` from now on, after any the stream holds already (in order);
 * false when the socket doesn't read into a reused buffer (TLS: use 'data').
 */
export function setRawSink(socket: net.Socket, sink: RawSink): boolean {
  if (!sinks.has(socket)) return false;
  for (let held: Buffer | null; (held = socket.read() as Buffer | null) !== null;) sink(held);
  sinks.set(socket, sink);
  return true;
}
