/**
 * A pause between attempts that a cancel ends at once: the pool's backoff while a server is down,
 * the waits before asking again for a data port (a 425) or on a new connection.
 */
import { FtpError } from './errors';

/** Resolves after `ms`; rejects with an 'aborted' FtpError saying `message` as soon as `signal` is (or is already) aborted. */
export function sleep(ms: number, signal?: AbortSignal, message = 'Cancelled.'): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new FtpError('aborted', message));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
