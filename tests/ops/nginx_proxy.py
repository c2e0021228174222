"""Debian's nginx running contrib/nginx/ifexnode-cache.conf in front of a node, for the cache test
and the cache benchmark (subclasses run another contrib file: tests/net/tls_proxy_test.py): its own prefix in a temporary directory (config, pid, logs, cache),
bound to 127.0.0.1 only, unprivileged (as `nobody` when the caller is root), stopped by PID.

The operator's file is used as it is, only its three lines marked EDIT are changed: each must
be found exactly once, so the file and the test cannot drift apart silently."""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

CONF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "contrib", "nginx",
                    "ifexnode-cache.conf")


def nginx_binary():
    """Debian's nginx; a clear failure (never a skip) when it is missing."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK)
                                      else None)
    if not found:
        raise AssertionError("nginx is not installed: run scripts/install-deps.sh")
    return found


def templated(conf_text, node_port, listen_port, cache_dir):
    """The operator's file with its EDIT lines pointed at this test's node, port and cache."""
    edits = [("proxy_cache_path /var/cache/nginx/ifexnode ", f"proxy_cache_path {cache_dir} "),
             ("server 127.0.0.1:7400;", f"server 127.0.0.1:{node_port};"),
             ("listen 80;", f"listen 127.0.0.1:{listen_port};")]
    for old, new in edits:
        if conf_text.count(old) != 1:
            raise AssertionError(f"{CONF}: expected '{old}' exactly once (a marked EDIT line)")
        conf_text = conf_text.replace(old, new)
    return conf_text


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CachingProxy:
    """`with CachingProxy(node_port) as proxy:` nginx serves the node at proxy.port."""

    def __init__(self, node_port):
        self.node_port = node_port
        self.proc = None
        self.as_user = None
        if os.geteuid() == 0:
            self.as_user = pwd.getpwnam("nobody")
        # The system's temporary directory: world-traversable, so `nobody` can reach it.
        self.prefix = tempfile.mkdtemp(prefix="ifex-nginx-")
        self.error_log = os.path.join(self.prefix, "error.log")
        self.access_log = os.path.join(self.prefix, "access.log")
        self.pid_file = os.path.join(self.prefix, "nginx.pid")
        self.cache_dir = os.path.join(self.prefix, "cache")

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def site(self):
        """The text of the site file nginx includes (subclasses run another contrib file)."""
        with open(CONF) as f:
            return templated(f.read(), self.node_port, self.port, self.cache_dir)

    def probe(self):
        """One request that nginx answers once it serves (raises OSError until then)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5):
            pass

    def _write_config(self):
        site = self.site()
        with open(os.path.join(self.prefix, "ifexnode-cache.conf"), "w") as f:
            f.write(site)
        temp = os.path.join(self.prefix, "temp")
        # What Debian's /etc/nginx/nginx.conf would give, with every path in the prefix.
        main = f"""worker_processes 1;
pid {self.pid_file};
error_log {self.error_log} info;
events {{ worker_connections 512; }}
http {{
    access_log {self.access_log};
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {self.prefix}/ifexnode-cache.conf;
}}
"""
        self.main_conf = os.path.join(self.prefix, "nginx.conf")
        with open(self.main_conf, "w") as f:
            f.write(main)
        os.makedirs(self.cache_dir, exist_ok=True)
        os.makedirs(temp, exist_ok=True)
        if self.as_user:
            for root, dirs, files in os.walk(self.prefix):
                for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
                    os.chown(name, self.as_user.pw_uid, self.as_user.pw_gid)

    def _command(self):
        return [nginx_binary(), "-p", self.prefix + "/", "-c", self.main_conf, "-e",
                self.error_log, "-g", "daemon off;"]

    def start(self):
        binary = nginx_binary()
        for _ in range(5):  # a port taken between the pick and the bind: try another
            self.port = _free_port()
            self._write_config()
            check = subprocess.run([*self._command(), "-t"], capture_output=True, text=True,
                                   **self._user_kwargs())
            if check.returncode != 0:
                raise AssertionError(f"{binary} -t refused the config: {check.stderr}")
            with open(os.path.join(self.prefix, "stderr.log"), "w") as stderr:
                self.proc = subprocess.Popen(self._command(), stdout=subprocess.DEVNULL,
                                             stderr=stderr, start_new_session=True,
                                             **self._user_kwargs())
            if self._wait_serving():
                return
            self.stop()
            if "Address already in use" not in self.log():
                raise AssertionError(f"nginx did not start: {self.log()}")
        raise AssertionError(f"nginx found no free port: {self.log()}")

    def _user_kwargs(self):
        if not self.as_user:
            return {}
        return {"user": self.as_user.pw_uid, "group": self.as_user.pw_gid, "extra_groups": []}

    def _wait_serving(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                self.probe()
                return True
            except urllib.error.HTTPError:
                return True  # nginx answers; the node's own state is the test's business
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"nginx did not answer in {timeout} s: {self.log()}")

    def log(self):
        parts = []
        for name in ("stderr.log", "error.log"):
            try:
                with open(os.path.join(self.prefix, name), errors="replace") as f:
                    parts.append(f.read()[-3000:])
            except OSError:
                pass
        return "\n".join(parts)

    def stop(self):
        """SIGQUIT (graceful) to the master, by its PID; SIGKILL to its session after a bound."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        # Its workers and cache processes are in the session it was started in: none outlives it.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc = None

    def close(self):
        self.stop()
        shutil.rmtree(self.prefix, ignore_errors=True)
