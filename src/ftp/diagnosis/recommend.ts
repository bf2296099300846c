/**
 * From the listing steps to the settings to use. Only what the steps showed is recommended; the
 * active block repeats the configured bind address, port range and external address, so writing
 * it over the site's `active` object keeps them.
 */
import { ResolvedOptions } from '../options';
import { DataMethod, TransferMode } from '../data/methods';
import { DoctorRecommendation, DoctorStep, RecommendedSettings } from './types';

export function recommend(steps: readonly DoctorStep[], o: ResolvedOptions): DoctorRecommendation {
  const step = (m: DataMethod) => steps.find((s) => s.method === m);
  const works = (m: DataMethod) => {
    const s = step(m);
    return !!s && (s.status === 'ok' || s.status === 'warning' || s.pasvAddress?.controlAddressWorks === true || s.privilegedPort?.otherPortWorks === true);
  };
  // The listing step that judged the names: a misfit is a warning, whose verdict the notes below carry.
  const names = steps.find((s) => s.encoding);
  const encoding = names?.encoding && !names.encoding.fits ? names.encoding.suggested : undefined;
  const dataSteps = steps.filter((s) => s.method && s.status !== 'skipped');
  if (!dataSteps.length) {
    const failed = steps.find((s) => s.status === 'failed');
    return {
      transferMode: o.transferMode,
      settings: { transferMode: o.transferMode, ...(encoding ? { encoding } : {}) },
      summary: `The data connections could not be checked${failed ? ` (a step before them failed). ${failed.verdict}` : '.'}`,
    };
  }
  const passiveOk = works('epsv') || works('pasv');
  const activeOk = works('eprt') || works('port');
  const transferMode: TransferMode = passiveOk && activeOk ? 'auto' : passiveOk ? 'passive' : activeOk ? 'active' : o.transferMode;
  const settings: RecommendedSettings = { transferMode };
  if (passiveOk) {
    // A trusted 227 address is kept only if it worked.
    settings.passive = { epsvFirst: works('epsv') || !works('pasv'), trustPasvAddress: o.trustPasvAddress && step('pasv')?.failure !== 'unroutableAddress' };
  }
  if (activeOk) {
    const { bindAddress, externalAddress } = o.active;
    // A range the server refuses (ports below 1024) is dropped: the system then picks ports from 1024 up.
    const privileged = steps.some((s) => s.privilegedPort?.otherPortWorks);
    const portRange = privileged ? undefined : o.active.portRange;
    settings.active = {
      ...(bindAddress ? { bindAddress } : {}), ...(portRange ? { portRange } : {}), ...(externalAddress ? { externalAddress } : {}),
      eprtFirst: works('eprt') || !works('port'),
    };
  }

  const lastFailure = (mode: 'passive' | 'active') =>
    [...dataSteps].reverse().find((s) => s.status === 'failed' && (mode === 'passive' ? s.method === 'epsv' || s.method === 'pasv' : s.method === 'eprt' || s.method === 'port'))?.verdict;
  // Problems that don't decide the mode but need a word: a PASV address that is wrong, trusted or not.
  const notes = dataSteps.filter((s) => s.status === 'warning' || s.failure === 'unroutableAddress').map((s) => ` Note: ${s.verdict}`).join('');
  let summary: string;
  if (passiveOk && activeOk) summary = 'Passive and active mode both work: automatic mode (passive first, active as fallback) is right for this server.';
  else if (passiveOk) summary = `Use passive mode: active mode fails. ${lastFailure('active') ?? ''}`.trim();
  else if (activeOk) summary = `Use active mode: passive mode fails. ${lastFailure('passive') ?? ''}`.trim();
  else summary = `Neither passive nor active mode works. ${lastFailure('passive') ?? ''} ${lastFailure('active') ?? ''}`.trim();
  if (encoding) settings.encoding = encoding;
  return { transferMode, settings, summary: summary + notes };
}
