/**
 * The parts of the protocol engine that connect and move files, as the extension uses them: loaded
 * by engine.ts when first needed, bundled apart as dist/engine.js (scripts/build.mjs).
 */
export { FtpPool } from '../ftp/pool';
export { FtpClient } from '../ftp/client';
export { safeSave, tempName } from '../ftp/save';
export { planTree, removeTree } from '../ftp/tree';
