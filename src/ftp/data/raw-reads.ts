/**
 * Data sockets that read into one reused buffer (net's `onread` option; TLS ones once connected).
 *
 * A socket that reads the usual way allocates a fresh 64 KiB buffer for every read; on the machines
 * measured, fresh memory costs a page fault per 4 KiB, and the allocations, not the network, capped a
 * loopback download at about half of lftp's speed (a test socket: 1.0 GB/s the usual way, 1.6-3.4
 * reading into a reused buffer). A reader that takes raw chunks (`setRawSink`) is handed a view of
 * the buffer and must copy what it keeps before it returns, or says where the next read goes (a
 * ReadTarget: receive-file.ts's staging buffers, which the disk writes take as they are); without
 * one, each chunk is copied into a buffer of its own and goes through the stream as on any socket
 * (listings, small files). Not into memory a download keeps: reading straight into fresh memory
 * cost more system time than copying into it here (a 256 MB download into memory: 440-490 ms of
 * CPU against 350-430).
 */
import * as net from 'node:net';
import type * as tls from 'node:tls';

const READ_BUFFER = 256 * 1024;
/** Copies for a reader of the stream: as big as a socket's own reads, so memory is used as before. */
const STREAM_CHUNK = 64 * 1024;
/** Read buffers kept between data connections (process-wide). */
const KEPT = 4;
const spare: Buffer[] = [];

/** Takes a chunk (valid only during the call); false pauses the socket until `resume()`. */
export type RawSink = (chunk: Buffer) => boolean;
/**
 * Where the socket's next read goes: room in a buffer of the sink's, which then finds the chunk it
 * is handed already in place (no copy), or undefined for the socket's own buffer (so is an empty
 * one). Asked after each read; the room must stay untouched until the next chunk comes.
 */
export type ReadTarget = () => Buffer | undefined;

const sinks = new WeakMap<net.Socket, RawSink | null>();
const targets = new WeakMap<net.Socket, ReadTarget>();

/**
 * A data connection with reads into a reused buffer; the socket behaves as any other until a raw sink
 * is set. Made as `net.connect` makes one, without calling it (why: sockets.ts directSocket).
 */
export function connectWithRawReads(host: string, port: number): net.Socket {
  return withRawReads((onread) => new net.Socket({ onread } as net.SocketConstructorOpts).connect({ host, port }));
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

/**
 * A TLS data connection, once its handshake is done, the same way. TLS decrypts a record (16 KiB at
 * most) at a time and hands each over as a new Buffer: at FTPS speeds, allocating them cost more
 * CPU than the decryption (a loopback TLS download: 540-820 ms of CPU for 512 MB that way, 250-430
 * into one reused buffer). Node's `tls.connect` takes `onread` only for a socket it connects itself,
 * not for one wrapped in TLS after the data command's reply; so the fields `onread` sets, which
 * every net.Socket has (`kBuffer`, `kBufferCb`, `kBufferGen`, null unless given), are set here, and the TLS
 * handle is told to read into the buffer. Where they can't be found (another Node), the socket reads
 * the usual way. Chunks the stream holds already come first (setRawSink).
 */
export function useRawReads(socket: tls.TLSSocket): tls.TLSSocket {
  const fields = socket as unknown as Record<symbol, unknown> & { _handle?: { useUserBuffer?: (b: Buffer) => void } | null };
  const keys = Object.getOwnPropertySymbols(socket);
  const kBuffer = keys.find((k) => k.description === 'kBuffer');
  const kBufferCb = keys.find((k) => k.description === 'kBufferCb');
  const kBufferGen = keys.find((k) => k.description === 'kBufferGen');
  const handle = fields._handle;
  if (!kBuffer || !kBufferCb || !kBufferGen || fields[kBuffer] !== null || fields[kBufferCb] !== null || fields[kBufferGen] !== null || typeof handle?.useUserBuffer !== 'function' || socket.destroyed || sinks.has(socket)) return socket;
  const read = reusedBuffer();
  read.attach(socket);
  fields[kBuffer] = read.buffer;
  fields[kBufferCb] = read.callback;
  fields[kBufferGen] = read.next;
  handle.useUserBuffer(read.buffer);
  return socket;
}

function withRawReads(create: (onread: net.OnReadOpts) => net.Socket): net.Socket {
  const read = reusedBuffer();
  // A function as `buffer`: Node asks it for the next read's buffer after each read (ReadTarget).
  const socket = create({ buffer: read.next, callback: read.callback } as unknown as net.OnReadOpts);
  read.attach(socket);
  return socket;
}

/** A reused read buffer, and what takes each read into it: the socket's raw sink, or copies through its stream. */
function reusedBuffer(): { buffer: Buffer; next: () => Buffer; callback: (n: number, into: Buffer) => boolean; attach(socket: net.Socket): void } {
  const buffer = spare.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER);
  let socket: net.Socket | undefined;
  return {
    buffer,
    next: () => {
      const room = socket && targets.get(socket)?.();
      return room && room.length > 0 ? room : buffer; // never an empty one: TLS would read 0 bytes for ever
    },
    attach: (s) => {
      socket = s;
      sinks.set(s, null);
      // Once closed the socket reads no more: the buffer can serve the next one.
      s.once('close', () => {
        if (spare.length < KEPT) spare.push(buffer);
      });
    },
    // `into`: the buffer this read went into (`next` chose it).
    callback: (n: number, into: Buffer): boolean => {
      const s = socket!;
      const sink = sinks.get(s);
      if (sink) return sink(into.subarray(0, n));
      // No raw reader: copies of their own, through the stream (false: over its high-water mark).
      let more = true;
      for (let at = 0; at < n; at += STREAM_CHUNK) more = s.push(Buffer.from(into.subarray(at, Math.min(n, at + STREAM_CHUNK))));
      return more;
    },
  };
}

/**
 * Hands the socket's chunks to `sink` from now on, after any the stream holds already (in order);
 * with a `target`, every read after the next one goes where it says. False when the socket doesn't
 * read into a reused buffer (TLS: use 'data').
 */
export function setRawSink(socket: net.Socket, sink: RawSink, target?: ReadTarget): boolean {
  if (!sinks.has(socket)) return false;
  for (let held: Buffer | null; (held = socket.read() as Buffer | null) !== null;) sink(held);
  sinks.set(socket, sink);
  if (target) targets.set(socket, target);
  return true;
}
