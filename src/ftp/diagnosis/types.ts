/** The connection doctor's report: one row per step, then what to set. */
import { CertificateInfo, DataFailure } from '../errors';
import { SecureMode } from '../options';
import { DataMethod, TransferMode } from '../data/methods';
import { EncodingGuess } from '../encoding-guess';

export type DoctorStepId = 'resolve' | 'connect' | 'tls' | 'login' | 'feat' | 'list-epsv' | 'list-pasv' | 'list-eprt' | 'list-port';
export type DoctorStatus = 'ok' | 'warning' | 'failed' | 'skipped';

export interface DoctorStep {
  id: DoctorStepId;
  title: string;
  /** Commands sent in this step, passwords masked. */
  sent: string[];
  /** The server's reply lines, joined by newlines. */
  reply: string;
  ms: number;
  status: DoctorStatus;
  /** What happened and what to do, in plain words. */
  verdict: string;
  /** Listing steps: the data method tried, and how it failed. */
  method?: DataMethod;
  failure?: DataFailure;
  /** The PASV step when the 227 address differs from the control connection's. */
  pasvAddress?: { advertised: string; control: string; trusted: boolean; controlAddressWorks?: boolean };
  /** The TLS step: the server's certificate, also when it was refused. */
  certificate?: CertificateInfo;
  /**
   * An active step whose data port (from active.portRange) was below 1024 and failed: whether the
   * same listing with a port the system picks (1024 up) worked, so the advice is tested.
   */
  privilegedPort?: { port: number; otherPortWorks: boolean };
  /** The first listing step that got names: whether they read cleanly in the site's encoding, and which encoding reads them. */
  encoding?: EncodingGuess;
  /**
   * The FEAT step of a plain-FTP site whose server lists AUTH TLS: what AUTH TLS got on a connection
   * of its own (234: `accepted`; refused: `refused`); unset when that could not be told.
   */
  authTls?: 'accepted' | 'refused';
}

/** Keys as in the site settings `ftpWorkspace.sites.<name>`, so a UI can write them as they are. */
export interface RecommendedSettings {
  transferMode: TransferMode;
  passive?: { epsvFirst?: boolean; trustPasvAddress?: boolean };
  active?: { bindAddress?: string; portRange?: [number, number]; externalAddress?: string; eprtFirst?: boolean };
  /** The name encoding, when the names listed read cleanly in this one and not in the site's. */
  encoding?: string;
}

export interface DoctorRecommendation {
  transferMode: TransferMode;
  settings: RecommendedSettings;
  summary: string;
}

export interface DoctorReport {
  host: string;
  port: number;
  secure: SecureMode;
  user: string;
  startedAt: string;
  ms: number;
  steps: DoctorStep[];
  /** The server's certificate when there was TLS (trusted or not). */
  certificate?: CertificateInfo;
  recommendation: DoctorRecommendation;
}

export interface DiagnoseOptions {
  signal?: AbortSignal;
  /** Upper bound of each step (connect, reply and data timeouts are capped by it); default 10 s. */
  stepTimeoutMs?: number;
  /** Called as each step ends, for a report that fills in live. */
  onStep?: (step: DoctorStep) => void;
}
