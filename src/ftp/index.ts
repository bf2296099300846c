/** FTP Workspace's protocol engine: a Node library, independent of VS Code. */
export { FtpClient, TransferOptions, UploadOptions, UploadSource } from './client';
export { joinPath, parentPath, baseName } from './paths';
export { FtpPool, PoolOptions, RunOptions } from './pool';
export { ConnectOptions, SecureMode, ListCommand, Timeouts, DEFAULT_TIMEOUTS } from './options';
export { FtpError, FtpErrorKind, DataFailure, CertificateInfo, isFtpError } from './errors';
export { LogSink, LogEvent, maskCommand } from './log';
export { Reply } from './reply';
export { TlsSettings } from './sockets';
export { ActiveSettings } from './data/active';
export { TransferMode, DataMethod, DEFAULT_METHOD_ORDER, ModeMemory, MethodAttempt, FallbackEvent, modeOfMethod } from './data/methods';
export { FileEntry, EntryType, ListingResult, UnparsedLine } from './listing/entry';
export { isNonPublicAddress } from './addresses';
export {
  diagnose, DEFAULT_STEP_TIMEOUT_MS, DiagnoseOptions, DoctorReport, DoctorStep, DoctorStepId, DoctorStatus, DoctorRecommendation, RecommendedSettings,
} from './doctor';
export { EncodingGuess, guessNameEncoding, encodingAdvice } from './encoding-guess';
export { describeName } from './encoding';
