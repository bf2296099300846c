/** The transfer mode as the user should read it: the setting, and in auto mode what it learnt. */
import { modeOfMethod } from '../ftp/data/methods';
import type { Connections } from '../fs/connections';
import { allSites, defaultTransferMode } from '../sites/config';

export function effectiveMode(connections: Connections, site: string): { text: string; method?: string } {
  const mode = allSites()[site]?.transferMode ?? defaultTransferMode();
  const working = connections.workingMethod(site);
  if (mode !== 'auto') return { text: mode, method: working?.toUpperCase() };
  return { text: working ? `auto: ${modeOfMethod(working)}` : 'auto', method: working?.toUpperCase() };
}
