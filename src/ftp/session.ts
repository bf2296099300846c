/**
 * Opening a logged-in control connection: TCP or implicit TLS, greeting, AUTH TLS, USER/PASS/ACCT,
 * PBSZ/PROT, FEAT, SYST, OPTS UTF8, TYPE I, PWD.
 */
import { ControlConnection } from './control';
import { FtpError, errorFromReply } from './errors';
import { TextCodec } from './encoding';
import { ResolvedOptions } from './options';
import { Reply, isPositiveCompletion, replyText } from './reply';
import { connectTcp, startTls } from './sockets';

export interface Session {
  control: ControlConnection;
  /** FEAT lines by upper-case name, e.g. "MLST" -> "type*;size*;modify*;", "EPSV" -> "". */
  features: Map<string, string>;
  system?: string;
  greeting: string;
  /** Directory after login (PWD). */
  home: string;
  /** Whether PWD said it: else "/" is a guess (PWD refused, or no path in its reply). */
  homeSaid: boolean;
}

/** The login folder from PWD's reply; "/" (a guess) when it said none. */
function homeFrom(pwd: Reply): { home: string; homeSaid: boolean } {
  const said = isPositiveCompletion(pwd.code) ? parsePwd(pwd.message) : undefined;
  return said ? { home: said, homeSaid: true } : { home: '/', homeSaid: false };
}

export function parseFeatures(reply: Reply): Map<string, string> {
  const features = new Map<string, string>();
  if (!isPositiveCompletion(reply.code)) return features;
  for (const line of reply.lines.slice(1, -1)) {
    const m = /^\s*([A-Za-z0-9][\w.-]*)(?:\s+(.*))?$/.exec(line);
    if (m) features.set(m[1].toUpperCase(), (m[2] ?? '').trim());
  }
  return features;
}

/** The directory in a 257 reply: "/a b" in `257 "/a ""q"" b" is current`, with doubled quotes undone. */
export function parsePwd(message: string): string | undefined {
  const m = /"((?:[^"]|"")*)"/.exec(message);
  return m ? m[1].replace(/""/g, '"') : undefined;
}

/**
 * What a pool's first connection learnt of the server, for its later ones (FtpPool): FEAT and SYST
 * are not asked again, and the rest of the setup goes in one write. Only where the server was seen
 * answering commands sent together (ServerHabits.pipelining).
 */
export interface KnownServer {
  features: ReadonlyMap<string, string>;
  system?: string;
  /** Told when the setup sent together failed: the pool's next connection sets up one command at a time. */
  failed(): void;
}

/**
 * Connects and logs in. `signal` cancels at any stage: connect, TLS, greeting, login. `known`: the
 * setup after the login is one round trip instead of five (seven with TLS): at 50 ms RTT, a folder
 * upload's second connection sent its first file 200 ms sooner.
 */
export async function openSession(o: ResolvedOptions, codec: TextCodec, signal?: AbortSignal, known?: KnownServer): Promise<Session> {
  const { timeouts } = o;
  const where = `${o.host}:${o.port}`;
  const socket = o.secure === 'implicit'
    ? await startTls({ host: o.host, port: o.port, settings: o.tls, timeoutMs: timeouts.connectMs, what: `Implicit FTPS connection to ${where}`, signal })
    : await connectTcp(o.host, o.port, timeouts.connectMs, `Connection to ${where}`, signal);
  const control = new ControlConnection(socket, o.host, codec, o.log, timeouts.replyMs, o.replyLimits);
  const onAbort = () => control.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  try {
    const greeting = await readGreeting(control, timeouts.connectMs);
    if (o.secure === 'explicit') await startExplicitTls(control, o);
    await login(control, o);
    if (known) {
      let home: { home: string; homeSaid: boolean };
      try {
        home = await setUpTogether(control, codec, known.features);
      } catch (e) {
        if (!signal?.aborted) known.failed(); // a Cancel says nothing of the server
        throw e;
      }
      return { control, features: new Map(known.features), system: known.system, greeting: replyText(greeting), ...home };
    }
    await protectData(control);
    const features = parseFeatures(await control.request('FEAT'));
    let system: string | undefined;
    const syst = await control.request('SYST');
    if (isPositiveCompletion(syst.code)) system = syst.message;
    if (codec.isUtf8 && features.has('UTF8')) await control.request('OPTS UTF8 ON'); // refusal is harmless
    await control.expect('TYPE I');
    return { control, features, system, greeting: replyText(greeting), ...homeFrom(await control.request('PWD')) };
  } catch (e) {
    control.destroy();
    if (signal?.aborted) throw new FtpError('aborted', `Connecting to ${where} was cancelled.`);
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** PBSZ/PROT, OPTS UTF8, TYPE I and PWD in one write, each answered as openSession requires; the home folder. */
async function setUpTogether(control: ControlConnection, codec: TextCodec, features: ReadonlyMap<string, string>): Promise<{ home: string; homeSaid: boolean }> {
  const commands = [...(control.isTls ? ['PBSZ 0', 'PROT P'] : []), ...(codec.isUtf8 && features.has('UTF8') ? ['OPTS UTF8 ON'] : []), 'TYPE I', 'PWD'];
  const replies = await control.requestTogether(commands);
  commands.forEach((command, i) => {
    // OPTS UTF8's refusal is harmless, and PWD's leaves the home at "/" (as in openSession).
    if (command !== 'OPTS UTF8 ON' && command !== 'PWD' && !isPositiveCompletion(replies[i].code)) throw errorFromReply(replies[i].code, replies[i].message, command);
  });
  return homeFrom(replies[replies.length - 1]);
}

// The steps below are exported one by one for the connection doctor, which reports each on its own.

/** The 220 greeting (after any 120 "ready in n minutes"). */
export async function readGreeting(control: ControlConnection, timeoutMs: number): Promise<Reply> {
  let greeting = await control.read(timeoutMs);
  while (greeting.code >= 100 && greeting.code < 200) greeting = await control.read(timeoutMs);
  if (greeting.code !== 220) throw errorFromReply(greeting.code, replyText(greeting));
  return greeting;
}

/** AUTH TLS and the handshake on the control connection. */
export async function startExplicitTls(control: ControlConnection, o: ResolvedOptions): Promise<void> {
  const auth = await control.request('AUTH TLS');
  if (auth.code !== 234 && auth.code !== 334) {
    throw new FtpError('tls', `The server does not offer explicit FTPS (AUTH TLS answered ${auth.code} ${auth.message}). Use plain FTP or implicit FTPS for this site.`, { code: auth.code, replyText: auth.message, fatal: true });
  }
  await control.upgradeToTls(o.tls, o.timeouts.connectMs);
}

/** On a TLS control connection, data connections are protected too (PBSZ 0, PROT P). */
export async function protectData(control: ControlConnection): Promise<void> {
  if (!control.isTls) return;
  await control.expect('PBSZ 0');
  await control.expect('PROT P');
}

export async function login(control: ControlConnection, o: ResolvedOptions): Promise<void> {
  const refused = (r: Reply) =>
    new FtpError('loginRefused', `The server refused the login for user "${o.user}": ${r.code} ${r.message}`, { code: r.code, replyText: r.message, fatal: true });
  let reply = await control.request(`USER ${o.user}`);
  if (reply.code === 331) reply = await control.request(`PASS ${o.password}`);
  if (reply.code === 332) {
    if (o.account === undefined) throw new FtpError('loginRefused', `The server asks for an account (ACCT) for user "${o.user}", and none is set.`, { code: 332, replyText: reply.message, fatal: true });
    reply = await control.request(`ACCT ${o.account}`);
  }
  if (reply.code === 230 || reply.code === 202) return;
  if (reply.code === 530 || reply.code === 430 || reply.code === 331) throw refused(reply);
  throw errorFromReply(reply.code, reply.message, 'USER/PASS');
}
