"""Python ftplib as a bench peer (run by test/bench/peers.ts): one job given as JSON in argv[1],
one JSON line out: {"ms": time of the measured step, "rssBase": ..., "rssPeak": ... (bytes)}.

The login (and any untimed preparation) comes first; only the step is timed. 256 KiB blocks.
FTPS: explicit (AUTH TLS, PBSZ 0, PROT P), verified against the test certificate; data
connections resume the control connection's TLS session (vsftpd and proftpd require it).
Peak RSS: /proc/self/status VmHWM after resetting it (clear_refs 5), as the Node worker does.
"""
import ftplib
import io
import json
import os
import ssl
import sys
import time

BLOCK = 256 * 1024


class ReusedSessionFTP_TLS(ftplib.FTP_TLS):
    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size


def status(field):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak():
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass


def main():
    job = json.loads(sys.argv[1])
    if job.get('secure') == 'explicit':
        ctx = ssl.create_default_context(cafile=job['caFile'])
        ftp = ReusedSessionFTP_TLS(context=ctx)
    else:
        ftp = ftplib.FTP()
    ftp.connect(job['host'], job['port'], timeout=60)
    ftp.login(job['user'], job['password'])
    if job.get('secure') == 'explicit':
        ftp.prot_p()
    ftp.set_pasv(job.get('mode', 'passive') == 'passive')
    ftp.voidcmd('TYPE I')
    op = job['op']
    sink = None
    if op == 'upload-memory':
        with open(job['local'], 'rb') as f:
            sink = f.read()
    if op in ('open', 'save'):
        ftp.retrlines('LIST ' + job['dir'], lambda line: None)  # the listing the user saw; untimed
    if op == 'save':
        with open(job['local'], 'rb') as f:
            sink = f.read()
    rss_base = status('VmRSS')
    reset_peak()
    t = time.perf_counter()
    if op == 'download-file':
        with open(job['local'], 'wb') as f:
            ftp.retrbinary('RETR ' + job['remote'], f.write, BLOCK)
    elif op in ('download-memory', 'open'):
        buf = bytearray()
        ftp.retrbinary('RETR ' + job['remote'], buf.extend, BLOCK)
    elif op == 'upload-file':
        with open(job['local'], 'rb') as f:
            ftp.storbinary('STOR ' + job['remote'], f, BLOCK)
    elif op == 'upload-memory':
        ftp.storbinary('STOR ' + job['remote'], io.BytesIO(sink), BLOCK)
    elif op == 'save':
        temp = job['remote'] + '.ftplib.tmp'
        ftp.storbinary('STOR ' + temp, io.BytesIO(sink), BLOCK)
        ftp.rename(temp, job['remote'])
    else:
        raise SystemExit('unknown op ' + op)
    ms = (time.perf_counter() - t) * 1000
    peak = status('VmHWM')
    try:
        ftp.quit()
    except Exception:
        ftp.close()
    print(json.dumps({'ms': ms, 'rssBase': rss_base, 'rssPeak': peak}))


if __name__ == '__main__':
    main()
