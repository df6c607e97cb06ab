#!/usr/bin/python3
"""Test harness for the http suite: a real nginx (HTTP, HTTPS with HTTP/2, a self-signed
certificate made by openssl) and a small Python backend for what static files cannot do
(echo, slow answers, trickled bodies, basic auth, status codes), all on loopback.

    harness.py --nethost build/bin/nethost --port P SCRIPT.lua [args...]

Starts the servers, runs `nethost run SCRIPT.lua -- <env>` with their addresses in the
environment (NH_HTTP, NH_HTTPS, NH_BACKEND, NH_CA, NH_DIR), stops the servers, and exits
with nethost's status. Ports P (http), P+1 (https), P+2 (backend), P+3 (https requiring a client certificate:
NH_MTLS, with NH_DIR/client.pem and client-key.pem) are used, or the next free four above P.
Also usable as a library (start_servers) by the benchmark.
"""
import argparse
import base64
import ctypes
import http.server
import json
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time


NGINX_CONF = """
{user}
daemon off;
worker_processes {workers};
pid {d}/nginx.pid;
error_log {d}/error.log warn;
worker_rlimit_nofile 20000;
events {{ worker_connections 16000; multi_accept on; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  client_body_temp_path {d}/tmp_body;
  proxy_temp_path {d}/tmp_proxy;
  fastcgi_temp_path {d}/tmp_fcgi;
  uwsgi_temp_path {d}/tmp_uwsgi;
  scgi_temp_path {d}/tmp_scgi;
  default_type application/octet-stream;
  types {{ application/json json; text/plain txt; }}
  server {{
    listen {addr}:{port} reuseport backlog=4096;
    listen {addr}:{tls_port} ssl http2 backlog=4096;
    ssl_certificate {d}/cert.pem;
    ssl_certificate_key {d}/key.pem;
    root {d}/www;
    location = /redirect {{ return 302 /small.txt; }}
    location = /redirect-loop {{ return 302 /redirect-loop; }}
    location = /missing {{ return 404 "not here\\n"; }}
    location = /headers {{ add_header X-Multi one; add_header X-Multi two; return 200 "h\\n"; }}
  }}
  server {{
    listen {addr}:{mtls_port} ssl;
    ssl_certificate {d}/cert.pem;
    ssl_certificate_key {d}/key.pem;
    ssl_client_certificate {d}/client.pem;
    ssl_verify_client on;
    root {d}/www;
  }}
}}
"""


class Backend(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_body(self, status, body, ctype="application/json", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        if path == "/echo":
            doc = {"method": self.command, "path": path, "query": query,
                   "headers": {k.lower(): v for k, v in self.headers.items()},
                   "body": body.decode("utf-8", "replace")}
            self.send_body(200, json.dumps(doc).encode())
        elif path.startswith("/status/"):
            code = int(path.split("/")[2])
            self.send_body(code, json.dumps({"status": code}).encode())
        elif path == "/slow":
            time.sleep(float(query.split("=")[1]) if "=" in query else 2.0)
            self.send_body(200, b'{"slow": true}')
        elif path == "/trickle":
            # 100 bytes, one every 0.1 s: a deadline of 1 s ends it mid-body.
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
        elif path == "/auth":
            want = "Basic " + base64.b64encode(b"admin:s3cret").decode()
            if self.headers.get("Authorization") == want:
                self.send_body(200, b'{"auth": "ok"}')
            else:
                self.send_body(401, b'{"auth": "denied"}',
                               extra={"WWW-Authenticate": 'Basic realm="lab"'})
        elif path == "/bearer":
            ok = self.headers.get("Authorization") == "Bearer tok-123"
            self.send_body(200 if ok else 401, json.dumps({"ok": ok}).encode())
        else:
            self.send_body(404, b'{"error": "no such path"}')

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


class ThreadedServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def handle_error(self, request, client_address):
        pass  # clients that time out or cancel close early: expected here


def wait_port(addr, port, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection((addr, port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def make_files(d, ips=("127.0.0.1",)):
    www = os.path.join(d, "www")
    os.makedirs(www)
    for t in ("tmp_body", "tmp_proxy", "tmp_fcgi", "tmp_uwsgi", "tmp_scgi"):
        os.makedirs(os.path.join(d, t))
    with open(os.path.join(www, "small.txt"), "w") as f:
        f.write("hello from nginx\n")
    with open(os.path.join(www, "data.json"), "w") as f:
        json.dump({"name": "sw-1", "ports": [1, 2, 3], "empty_list": [], "empty_obj": {},
                   "nested": {"ok": True, "none": None}}, f)
    with open(os.path.join(www, "big.bin"), "wb") as f:
        f.write(os.urandom(5 * 1024 * 1024))
    with open(os.path.join(www, "1k.txt"), "w") as f:
        f.write("x" * 1024)
    san = ",".join(["DNS:localhost"] + ["IP:" + ip for ip in ips])
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=" + san,
                    "-keyout", os.path.join(d, "key.pem"), "-out", os.path.join(d, "cert.pem")],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # A client certificate for mutual TLS (self-signed: nginx trusts exactly it).
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=nethost-test-client",
                    "-keyout", os.path.join(d, "client-key.pem"),
                    "-out", os.path.join(d, "client.pem")],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def die_with_parent():
    """nginx must not outlive the harness (a test killed on timeout leaves no server)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def port_free(addr, port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((addr, port))
            return True
        except OSError:
            return False


def pick_port(addr, want):
    """want .. P+3 when all four are free (another program may hold them: the machine is
    shared); else four consecutive free ports found by scanning upwards."""
    port = want
    while port < 65000:
        if all(port_free(addr, port + i) for i in range(4)):
            return port
        port += 4
    raise RuntimeError("no free ports")


def start_servers(port, addr="127.0.0.1", workers=1, backend=True):
    """Returns (tmpdir, nginx Popen, backend server or None, port actually used)."""
    d = tempfile.mkdtemp(prefix="nethost-http-")
    os.chmod(d, 0o755)
    make_files(d, (addr,))
    for _attempt in range(5):
        port = pick_port(addr, port)
        conf = NGINX_CONF.format(d=d, addr=addr, port=port, tls_port=port + 1, mtls_port=port + 3,
                                 workers=workers,
                                 user="user root root;" if os.geteuid() == 0 else "")
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(conf)
        nginx = subprocess.Popen(["/usr/sbin/nginx", "-p", d, "-c", os.path.join(d, "nginx.conf"),
                                  "-e", os.path.join(d, "error.log")], preexec_fn=die_with_parent)
        srv = None
        try:
            if backend:
                srv = ThreadedServer((addr, port + 2), Backend)
                threading.Thread(target=srv.serve_forever, daemon=True).start()
            if nginx.poll() is None and wait_port(addr, port) and wait_port(addr, port + 1) \
                    and wait_port(addr, port + 3):
                return d, nginx, srv, port
        except OSError:
            pass
        # Lost a race for the ports: stop what started and try further up.
        stop_servers(None, nginx, srv)
        port += 4
    with open(os.path.join(d, "error.log")) as f:
        sys.stderr.write(f.read())
    shutil.rmtree(d, ignore_errors=True)
    raise RuntimeError("nginx did not start")


def stop_servers(d, nginx, srv):
    if srv:
        srv.shutdown()
        srv.server_close()
    if nginx.poll() is None:
        nginx.send_signal(signal.SIGTERM)
    try:
        nginx.wait(5)
    except subprocess.TimeoutExpired:
        nginx.kill()
        nginx.wait()
    if d:
        shutil.rmtree(d, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nethost", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("script")
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    if not os.path.exists("/usr/sbin/nginx") or not shutil.which("openssl"):
        print("SKIP: nginx or openssl missing (apt-get install nginx-light openssl)")
        return 77
    d, nginx, srv, port = start_servers(a.port, a.addr)
    try:
        env = dict(os.environ)
        env.update(NH_HTTP="http://%s:%d" % (a.addr, port),
                   NH_HTTPS="https://%s:%d" % (a.addr, port + 1),
                   NH_BACKEND="http://%s:%d" % (a.addr, port + 2),
                   NH_MTLS="https://%s:%d" % (a.addr, port + 3),
                   NH_CA=os.path.join(d, "cert.pem"), NH_DIR=d)
        proc = subprocess.run([a.nethost, "run", a.script, "--"] + a.args, env=env, timeout=120)
        return proc.returncode
    finally:
        stop_servers(d, nginx, srv)


if __name__ == "__main__":
    sys.exit(main())
