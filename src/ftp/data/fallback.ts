/**
 * Choosing the data method: the transfer mode decides which methods may be used, the site's
 * ModeMemory puts the one that worked first, and a data-connection failure moves on to the next.
 * A fixed mode never switches to the other mode; it only swaps EPSV/PASV or EPRT/PORT when the
 * server refuses the command itself.
 */
import { FtpError } from '../errors';
import { DataMethod, METHOD_COMMAND, MethodAttempt, ModeMemory, TransferMode, isDataConnectionFailure, methodsForMode, modeOfMethod } from './methods';

export interface FallbackPlan {
  mode: TransferMode;
  order: readonly DataMethod[];
  ipv6: boolean;
  memory: ModeMemory;
  host: string;
}

/** Runs attempt(method) until one works; the error after the last names every failure and what to do. */
export async function withDataFallback<T>(plan: FallbackPlan, attempt: (method: DataMethod) => Promise<T>, canRetry: () => boolean): Promise<T> {
  const candidates = plan.memory.plan(methodsForMode(plan.mode, plan.order, plan.ipv6));
  const failed: MethodAttempt[] = [];
  const failedModes = new Set<string>();
  for (const method of candidates) {
    // After a real data-connection failure in one mode the sibling method fails the same way: skip it.
    if (failedModes.has(modeOfMethod(method))) continue;
    try {
      const result = await attempt(method);
      plan.memory.record({ method, ok: true });
      if (failed.length) plan.memory.emitFallback({ method, failed });
      return result;
    } catch (e) {
      if (!isDataConnectionFailure(e)) throw e;
      const a = { method, ok: false, failure: e.dataFailure, message: e.message, code: e.code };
      plan.memory.record(a);
      failed.push({ ...a, at: new Date() });
      // A refused command, or a PASV address we were told to trust, says nothing about the sibling method.
      if (e.dataFailure !== 'refused' && e.dataFailure !== 'unroutableAddress') failedModes.add(modeOfMethod(method));
      if (!canRetry()) break;
    }
  }
  throw summarize(plan, failed);
}

function summarize(plan: FallbackPlan, failed: MethodAttempt[]): FtpError {
  const last = failed[failed.length - 1];
  const details = failed.map((f) => `${METHOD_COMMAND[f.method]}: ${f.message}`).join(' ');
  const attempts = failed.map((f) => ({ method: f.method, failure: f.failure, message: f.message, code: f.code }));
  let advice: string;
  if (plan.mode === 'passive') advice = `Passive mode failed on ${plan.host}. Try active mode for this site.`;
  else if (plan.mode === 'active') advice = `Active mode failed on ${plan.host}. Try passive mode for this site, or check the active port range and external address.`;
  else advice = `Neither passive nor active mode could open a data connection to ${plan.host}.`;
  return new FtpError('dataConnection', `${advice} ${details}`.trim(), { dataFailure: last?.failure, method: last?.method, code: last?.code, attempts });
}
