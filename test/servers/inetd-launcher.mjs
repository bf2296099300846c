// An inetd for the test servers that only run that way (inetutils-ftpd, Debian's BSD ftpd): listens
// on one address and port and starts the daemon for each connection with the socket itself as its
// stdin and stdout, as inetd does (the daemon reads its own and its peer's address from it).
// Arguments: <host> <port> <maxPerIp, 0: none> -- <command> <args...>. Logs to stderr.
import net from 'node:net';
import { spawn } from 'node:child_process';

const [host, port, maxPerIp, dashes, command, ...args] = process.argv.slice(2);
if (dashes !== '--' || !command) {
  console.error('usage: inetd-launcher.mjs <host> <port> <maxPerIp> -- <command> <args...>');
  process.exit(2);
}
const limit = Number(maxPerIp);
const perIp = new Map();

const server = net.createServer({ pauseOnConnect: true }, (socket) => {
  const peer = socket.remoteAddress ?? '?';
  const open = perIp.get(peer) ?? 0;
  if (limit > 0 && open >= limit) {
    // As vsftpd and pure-ftpd do: a 421 instead of the greeting, then close.
    socket.end('421 There are too many connections from your internet address.\r\n');
    return;
  }
  perIp.set(peer, open + 1);
  let child;
  try {
    child = spawn(command, args, { stdio: [socket, socket, 'inherit'] });
  } catch (e) {
    console.error(`inetd: could not start ${command}: ${e}`);
    socket.destroy();
    perIp.set(peer, (perIp.get(peer) ?? 1) - 1);
    return;
  }
  // The child holds its own copy of the socket; ours is closed at once, so the session ends when the daemon's does.
  socket.destroy();
  child.on('error', (e) => console.error(`inetd: ${command}: ${e}`));
  child.on('exit', () => perIp.set(peer, (perIp.get(peer) ?? 1) - 1));
});
server.on('error', (e) => {
  console.error(`inetd: ${e.message}`);
  process.exit(1);
});
server.listen({ host, port: Number(port), exclusive: true }, () => console.error(`inetd: listening on ${host}:${port} for ${command}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
