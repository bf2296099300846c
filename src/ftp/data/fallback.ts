/**
 * Choosing the data method: the transfer mode decides which methods may be used, the site's
 * ModeMemory puts the one that worked first, and a data-connection failure moves on to the next.
 * A fixed mode never switches to the other mode; it only swaps EPSV/PASV or EPRT/PORT when the
 * server refuses the command itself. What one connection learns is shared at once: a connection
 * that is about to try a method another connection of the site is trying waits for that answer.
 */
import { FtpError } from '../errors';
import {
  DEFAULT_METHOD_ORDER, DataMethod, METHOD_COMMAND, MethodAttempt, ModeMemory, SIBLING_METHOD, TransferMode, isDataConnectionFailure, methodsForMode, modeOfMethod,
} from './methods';

export interface FallbackPlan {
  mode: TransferMode;
  order: readonly DataMethod[];
  ipv6: boolean;
  memory: ModeMemory;
  host: string;
}

/** A refused command, or a PASV address we were told to trust, says nothing about the sibling method. */
const condemnsMode = (a: Pick<MethodAttempt, 'failure'>) => a.failure !== 'refused' && a.failure !== 'unroutableAddress';

/** Runs attempt(method) until one works; the error after the last names every failure and what to do. */
export async function withDataFallback<T>(plan: FallbackPlan, attempt: (method: DataMethod) => Promise<T>, canRetry: () => boolean): Promise<T> {
  const allowed = methodsForMode(plan.mode, plan.order, plan.ipv6);
  const { memory } = plan;
  const failed: MethodAttempt[] = [];
  const failedModes = new Set<string>();
  /** Methods this run has tried, or learnt the failure of from another connection. */
  const done = new Set<DataMethod>();
  for (;;) {
    // Planned afresh each time: another connection may have learnt something meanwhile.
    // After a real data-connection failure in one mode the sibling method fails the same way: skip it.
    const method = memory.plan(allowed).find((m) => !done.has(m) && !failedModes.has(modeOfMethod(m)));
    if (!method) break;
    if (!memory.known(method)) {
      const pending = memory.pending(method);
      if (pending) {
        // Another connection is trying it now: its answer is ours too.
        const learnt = await pending;
        if (learnt && !learnt.ok) {
          done.add(method);
          failed.push(learnt);
          if (condemnsMode(learnt)) failedModes.add(modeOfMethod(method));
        }
        continue;
      }
    }
    done.add(method);
    const finish = memory.known(method) ? undefined : memory.beginProbe(method);
    try {
      const result = await attempt(method);
      memory.record({ method, ok: true });
      finish?.({ method, ok: true, at: new Date() });
      if (failed.length) memory.emitFallback({ method, failed });
      return result;
    } catch (e) {
      if (!isDataConnectionFailure(e)) {
        finish?.(undefined);
        throw e;
      }
      const a = { method, ok: false, failure: e.dataFailure, message: e.message, code: e.code };
      memory.record(a);
      const at = { ...a, at: new Date() };
      finish?.(at);
      failed.push(at);
      if (condemnsMode(a)) failedModes.add(modeOfMethod(method));
      if (!canRetry()) break;
    }
  }
  throw summarize(plan, allowed, failed);
}

/** The advice after every allowed method failed: a method left out by the settings is named first. */
function summarize(plan: FallbackPlan, allowed: readonly DataMethod[], failed: MethodAttempt[]): FtpError {
  const last = failed[failed.length - 1];
  const details = failed.map((f) => `${METHOD_COMMAND[f.method]}: ${f.message}`).join(' ');
  const attempts = failed.map((f) => ({ method: f.method, failure: f.failure, message: f.message, code: f.code }));
  // Methods of the tried modes that the configured order leaves out (a method forced alone).
  const possible = methodsForMode(plan.mode, DEFAULT_METHOD_ORDER, plan.ipv6);
  const leftOut = possible.filter((m) => !allowed.includes(m));
  const siblings = allowed.map((m) => SIBLING_METHOD[m]).filter((m, i, all) => leftOut.includes(m) && all.indexOf(m) === i);
  let advice: string;
  if (siblings.length) {
    const only = allowed.map((m) => METHOD_COMMAND[m]).join(' and ');
    const other = siblings.map((m) => `${METHOD_COMMAND[m]} (the other ${modeOfMethod(m)} method)`).join(' or ');
    const triedModes = new Set(allowed.map(modeOfMethod));
    const elsewhere = leftOut.filter((m) => !triedModes.has(modeOfMethod(m)));
    const otherMode = plan.mode !== 'auto'
      ? `, or ${plan.mode === 'passive' ? 'active' : 'passive'} mode`
      : elsewhere.length ? `, or ${modeOfMethod(elsewhere[0])} mode (${elsewhere.map((m) => METHOD_COMMAND[m]).join(', ')})` : '';
    advice = `${only} ${allowed.length > 1 ? 'are' : 'is'} the only data ${allowed.length > 1 ? 'methods' : 'method'} allowed for ${plan.host}, and ${allowed.length > 1 ? 'they' : 'it'} failed. Allow ${other} too${otherMode}.`;
  } else if (plan.mode === 'passive') advice = `Passive mode failed on ${plan.host}. Try active mode for this site.`;
  else if (plan.mode === 'active') advice = `Active mode failed on ${plan.host}. Try passive mode for this site, or check the active port range and external address.`;
  else advice = `Neither passive nor active mode could open a data connection to ${plan.host}.`;
  return new FtpError('dataConnection', `${advice} ${details}`.trim(), { dataFailure: last?.failure, method: last?.method, code: last?.code, attempts });
}
