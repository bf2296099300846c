// ftp-srv test server, run as its own node process by ftpsrv.ts (so it can live in a network
// namespace and never shares the test's event loop). Argument: JSON with host, ports, root, user,
// password, passive range and switches. Prints nothing; errors go to stderr.
import { readFileSync } from 'node:fs';
import ftpsrv from 'ftp-srv';
import bunyan from 'bunyan';

const o = JSON.parse(process.argv[2]);
const log = bunyan.createLogger({ name: 'ftp-srv', level: process.env.FTPSRV_LOG_LEVEL || 'fatal' });
const tls = o.certFile ? { cert: readFileSync(o.certFile), key: readFileSync(o.keyFile) } : false;

function make(url, pasv) {
  const server = new ftpsrv.FtpSrv({
    url,
    // A string pasv_url is ignored for clients on a local address (they get their own address
    // back); a function is always used.
    pasv_url: o.passiveAddress ? () => o.passiveAddress : o.host,
    pasv_min: pasv[0],
    pasv_max: pasv[1],
    anonymous: !!o.anonymous,
    greeting: ['ftp-srv test server'],
    // ftp-srv answers a blacklisted command with 502: the closest it has to "disabled".
    blacklist: [...(o.passive === false ? ['PASV', 'EPSV'] : []), ...(o.active === false ? ['PORT', 'EPRT'] : [])],
    tls,
    log,
  });
  server.on('login', ({ username, password }, resolve, reject) => {
    if (username === o.user && password === o.password) resolve({ root: o.root });
    else if (o.anonymous && username === 'anonymous') resolve({ root: o.root });
    else reject(new Error('Bad user or password'));
  });
  // Off unless asked: ftp-srv as it comes leaves Nagle's algorithm on (its replies wait; see test/integration/held-replies.test.ts).
  if (o.noDelay) server.server.on('connection', (socket) => socket.setNoDelay(true));
  server.on('client-error', ({ error }) => {
    if (process.env.FTPSRV_LOG_LEVEL) process.stderr.write(`client-error: ${error?.stack || error}\n`);
  });
  return server;
}

const servers = [make(`ftp://${o.host}:${o.port}`, o.pasv)];
if (tls && o.implicitPort) servers.push(make(`ftps://${o.host}:${o.implicitPort}`, o.pasvImplicit));
await Promise.all(servers.map((s) => s.listen()));
// ftp-srv's own SIGTERM handler closes its connections and exits.
