// ftp-srv test server, run as its own process (so it can live in a network namespace and never
// shares the test's event loop). Arguments: JSON with host, port, root, user, password, pasv range.
import ftpsrv from 'ftp-srv';
import bunyan from 'bunyan';

const o = JSON.parse(process.argv[2]);
const log = bunyan.createLogger({ name: 'ftp-srv', level: 'fatal' });
const server = new ftpsrv.FtpSrv({
  url: `ftp://${o.host}:${o.port}`,
  pasv_url: o.passiveAddress || o.host,
  pasv_min: o.pasv[0],
  pasv_max: o.pasv[1],
  anonymous: !!o.anonymous,
  greeting: ['ftp-srv test server'],
  blacklist: [...(o.passive === false ? ['PASV', 'EPSV'] : []), ...(o.active === false ? ['PORT', 'EPRT'] : [])],
  log,
});
server.on('login', ({ username, password }, resolve, reject) => {
  if ((username === o.user && password === o.password) || (o.anonymous && username === 'anonymous')) resolve({ root: o.root });
  else reject(new Error('Bad user or password'));
});
server.on('client-error', () => undefined);
await server.listen();
process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
