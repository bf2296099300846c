"""pyftpdlib test server for FTP Workspace's tests (plain FTP). Run with Debian's /usr/bin/python3."""
import argparse
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

p = argparse.ArgumentParser()
p.add_argument('--host', default='127.0.0.1')
p.add_argument('--port', type=int, required=True)
p.add_argument('--root', required=True)
p.add_argument('--user', default='test')
p.add_argument('--password', default='test')
p.add_argument('--passive-ports', default='')
p.add_argument('--masquerade', default='')
p.add_argument('--no-passive', action='store_true')
p.add_argument('--no-active', action='store_true')
p.add_argument('--anonymous', action='store_true')
p.add_argument('--max-per-ip', type=int, default=0)
a = p.parse_args()

auth = DummyAuthorizer()
auth.add_user(a.user, a.password, a.root, perm='elradfmwMT')
if a.anonymous:
    auth.add_anonymous(a.root)


class Handler(FTPHandler):
    authorizer = auth
    banner = 'pyftpdlib test server ready'
    permit_foreign_addresses = False

    def refuse(self, line):
        self.respond('502 Command disabled on this test server.')


if a.passive_ports:
    lo, hi = a.passive_ports.split('-')
    Handler.passive_ports = range(int(lo), int(hi) + 1)
if a.masquerade:
    Handler.masquerade_address = a.masquerade
if a.no_passive:
    Handler.ftp_PASV = Handler.refuse
    Handler.ftp_EPSV = Handler.refuse
if a.no_active:
    Handler.ftp_PORT = Handler.refuse
    Handler.ftp_EPRT = Handler.refuse

server = FTPServer((a.host, a.port), Handler)
server.max_cons_per_ip = a.max_per_ip  # 0: no limit
server.serve_forever()
