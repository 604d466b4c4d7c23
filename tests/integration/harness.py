"""Integration harness: a throwaway PostgreSQL, a `jitgate serve` in front of it, real clients, and a
tiny raw PostgreSQL wire client for protocol-level tests (Frontend/Backend Protocol 3.0, PostgreSQL 15).

Limits: loopback only; one PostgreSQL per test class (setUpClass); runs PostgreSQL as the `postgres`
OS user when started as root (initdb refuses root). Every child process gets PR_SET_PDEATHSIG, so a
killed test run leaves no PostgreSQL or jitgate behind.
"""
from __future__ import annotations

import atexit
import base64
import ctypes
import hashlib
import hmac
import json
import os
import pwd
import secrets
import select
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("JITGATE_PG_BIN", "/usr/lib/postgresql/15/bin"))
JITGATE_BIN = Path(os.environ.get("JITGATE_BIN", REPO / "build" / "proxy" / "app" / "jitgate")).absolute()
# The test-only executable (tests/support/jitgate_testing.cpp): the same command line plus test hooks
# (JITGATE_TEST_NOW, JITGATE_TEST_DENY_MARKER, JITGATE_TEST_ALLOW_ALL), which the shipped jitgate ignores.
JITGATE_TESTING_BIN = Path(os.environ.get("JITGATE_TESTING_BIN", REPO / "build" / "tests" / "jitgate_testing")).absolute()


def jitgate_for(env: dict | None) -> Path:
    """The executable to run with `env`: the test-only one when a test hook is set, else the shipped one."""
    return JITGATE_TESTING_BIN if env and any(k.startswith("JITGATE_TEST_") for k in env) else JITGATE_BIN

UPSTREAM_USER = "orders_admin"
UPSTREAM_DB = "orders"
TARGET = "orders-db"
ALICE, ALICE_PASSWORD = "alice", "alice-it-secret"
BOB, BOB_PASSWORD = "bob", "bob-it-secret"          # a user with no access rule: for auth tests
UPSTREAM_PASSWORD_ENV = "JG_TEST_UPSTREAM_PASSWORD"
DENY_MARKER_ENV = "JITGATE_TEST_DENY_MARKER"

# Protocol constants (PostgreSQL docs, "Message Formats").
PROTOCOL_3_0 = 196608
SSL_REQUEST_CODE = 80877103
GSSENC_REQUEST_CODE = 80877104
CANCEL_REQUEST_CODE = 80877102

# JITGATE_IT_DIRECT=1 points every "through jitgate" helper at PostgreSQL itself (alice becomes
# orders_admin): it validates the tests' own mechanics without a proxy. Proxy-specific tests fail there.
DIRECT_MODE = bool(os.environ.get("JITGATE_IT_DIRECT"))

_children: list[subprocess.Popen] = []


def _pdeathsig():
    """Runs in the child before exec (after any uid switch): die with the test process."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _kill_leftovers():
    for p in _children:
        if p.poll() is None:
            try:
                p.kill()
                p.wait(5)
            except Exception:
                pass


atexit.register(_kill_leftovers)
# ctest ends a timed-out test with SIGTERM: turn it into SystemExit so atexit and cleanups run.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def spawn(args, **kwargs) -> subprocess.Popen:
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    p = subprocess.Popen([str(a) for a in args], preexec_fn=_pdeathsig, **kwargs)
    _children.append(p)
    return p


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_accepts(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(predicate, timeout: float, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


def tail(path: Path, lines: int = 80) -> str:
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as e:
        return f"<cannot read {path}: {e}>"
    return "\n".join(text.splitlines()[-lines:])


def clean_env(**extra) -> dict:
    """The environment for client tools: no inherited PG* settings, no ~/.pgpass, no psqlrc surprises."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGPASSFILE"] = "/dev/null"
    env["PGCONNECT_TIMEOUT"] = "10"
    env["PGAPPNAME"] = "jitgate-it"
    env.update({k: str(v) for k, v in extra.items()})
    return env


# ---------------------------------------------------------------------------------------------------
# Session recordings (DESIGN §5) written the way the proxy writes them, for the CLI tests.

ZERO_HASH = "0" * 64


def chained_recording(records) -> bytes:
    """The recording the proxy would write: seq, the record's fields, prev (the SHA-256 of the line
    before, zeros for the first); one line each."""
    prev, out = ZERO_HASH, b""
    for seq, fields in enumerate(records, 1):
        record = {"seq": seq, **fields, "prev": prev}
        line = json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode()
        prev = hashlib.sha256(line).hexdigest()
        out += line + b"\n"
    return out


# ---------------------------------------------------------------------------------------------------
# SCRAM-SHA-256 (RFC 5802 / 7677) as PostgreSQL stores and speaks it.

def _hmac(key: bytes, msg: bytes) -> bytes:
    return hmac.new(key, msg, hashlib.sha256).digest()


def scram_verifier(password: str, iterations: int = 4096, salt: bytes | None = None) -> str:
    """PostgreSQL's verifier text: SCRAM-SHA-256$<iter>:<b64 salt>$<b64 StoredKey>:<b64 ServerKey>."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    stored_key = hashlib.sha256(_hmac(salted, b"Client Key")).digest()
    server_key = _hmac(salted, b"Server Key")
    b64 = lambda b: base64.b64encode(b).decode()
    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


class ScramClient:
    """The client side of SCRAM-SHA-256 without channel binding ("n,,")."""

    def __init__(self, password: str):
        self.password = password
        self.nonce = base64.b64encode(secrets.token_bytes(18)).decode()
        self.client_first_bare = f"n=,r={self.nonce}"
        self.server_signature = b""

    def first(self) -> bytes:
        return ("n,," + self.client_first_bare).encode()

    def final(self, server_first: bytes) -> bytes:
        attrs = dict(part.split("=", 1) for part in server_first.decode().split(","))
        if not attrs["r"].startswith(self.nonce):
            raise ValueError("server nonce does not extend the client nonce")
        salt, iterations = base64.b64decode(attrs["s"]), int(attrs["i"])
        salted = hashlib.pbkdf2_hmac("sha256", self.password.encode(), salt, iterations)
        client_key = _hmac(salted, b"Client Key")
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = f"c=biws,r={attrs['r']}"
        auth_message = f"{self.client_first_bare},{server_first.decode()},{without_proof}".encode()
        signature = _hmac(stored_key, auth_message)
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        self.server_signature = _hmac(_hmac(salted, b"Server Key"), auth_message)
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()

    def verify(self, server_final: bytes) -> None:
        attrs = dict(part.split("=", 1) for part in server_final.decode().split(","))
        if "e" in attrs:
            raise ValueError(f"server reported SCRAM error {attrs['e']}")
        if base64.b64decode(attrs["v"]) != self.server_signature:
            raise ValueError("server signature does not verify")


# ---------------------------------------------------------------------------------------------------
# The raw wire client.

@dataclass
class Message:
    type: bytes          # one byte, e.g. b"E"
    body: bytes

    def __repr__(self):
        return f"Message({self.type!r}, {self.body[:60]!r}{'...' if len(self.body) > 60 else ''})"


def error_fields(body: bytes) -> dict[str, str]:
    """ErrorResponse / NoticeResponse fields by their one-letter code (S, V, C, M, D, H, ...)."""
    fields = {}
    for part in body.split(b"\0"):
        if part:
            fields[chr(part[0])] = part[1:].decode(errors="replace")
    return fields


class PgError(Exception):
    def __init__(self, fields: dict[str, str]):
        self.fields = fields
        self.sqlstate = fields.get("C")
        self.severity = fields.get("V", fields.get("S"))
        self.message = fields.get("M", "")
        super().__init__(f"{self.severity} {self.sqlstate}: {self.message}")


class ConnectionClosed(Exception):
    pass


def cstr(s: str | bytes) -> bytes:
    return (s.encode() if isinstance(s, str) else s) + b"\0"


def msg(type_: bytes, body: bytes = b"") -> bytes:
    return type_ + struct.pack("!I", len(body) + 4) + body


def startup_packet(params, protocol: int = PROTOCOL_3_0) -> bytes:
    """params: a dict or a list of (name, value) pairs (a list allows duplicates)."""
    items = params.items() if isinstance(params, dict) else params
    body = struct.pack("!I", protocol) + b"".join(cstr(k) + cstr(v) for k, v in items) + b"\0"
    return struct.pack("!I", len(body) + 4) + body


def query_msg(sql: str) -> bytes:
    return msg(b"Q", cstr(sql))


def parse_msg(sql: str, name: str = "", param_oids=()) -> bytes:
    return msg(b"P", cstr(name) + cstr(sql) + struct.pack("!H", len(param_oids))
               + b"".join(struct.pack("!I", o) for o in param_oids))


def bind_msg(portal: str = "", statement: str = "", params=(), result_formats=()) -> bytes:
    body = cstr(portal) + cstr(statement) + struct.pack("!H", 0) + struct.pack("!H", len(params))
    for p in params:
        if p is None:
            body += struct.pack("!i", -1)
        else:
            data = p.encode() if isinstance(p, str) else p
            body += struct.pack("!i", len(data)) + data
    body += struct.pack("!H", len(result_formats)) + b"".join(struct.pack("!H", f) for f in result_formats)
    return msg(b"B", body)


def describe_msg(kind: bytes = b"P", name: str = "") -> bytes:
    return msg(b"D", kind + cstr(name))


def execute_msg(portal: str = "", max_rows: int = 0) -> bytes:
    return msg(b"E", cstr(portal) + struct.pack("!I", max_rows))


def close_msg(kind: bytes = b"P", name: str = "") -> bytes:
    return msg(b"C", kind + cstr(name))


def copy_data_msg(data: bytes) -> bytes:
    return msg(b"d", data)


def copy_done_msg() -> bytes:
    return msg(b"c")


def copy_fail_msg(reason: str = "client gave up") -> bytes:
    return msg(b"f", cstr(reason))


def sync_msg() -> bytes:
    return msg(b"S")


def flush_msg() -> bytes:
    return msg(b"H")


def terminate_msg() -> bytes:
    return msg(b"X")


def function_call_msg(oid: int, args=(), result_format: int = 0) -> bytes:
    body = struct.pack("!IH", oid, 0) + struct.pack("!H", len(args))
    for a in args:
        data = a.encode() if isinstance(a, str) else a
        body += struct.pack("!i", len(data)) + data
    return msg(b"F", body + struct.pack("!H", result_format))


def extended(sql: str, params=(), name: str = "") -> bytes:
    """Parse + Bind + Execute of one statement (no Sync)."""
    return parse_msg(sql, name) + bind_msg("", name, params) + execute_msg()


def send_cancel(port: int, pid: int, key: int, host: str = "127.0.0.1", wait: float = 2.0) -> None:
    """A CancelRequest on a fresh connection; waits (briefly) for the server to close it."""
    with socket.create_connection((host, port), timeout=wait) as s:
        s.sendall(struct.pack("!IIII", 16, CANCEL_REQUEST_CODE, pid, key))
        try:
            s.recv(1)
        except OSError:
            pass


class Wire:
    """A raw PostgreSQL protocol connection. Reads are message-framed with a timeout."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 10.0):
        self.port, self.host, self.timeout = port, host, timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.backend_key: tuple[int, int] | None = None
        self.parameters: dict[str, str] = {}
        self.notices: list[dict] = []
        self.notifications: list[tuple[int, str, str]] = []
        self.tls = False

    # -- bytes ------------------------------------------------------------------------------------
    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self, timeout: float) -> None:
        self.sock.settimeout(timeout)
        try:
            chunk = self.sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError) as e:
            raise ConnectionClosed(str(e)) from e
        except socket.timeout as e:
            raise TimeoutError("no data from server") from e
        if not chunk:
            raise ConnectionClosed("EOF")
        self.buf += chunk

    def read_bytes(self, n: int, timeout: float | None = None) -> bytes:
        deadline = time.monotonic() + (timeout or self.timeout)
        while len(self.buf) < n:
            self._fill(max(0.01, deadline - time.monotonic()))
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_message(self, timeout: float | None = None) -> Message:
        deadline = time.monotonic() + (timeout or self.timeout)
        header = self.read_bytes(5, max(0.01, deadline - time.monotonic()))
        (length,) = struct.unpack("!I", header[1:])
        if length < 4 or length > 1 << 30:
            raise ValueError(f"bad length {length} from server in message {header[:1]!r}")
        body = self.read_bytes(length - 4, max(0.01, deadline - time.monotonic()))
        m = Message(header[:1], body)
        if m.type == b"N":
            self.notices.append(error_fields(body))
        elif m.type == b"A":
            pid = struct.unpack("!I", body[:4])[0]
            channel, payload = body[4:].split(b"\0")[:2]
            self.notifications.append((pid, channel.decode(), payload.decode()))
        elif m.type == b"S":
            k, v = body.split(b"\0")[:2]
            self.parameters[k.decode()] = v.decode()
        elif m.type == b"K":
            self.backend_key = struct.unpack("!II", body)
        return m

    def read_until_ready(self, timeout: float | None = None) -> list[Message]:
        """Every message up to and including ReadyForQuery."""
        deadline = time.monotonic() + (timeout or self.timeout)
        out = []
        while True:
            try:
                m = self.read_message(max(0.01, deadline - time.monotonic()))
            except ConnectionClosed:
                errors = [m for m in out if m.type == b"E"]
                if errors:   # a FATAL error, then the close: report the error
                    raise PgError(error_fields(errors[-1].body)) from None
                raise
            out.append(m)
            if m.type == b"Z":
                return out

    def wait_closed(self, timeout: float = 5.0) -> list[Message]:
        """Reads until the server closes the connection; returns what it sent first. TimeoutError if
        it stays open."""
        deadline = time.monotonic() + timeout
        out = []
        while True:
            try:
                out.append(self.read_message(max(0.01, deadline - time.monotonic())))
            except ConnectionClosed:
                return out
            except ValueError:  # unframed bytes (e.g. a single 'S'/'N'): skip to the close
                self.buf = b""

    def is_closed(self, timeout: float = 5.0) -> bool:
        try:
            self.wait_closed(timeout)
            return True
        except TimeoutError:
            return False

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- start-up ---------------------------------------------------------------------------------
    def ssl_request(self) -> bytes:
        self.send(struct.pack("!II", 8, SSL_REQUEST_CODE))
        return self.read_bytes(1)

    def start_tls(self) -> None:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.sock.settimeout(self.timeout)
        self.sock = ctx.wrap_socket(self.sock, server_hostname="localhost")
        self.tls = True

    def startup(self, params) -> None:
        self.send(startup_packet(params))

    def authenticate(self, user: str, password: str | None) -> list[Message]:
        """Answers authentication requests until AuthenticationOk; raises PgError on ErrorResponse.
        Returns the authentication request messages seen."""
        seen = []
        scram = None
        while True:
            m = self.read_message()
            if m.type == b"E":
                raise PgError(error_fields(m.body))
            if m.type != b"R":
                raise AssertionError(f"expected an authentication request, got {m}")
            seen.append(m)
            (code,) = struct.unpack("!I", m.body[:4])
            if code == 0:
                return seen
            if password is None:
                raise AssertionError(f"server asked for a password (auth code {code})")
            if code == 3:    # cleartext
                self.send(msg(b"p", cstr(password)))
            elif code == 5:  # md5
                inner = hashlib.md5((password + user).encode()).hexdigest()
                outer = hashlib.md5(inner.encode() + m.body[4:8]).hexdigest()
                self.send(msg(b"p", cstr("md5" + outer)))
            elif code == 10:  # SASL
                mechanisms = [x.decode() for x in m.body[4:].split(b"\0") if x]
                if "SCRAM-SHA-256" not in mechanisms:
                    raise AssertionError(f"no SCRAM-SHA-256 in {mechanisms}")
                scram = ScramClient(password)
                first = scram.first()
                self.send(msg(b"p", cstr("SCRAM-SHA-256") + struct.pack("!i", len(first)) + first))
            elif code == 11:
                self.send(msg(b"p", scram.final(m.body[4:])))
            elif code == 12:
                scram.verify(m.body[4:])
            else:
                raise AssertionError(f"unsupported authentication request {code}")

    def connect(self, user: str, database: str, password: str | None, extra=None,
                tls: bool = False) -> list[Message]:
        """Full start-up: optional TLS, StartupMessage, authentication, up to ReadyForQuery."""
        if tls:
            answer = self.ssl_request()
            if answer != b"S":
                raise AssertionError(f"server refused TLS: {answer!r}")
            self.start_tls()
        params = [("user", user), ("database", database)] + list((extra or {}).items())
        self.startup(params)
        self.authenticate(user, password)
        msgs = self.read_until_ready()
        for m in msgs:
            if m.type == b"E":
                raise PgError(error_fields(m.body))
        return msgs

    # -- queries ----------------------------------------------------------------------------------
    def query(self, sql: str, timeout: float | None = None) -> "Result":
        self.send(query_msg(sql))
        return Result(self.read_until_ready(timeout))

    def run(self, data: bytes, syncs: int = 1, timeout: float | None = None) -> list["Result"]:
        """Sends raw frontend bytes and reads `syncs` replies up to ReadyForQuery each."""
        self.send(data)
        return [Result(self.read_until_ready(timeout)) for _ in range(syncs)]


class Result:
    """Messages of one reply cycle (up to ReadyForQuery), with accessors."""

    def __init__(self, messages: list[Message]):
        self.messages = messages

    @property
    def types(self) -> bytes:
        return b"".join(m.type for m in self.messages)

    @property
    def errors(self) -> list[dict]:
        return [error_fields(m.body) for m in self.messages if m.type == b"E"]

    @property
    def sqlstates(self) -> list[str]:
        return [e.get("C") for e in self.errors]

    @property
    def rows(self) -> list[list[str | None]]:
        out = []
        for m in self.messages:
            if m.type == b"D":
                (n,) = struct.unpack("!H", m.body[:2])
                pos, row = 2, []
                for _ in range(n):
                    (ln,) = struct.unpack("!i", m.body[pos:pos + 4])
                    pos += 4
                    if ln < 0:
                        row.append(None)
                    else:
                        row.append(m.body[pos:pos + ln].decode(errors="replace"))
                        pos += ln
                out.append(row)
        return out

    @property
    def tags(self) -> list[str]:
        return [m.body.rstrip(b"\0").decode() for m in self.messages if m.type == b"C"]

    @property
    def status(self) -> str:
        """The ReadyForQuery transaction status: I (idle), T (in transaction), E (failed)."""
        return self.messages[-1].body.decode()

    def __repr__(self):
        return f"Result({self.messages})"


# ---------------------------------------------------------------------------------------------------
# PostgreSQL


class Postgres:
    """A throwaway PostgreSQL 15 cluster: initdb into a temp dir, loopback TCP on a free port, unix
    socket in the temp dir (trust, for the harness), `host` auth method scram-sha-256 / md5 / trust,
    role orders_admin owning database orders with sample data."""

    def __init__(self, auth: str = "scram-sha-256", settings: dict | None = None, base_dir: Path | None = None):
        assert auth in ("scram-sha-256", "md5", "trust", "password")
        self.auth = auth
        self.settings = settings or {}
        self.base_dir = base_dir
        self.dir: Path | None = None
        self.port = 0
        self.password = "up-" + secrets.token_hex(12)   # orders_admin's; only harness + jitgate know it
        self.proc: subprocess.Popen | None = None
        self._own_dir = False
        self.os_user = None
        if os.geteuid() == 0:
            self.os_user = "postgres"

    @property
    def data(self) -> Path:
        return self.dir / "data"

    @property
    def sock(self) -> Path:
        return self.dir / "sock"

    @property
    def log(self) -> Path:
        return self.dir / "postgres.log"

    def _user_kwargs(self) -> dict:
        if not self.os_user:
            return {}
        pw = pwd.getpwnam(self.os_user)
        return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": [],
                "env": {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(self.dir)}}

    def start(self) -> "Postgres":
        if self.base_dir:
            self.dir = Path(self.base_dir)
            self.dir.mkdir(parents=True, exist_ok=True)
        else:
            self.dir = Path(tempfile.mkdtemp(prefix="jitgate-pg-"))
            self._own_dir = True
        self.sock.mkdir(exist_ok=True)
        if self.os_user:
            pw = pwd.getpwnam(self.os_user)
            for p in (self.dir, self.sock):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        kw = self._user_kwargs()
        if not self.data.exists():
            r = subprocess.run([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                                "-E", "UTF8", "--locale=C.UTF-8", "-N"], capture_output=True, text=True,
                               preexec_fn=_pdeathsig, **kw)
            if r.returncode != 0:
                raise RuntimeError(f"initdb failed:\n{r.stdout}\n{r.stderr}")
            hba = textwrap.dedent(f"""\
                local all all trust
                host  all all 127.0.0.1/32 {self.auth}
                """)
            (self.data / "pg_hba.conf").write_text(hba)
        last_error = ""
        for _attempt in range(3):
            self.port = free_port()
            conf = {
                "listen_addresses": "'127.0.0.1'", "port": self.port,
                "unix_socket_directories": f"'{self.sock}'", "fsync": "off", "synchronous_commit": "off",
                "full_page_writes": "off", "shared_buffers": "'32MB'", "max_connections": 60,
                "autovacuum": "off", "password_encryption": "md5" if self.auth == "md5" else "'scram-sha-256'",
                "log_min_messages": "warning", "log_min_error_statement": "panic", "logging_collector": "off",
            }
            conf.update(self.settings)
            args = [PG_BIN / "postgres", "-D", self.data]
            for k, v in conf.items():
                args += ["-c", f"{k}={str(v).strip(chr(39))}"]
            logf = open(self.log, "ab")
            self.proc = spawn(args, stdout=logf, stderr=subprocess.STDOUT, **kw)
            logf.close()
            try:
                wait_until(lambda: self.proc.poll() is not None or self._ready(), 30, 0.1, "postgres to start")
            except TimeoutError:
                self.stop()
                raise RuntimeError(f"postgres did not start:\n{tail(self.log)}")
            if self.proc.poll() is None:
                break
            last_error = tail(self.log)
        else:
            raise RuntimeError(f"postgres failed to start:\n{last_error}")
        self._seed()
        return self

    def _ready(self) -> bool:
        r = subprocess.run([str(PG_BIN / "pg_isready"), "-q", "-h", str(self.sock), "-p", str(self.port)],
                           capture_output=True)
        return r.returncode == 0

    def admin_sql(self, sql: str, db: str = "postgres", user: str = "postgres") -> str:
        """Runs SQL over the unix socket as a superuser (or `user`); returns unaligned tuples-only output."""
        r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", str(self.sock),
                            "-p", str(self.port), "-U", user, "-d", db, "-f", "-"], input=sql,
                           capture_output=True, text=True, env=clean_env(), timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"admin SQL failed ({r.returncode}): {r.stderr}\nSQL: {sql[:500]}")
        return r.stdout

    def _seed(self) -> None:
        pw = self.password.replace("'", "''")
        self.admin_sql(f"CREATE ROLE {UPSTREAM_USER} LOGIN PASSWORD '{pw}';"
                       f"CREATE DATABASE {UPSTREAM_DB} OWNER {UPSTREAM_USER};")
        self.admin_sql(SAMPLE_DATA, db=UPSTREAM_DB, user=UPSTREAM_USER)

    def sql(self, sql: str) -> str:
        """SQL in database orders as orders_admin, over the unix socket (a direct, trusted path)."""
        return self.admin_sql(sql, db=UPSTREAM_DB, user=UPSTREAM_USER)

    def direct_conninfo(self, **extra) -> str:
        """A libpq conninfo for a direct TCP connection as orders_admin (password via PGPASSWORD or
        `password=`)."""
        parts = {"host": "127.0.0.1", "port": self.port, "user": UPSTREAM_USER, "dbname": UPSTREAM_DB,
                 "password": self.password, "sslmode": "disable"}
        parts.update(extra)
        return conninfo(parts)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)   # fast shutdown
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGQUIT)
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)

    def cleanup(self) -> None:
        self.stop()
        if self._own_dir and self.dir and not os.environ.get("JITGATE_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)


SAMPLE_DATA = """
CREATE TABLE customers (
    id      integer PRIMARY KEY,
    name    text NOT NULL,
    email   text UNIQUE,
    country char(2) NOT NULL DEFAULT 'DE'
);
CREATE TABLE orders (
    id          integer PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers(id),
    amount      numeric(10,2) NOT NULL,
    status      text NOT NULL DEFAULT 'new',
    placed_at   timestamptz NOT NULL
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
COMMENT ON TABLE orders IS 'one row per order';
INSERT INTO customers (id, name, email, country) VALUES
    (1, 'Ada Lovelace', 'ada@example.com', 'GB'),
    (2, 'Grace Hopper', 'grace@example.com', 'US'),
    (3, 'Katherine Johnson', 'katherine@example.com', 'US'),
    (4, 'Émilie du Châtelet', 'emilie@example.com', 'FR'),
    (5, 'Emmy Noether', NULL, 'DE');
INSERT INTO orders (id, customer_id, amount, status, placed_at)
SELECT g, 1 + g % 5, round((g * 7.31)::numeric % 500, 2),
       (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4],
       timestamptz '2024-01-01 00:00:00+00' + g * interval '37 minutes'
FROM generate_series(1, 200) g;
CREATE TABLE scratch (id serial PRIMARY KEY, note text);
ANALYZE customers; ANALYZE orders;
"""


def conninfo(parts: dict) -> str:
    def q(v):
        v = str(v)
        if v and all(c not in v for c in " '\\"):
            return v
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return " ".join(f"{k}={q(v)}" for k, v in parts.items() if v is not None)


# ---------------------------------------------------------------------------------------------------
# jitgate

def make_self_signed_cert(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "proxy.crt", directory / "proxy.key"
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"openssl failed: {r.stderr}")
    os.chmod(key, 0o600)
    return cert, key


def yaml_str(s: str) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


DEFAULT_POLICY = "\n".join([
    "roles: { all: { allow: [read, write, ddl, admin, destructive, unknown] } }",
    "access:",
    f"  - {{ users: [group:engineers], targets: [{TARGET}], standing: all }}",
])


class Jitgate:
    """`jitgate serve` with a generated config in front of a Postgres; stderr goes to a log file."""

    def __init__(self, pg: Postgres, *, tls: bool = False, tls_require: bool = False, deny_marker: str | None = None,
                 limits: dict | None = None, upstream_password: str | None = None,
                 upstream_address: str | None = None, extra_targets: str = "", env: dict | None = None,
                 policy: str | None = None, extra_config: str = "", ssh: bool = False,
                 ssh_keys: dict[str, list[str]] | None = None):
        self.pg = pg  # None: an SSH-only proxy (no listen.postgres, no Postgres target)
        self.ssh = ssh  # listen.ssh on a free port too, with a host key generated at the first start
        self.ssh_keys = ssh_keys or {}  # user -> OpenSSH public key lines
        self.ssh_port = 0
        self.tls, self.tls_require = tls, tls_require
        self.deny_marker = deny_marker
        self.limits = {"max_message_bytes": 1048576, "startup_timeout": "3s", "max_connections": 100}
        self.limits.update(limits or {})
        self.upstream_password = upstream_password if upstream_password is not None else (pg.password if pg else "")
        self.upstream_address = upstream_address or (f"127.0.0.1:{pg.port}" if pg else "")
        self.extra_targets = extra_targets
        self.extra_env = env or {}
        # roles/access/grants/guardrails YAML; the default lets alice run everything (transparent-path tests)
        self.policy = policy if policy is not None else DEFAULT_POLICY
        self.extra_config = extra_config  # more top-level keys; a `recordings:` here replaces the default
        self.dir = Path(tempfile.mkdtemp(prefix="jitgate-it-"))
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.log = self.dir / "jitgate.log"
        self.config_path = self.dir / "jitgate.yaml"
        self.returncode: int | None = None

    def config_text(self) -> str:
        listen = ([f"postgres: 127.0.0.1:{self.port}"] if self.pg else []) + \
                 ([f"ssh: 127.0.0.1:{self.ssh_port}"] if self.ssh else [])
        lines = [
            "listen: { " + ", ".join(listen) + " }",
            *([f"ssh_host_key: {yaml_str(str(self.dir / 'ssh_host_ed25519_key'))}"] if self.ssh else []),
            f"state: {yaml_str('sqlite:' + str(self.dir / 'jitgate.db'))}",
            *([] if "recordings:" in self.extra_config else [f"recordings: {yaml_str(str(self.dir / 'recordings'))}"]),
            f"audit_log: {yaml_str(str(self.dir / 'audit.jsonl'))}",
            "targets:",
        ]
        if self.pg:
            lines.append(f"  - {{ name: {TARGET}, kind: postgres, address: {self.upstream_address}, database: {UPSTREAM_DB},"
                         f" user: {UPSTREAM_USER}, password_env: {UPSTREAM_PASSWORD_ENV} }}")
        if self.extra_targets:
            lines.append(self.extra_targets.rstrip())
        lines += [
            "users:",
            f"  - {{ name: {ALICE}, groups: [engineers], password: {yaml_str(scram_verifier(ALICE_PASSWORD))}"
            f"{self._ssh_keys_yaml(ALICE)} }}",
            f"  - {{ name: {BOB}, groups: [visitors], password: {yaml_str(scram_verifier(BOB_PASSWORD))}"
            f"{self._ssh_keys_yaml(BOB)} }}",
            self.policy.rstrip(),
            *([self.extra_config.rstrip()] if self.extra_config else []),
            "limits: { " + ", ".join(f"{k}: {v}" for k, v in self.limits.items()) + " }",
        ]
        if self.tls:
            cert, key = make_self_signed_cert(self.dir)
            lines.append(f"tls: {{ cert: {yaml_str(str(cert))}, key: {yaml_str(str(key))},"
                         f" require: {'true' if self.tls_require else 'false'} }}")
        return "\n".join(lines) + "\n"

    def _ssh_keys_yaml(self, user: str) -> str:
        keys = self.ssh_keys.get(user)
        return f", ssh_keys: [{', '.join(yaml_str(k) for k in keys)}]" if keys else ""

    def env(self) -> dict:
        env = clean_env(**{UPSTREAM_PASSWORD_ENV: self.upstream_password})
        if self.deny_marker:
            env[DENY_MARKER_ENV] = self.deny_marker
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 20.0) -> "Jitgate":
        if DIRECT_MODE:
            self.port = self.pg.port
            return self
        exe = jitgate_for(self.env())
        if not exe.exists():
            raise RuntimeError(f"jitgate executable not found at {exe} (set JITGATE_BIN / JITGATE_TESTING_BIN)")
        last = ""
        for _attempt in range(3):
            self.port = free_port() if self.pg else 0
            self.ssh_port = free_port() if self.ssh else 0
            self.config_path.write_text(self.config_text())
            logf = open(self.log, "ab")
            self.proc = spawn([exe, "serve", "-c", self.config_path], stdout=logf, stderr=subprocess.STDOUT,
                              env=self.env(), cwd=self.dir)
            logf.close()
            ports = [p for p in (self.port, self.ssh_port) if p]
            try:
                wait_until(lambda: self.proc.poll() is not None or all(port_accepts(p) for p in ports), timeout, 0.05,
                           "jitgate to accept connections")
            except TimeoutError:
                self.kill()
                raise RuntimeError(f"jitgate did not accept on port {self.port} within {timeout}s; log:\n"
                                   f"{tail(self.log)}")
            if self.proc.poll() is None:
                return self
            last = tail(self.log)
            if "in use" not in last.lower():
                break
        raise RuntimeError(f"jitgate exited with {self.proc.returncode} at start; config:\n"
                           f"{self.config_path.read_text()}\nlog:\n{last}")

    # client helpers ---------------------------------------------------------------------------------
    def conninfo(self, user: str = ALICE, password: str | None = ALICE_PASSWORD, dbname: str = TARGET,
                 **extra) -> str:
        user, password, dbname = self._direct_mapping(user, password, dbname)
        parts = {"host": "127.0.0.1", "port": self.port, "user": user, "dbname": dbname, "password": password,
                 "sslmode": "disable"}
        parts.update(extra)
        return conninfo(parts)

    def wire(self, connect: bool = True, user: str = ALICE, password: str = ALICE_PASSWORD,
             database: str = TARGET, extra=None, tls: bool = False, timeout: float = 10.0) -> Wire:
        user, password, database = self._direct_mapping(user, password, database)
        w = Wire(self.port, timeout=timeout)
        if connect:
            try:
                w.connect(user, database, password, extra, tls=tls)
            except BaseException:
                w.close()
                raise
        return w

    def _direct_mapping(self, user, password, dbname):
        """In DIRECT_MODE alice's login becomes orders_admin's, and the target name the database's."""
        if not DIRECT_MODE:
            return user, password, dbname
        if user == ALICE:
            user = UPSTREAM_USER
            password = self.pg.password if password == ALICE_PASSWORD else password
        return user, password, UPSTREAM_DB if dbname == TARGET else dbname

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def cpu_ticks(self) -> int:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])   # utime + stime

    # lifecycle ---------------------------------------------------------------------------------------
    def terminate(self, sig=signal.SIGTERM, timeout: float = 10.0) -> int | None:
        """Sends `sig` and waits; returns the exit code (None if it had to be killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                self.returncode = None
                return None
        self.returncode = self.proc.returncode
        return self.returncode

    def wait_exit(self, timeout: float = 10.0) -> int | None:
        """Waits for jitgate to exit on its own (after a signal the test sent); its exit code, or None
        if it is still running after `timeout` (then it is killed)."""
        try:
            self.returncode = self.proc.wait(timeout)
            return self.returncode
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def cleanup(self) -> None:
        self.terminate()
        report = sanitizer_report(self.log)
        if not os.environ.get("JITGATE_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)
        if report:
            raise AssertionError(f"jitgate (a sanitizer build) reported:\n{report}")


def sanitizer_report(log: Path) -> str:
    """The ASan/UBSan/LSan report in a jitgate log, or "" (the scripts/test sanitizer stage runs some
    integration tests against build-asan's jitgate; its reports land in the log, not in the test)."""
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return ""
    markers = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "ThreadSanitizer")
    start = min((text.find(m) for m in markers if m in text), default=-1)
    return text[start:start + 6000] if start >= 0 else ""


# ---------------------------------------------------------------------------------------------------
# Client tools

def psql(conninfo_: str, *args, input: str | None = None, timeout: float = 60, env: dict | None = None,
         cwd=None) -> subprocess.CompletedProcess:
    """psql -X (no psqlrc) with a clean environment; returns the CompletedProcess (bytes stdout/stderr)."""
    return subprocess.run(["psql", "-X", "-d", conninfo_, *map(str, args)],
                          input=input.encode() if input is not None else None,
                          stdin=None if input is not None else subprocess.DEVNULL,
                          capture_output=True, timeout=timeout, env=env or clean_env(), cwd=cwd)


def pgbench(conninfo_: str, *args, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    """pgbench with libpq settings taken from the conninfo (pgbench has no -d conninfo: use env)."""
    parts = dict(_parse_conninfo(conninfo_))
    e = env or clean_env()
    mapping = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD",
               "sslmode": "PGSSLMODE"}
    for k, v in parts.items():
        if k in mapping:
            e[mapping[k]] = v
    return subprocess.run(["pgbench", *map(str, args), parts["dbname"]], capture_output=True, text=True,
                          timeout=timeout, env=e, stdin=subprocess.DEVNULL)


def _parse_conninfo(s: str):
    i, n = 0, len(s)
    while i < n:
        while i < n and s[i] == " ":
            i += 1
        if i >= n:
            break
        eq = s.index("=", i)
        key = s[i:eq].strip()
        i = eq + 1
        if i < n and s[i] == "'":
            i += 1
            val = ""
            while s[i] != "'":
                if s[i] == "\\":
                    i += 1
                val += s[i]
                i += 1
            i += 1
        else:
            j = s.find(" ", i)
            j = n if j < 0 else j
            val, i = s[i:j], j
        yield key, val


class PsqlSession:
    """A long-lived interactive psql process (stdin/stdout pipes): proves that an established session
    keeps working while something else happens."""

    def __init__(self, conninfo_: str):
        self.proc = spawn(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=0", "-d", conninfo_],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          env=clean_env())
        self.counter = 0
        self.out = b""

    def ask(self, sql: str, expect: str, timeout: float = 10.0) -> str:
        """Sends `sql` followed by an echo marker; returns the output before the marker."""
        self.counter += 1
        marker = f"__jg_done_{self.counter}__"
        self.proc.stdin.write(f"{sql}\n\\echo {marker}\n".encode())
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        while marker.encode() not in self.out:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                raise AssertionError(f"psql session did not answer {sql!r}: output so far {self.out!r}")
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise AssertionError(f"psql session ended: output {self.out!r}")
                self.out += chunk
        before, self.out = self.out.split(marker.encode() + b"\n", 1) if marker.encode() + b"\n" in self.out \
            else self.out.split(marker.encode(), 1)
        text = before.decode(errors="replace")
        if expect not in text:
            raise AssertionError(f"psql session answered {text!r} to {sql!r}, expected {expect!r}")
        return text

    def alive(self) -> None:
        self.ask("SELECT 'still' || 'alive';", "stillalive")

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(5)
            except Exception:
                self.proc.kill()
                self.proc.wait(5)


# ---------------------------------------------------------------------------------------------------
# SSH: a real OpenSSH sshd as the target, and the real ssh, scp and sftp clients

SSHD_BIN = Path("/usr/sbin/sshd")


def ssh_keygen(path: Path, comment: str = "jitgate-it") -> str:
    """A new Ed25519 key pair at `path` (no passphrase); returns the public line "ssh-ed25519 AAAA… comment"."""
    r = subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise RuntimeError(f"ssh-keygen failed: {r.stderr}")
    return Path(f"{path}.pub").read_text().strip()


def key_text(public_line: str) -> str:
    """"TYPE BASE64" without the comment: what a pinned host_key holds."""
    return " ".join(public_line.split()[:2])


class Sshd:
    """OpenSSH's sshd on a free loopback port, run as the current user with its own host key, config and
    authorized_keys in a temp dir (StrictModes no: no root needed; as root it needs /run/sshd)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="jitgate-sshd-"))
        self.user = pwd.getpwuid(os.getuid()).pw_name
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.log = self.dir / "sshd.log"
        self.host_key_path = self.dir / "ssh_host_ed25519_key"
        self.authorized_keys = self.dir / "authorized_keys"
        self.host_key = ""

    def authorize(self, public_line: str) -> None:
        with open(self.authorized_keys, "a") as f:
            f.write(public_line.strip() + "\n")

    def start(self, timeout: float = 10.0) -> "Sshd":
        self.host_key = key_text(ssh_keygen(self.host_key_path, "sshd-host"))
        self.authorized_keys.touch()
        if os.getuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        for _attempt in range(3):
            self.port = free_port()
            config = self.dir / "sshd_config"
            config.write_text(textwrap.dedent(f"""\
                Port {self.port}
                ListenAddress 127.0.0.1
                HostKey {self.host_key_path}
                PidFile {self.dir / 'sshd.pid'}
                AuthorizedKeysFile {self.authorized_keys}
                StrictModes no
                PubkeyAuthentication yes
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                PermitRootLogin prohibit-password
                AllowTcpForwarding yes
                X11Forwarding no
                AcceptEnv LANG LC_* JG_*
                PrintMotd no
                PrintLastLog no
                Subsystem sftp internal-sftp
                LogLevel VERBOSE
                """))
            logf = open(self.log, "ab")
            self.proc = spawn([SSHD_BIN, "-D", "-e", "-f", config], stdout=logf, stderr=subprocess.STDOUT)
            logf.close()
            wait_until(lambda: self.proc.poll() is not None or port_accepts(self.port), timeout, 0.05, "sshd to listen")
            if self.proc.poll() is None:
                return self
            if "in use" not in tail(self.log).lower():
                break
        raise RuntimeError(f"sshd did not start:\n{tail(self.log)}")

    def cleanup(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if not os.environ.get("JITGATE_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)


class SshClient:
    """Runs the real OpenSSH clients against one port with one identity and no user config, known hosts
    or agent."""

    def __init__(self, port: int, key: Path, host: str = "127.0.0.1"):
        self.port, self.key, self.host = port, key, host

    def options(self, port_flag: str = "-p") -> list[str]:
        return ["-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "BatchMode=yes",
                "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR", "-i", str(self.key), port_flag, str(self.port)]

    def ssh(self, user: str, *args, input: bytes | None = None, stdin=None, timeout: float = 60,
            options: tuple = ()) -> subprocess.CompletedProcess:
        # `options` first: ssh keeps the first value it reads for an option (e.g. LogLevel)
        return subprocess.run(["ssh", *options, *self.options(), f"{user}@{self.host}", *map(str, args)],
                              input=input, stdin=stdin if input is None else None, capture_output=True,
                              timeout=timeout, env=_ssh_env())

    def scp(self, *args, timeout: float = 120, options: tuple = ()) -> subprocess.CompletedProcess:
        return subprocess.run(["scp", "-q", *options, *self.options("-P"), *map(str, args)], capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=timeout, env=_ssh_env())

    def sftp(self, user: str, batch: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(["sftp", *self.options("-P"), "-b", "-", f"{user}@{self.host}"], input=batch.encode(),
                              capture_output=True, timeout=timeout, env=_ssh_env())

    def destination(self, user: str, path: str) -> str:
        return f"{user}@{self.host}:{path}"


def _ssh_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSH_", "LC_", "LANG"))}
    env["LANG"] = "C.UTF-8"
    return env


# ---------------------------------------------------------------------------------------------------
# unittest glue

class IntegrationTest(unittest.TestCase):
    """Base class: one Postgres (and usually one jitgate) per test class, torn down even when set-up or
    a test fails; on a failure prints the tails of the jitgate and PostgreSQL logs."""

    pg: Postgres = None
    jg: Jitgate = None
    pg_auth = "scram-sha-256"
    # jitgate options for the class's default proxy; None means: do not start one.
    jitgate_options: dict | None = {}

    @classmethod
    def setUpClass(cls):
        cls.pg = Postgres(cls.pg_auth)
        cls.addClassCleanup(cls.pg.cleanup)
        cls.pg.start()
        if cls.jitgate_options is not None:
            cls.jg = cls.start_jitgate(**cls.jitgate_options)

    @classmethod
    def start_jitgate(cls, **options) -> Jitgate:
        jg = Jitgate(cls.pg, **options)
        cls.addClassCleanup(jg.cleanup)
        cls._jitgates = getattr(cls, "_jitgates", []) + [jg]
        jg.start()
        return jg

    def start_own_jitgate(self, **options) -> Jitgate:
        """A jitgate for one test only (e.g. one that the test shuts down)."""
        jg = Jitgate(self.pg, **options)
        self.addCleanup(jg.cleanup)
        self._own = getattr(self, "_own", []) + [jg]
        jg.start()
        return jg

    def run(self, result=None):
        before = (len(result.failures) + len(result.errors)) if result else 0
        out = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > before:
            self.print_logs()
        return out

    def print_logs(self):
        logs = []
        for jg in getattr(type(self), "_jitgates", []) + getattr(self, "_own", []):
            logs.append((f"jitgate log ({jg.log})", jg.log))
        if self.pg and self.pg.dir:
            logs.append((f"postgres log ({self.pg.log})", self.pg.log))
        for title, path in logs:
            sys.stderr.write(f"\n----- {self.id()}: {title}, last lines -----\n{tail(path, 60)}\n")
        sys.stderr.flush()

    # assertions -------------------------------------------------------------------------------------
    def assertSqlstate(self, result: Result, code: str, msg: str | None = None):
        self.assertIn(code, result.sqlstates, msg or f"expected SQLSTATE {code} in {result.errors}")

    def assertOk(self, result: Result):
        self.assertEqual(result.errors, [], f"unexpected error(s): {result.errors}")

    def assertClosesWithin(self, wire: Wire, seconds: float) -> list[Message]:
        try:
            return wire.wait_closed(seconds)
        except TimeoutError:
            self.fail(f"connection still open after {seconds}s")


def main():
    unittest.main(verbosity=2)
