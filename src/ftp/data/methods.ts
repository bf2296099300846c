/**
 * Transfer modes and the four ways to open a data connection, and the memory of which one works
 * with a server (shared by all connections to one site).
 */
import { DataFailure, FtpError, isFtpError } from '../errors';

export type TransferMode = 'passive' | 'active' | 'auto';
export type DataMethod = 'epsv' | 'pasv' | 'eprt' | 'port';

export const DEFAULT_METHOD_ORDER: readonly DataMethod[] = ['epsv', 'pasv', 'eprt', 'port'];

export function isPassiveMethod(m: DataMethod): boolean {
  return m === 'epsv' || m === 'pasv';
}

export function modeOfMethod(m: DataMethod): 'passive' | 'active' {
  return isPassiveMethod(m) ? 'passive' : 'active';
}

export const METHOD_COMMAND: Record<DataMethod, string> = { epsv: 'EPSV', pasv: 'PASV', eprt: 'EPRT', port: 'PORT' };

/** The other method of the same mode: EPSV and PASV, EPRT and PORT. */
export const SIBLING_METHOD: Record<DataMethod, DataMethod> = { epsv: 'pasv', pasv: 'epsv', eprt: 'port', port: 'eprt' };

/** A method named in settings, in any case ("EPSV", "epsv", " Epsv "); undefined when it is none of the four. */
export function parseDataMethod(value: unknown): DataMethod | undefined {
  if (typeof value !== 'string') return undefined;
  const m = value.trim().toLowerCase();
  return m === 'epsv' || m === 'pasv' || m === 'eprt' || m === 'port' ? m : undefined;
}

/** A transfer mode named in settings, in any case; undefined when it is none of the three. */
export function parseTransferMode(value: unknown): TransferMode | undefined {
  if (typeof value !== 'string') return undefined;
  const m = value.trim().toLowerCase();
  return m === 'passive' || m === 'active' || m === 'auto' ? m : undefined;
}

/** The methods a mode may use, in the configured order. PASV and PORT carry IPv4 addresses only. */
export function methodsForMode(mode: TransferMode, order: readonly DataMethod[], ipv6: boolean): DataMethod[] {
  const unique = [...new Set(order.length ? order : DEFAULT_METHOD_ORDER)];
  return unique.filter((m) => (mode === 'auto' || modeOfMethod(m) === mode) && !(ipv6 && (m === 'pasv' || m === 'port')));
}

/** Failures after which another method may work. Anything else (550, a TLS error...) is the operation's own failure. */
export function isDataConnectionFailure(e: unknown): e is FtpError & { dataFailure: DataFailure } {
  return isFtpError(e) && e.dataFailure !== undefined;
}

export interface MethodAttempt {
  method: DataMethod;
  ok: boolean;
  failure?: DataFailure;
  /** The error's words, for notices and the doctor. */
  message?: string;
  code?: number;
  at: Date;
}

/** Emitted when a transfer succeeded with one method after others failed. */
export interface FallbackEvent {
  method: DataMethod;
  failed: MethodAttempt[];
}

/**
 * What works with one server, shared by every connection to it from the first one on: a refusal or
 * a success is known to all as soon as one connection learns it, and a connection about to try a
 * method another one is trying right now waits for that answer instead of paying for it again.
 */
export class ModeMemory {
  /** The method that worked last. */
  working?: DataMethod;
  /** Methods whose command the server refused (500/502...): not tried again. */
  readonly refused = new Set<DataMethod>();
  /** Recent attempts, newest last (bounded). */
  readonly history: MethodAttempt[] = [];
  private listeners: Array<(e: FallbackEvent) => void> = [];
  /** Methods a connection is trying now, with what it will have learnt (undefined: nothing about the method). */
  private readonly probes = new Map<DataMethod, Promise<MethodAttempt | undefined>>();

  /** Whether what `m` does here is known: it worked last, or the server refused it. */
  known(m: DataMethod): boolean {
    return this.working === m || this.refused.has(m);
  }

  /** Another connection's attempt of `m` in progress: resolves with what it learnt. */
  pending(m: DataMethod): Promise<MethodAttempt | undefined> | undefined {
    return this.probes.get(m);
  }

  /**
   * Marks `m` as being tried by one connection; call the returned function with the attempt (or
   * undefined when the transfer failed for another reason than the method) when it is over.
   */
  beginProbe(m: DataMethod): (learnt: MethodAttempt | undefined) => void {
    let finish!: (a: MethodAttempt | undefined) => void;
    const probe = new Promise<MethodAttempt | undefined>((resolve) => (finish = resolve));
    this.probes.set(m, probe);
    return (learnt) => {
      if (this.probes.get(m) === probe) this.probes.delete(m);
      finish(learnt);
    };
  }

  onFallback(listener: (e: FallbackEvent) => void): () => void {
    this.listeners.push(listener);
    return () => (this.listeners = this.listeners.filter((l) => l !== listener));
  }

  /** The order to try: the method that worked first, refused methods last. */
  plan(candidates: DataMethod[]): DataMethod[] {
    const first = this.working && candidates.includes(this.working) ? [this.working] : [];
    const rest = candidates.filter((m) => m !== this.working);
    return [...first, ...rest.filter((m) => !this.refused.has(m)), ...rest.filter((m) => this.refused.has(m))];
  }

  record(attempt: Omit<MethodAttempt, 'at'>): void {
    this.history.push({ ...attempt, at: new Date() });
    if (this.history.length > 50) this.history.shift();
    if (!attempt.ok && attempt.failure === 'refused') this.refused.add(attempt.method);
    if (attempt.ok) {
      this.refused.delete(attempt.method);
      this.working = attempt.method;
    } else if (this.working === attempt.method) {
      this.working = undefined;
    }
  }

  emitFallback(event: FallbackEvent): void {
    for (const l of this.listeners) l(event);
  }

  /** Forget everything (settings changed). */
  reset(): void {
    this.probes.clear();
    this.working = undefined;
    this.refused.clear();
    this.history.length = 0;
  }
}
