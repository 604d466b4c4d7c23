"""SSH through jitgate (issue 5): a real OpenSSH sshd on loopback as the target (its own host key, config
and authorized_keys in a temp dir, run as the current user) and the real ssh, scp and sftp clients. The
SSH user name is the target's name; the engineer is known by her key; jitgate logs in to the target with
the target's key and checks its pinned host key. Channels are relayed faithfully (exit codes, stderr,
64 MiB byte-identical both ways); file transfer, terminals and port forwarding follow the role's ssh
switches."""
import fcntl
import hashlib
import json
import os
import pty
import re
import signal
import select
import socket
import struct
import termios
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

import harness
from harness import ALICE, BOB, Jitgate, Sshd, SshClient, key_text, ssh_keygen, tail, wait_until, yaml_str

BIG = 64 << 20

POLICY = """
roles:
  operator:   { allow: [read, write, ddl, admin, destructive, unknown], ssh: { pty: true, sftp: true } }
  exec-only:  { allow: [read, write, ddl, admin, destructive, unknown] }
  breakglass: { allow: [read, write, ddl, admin, destructive, unknown], ssh: { pty: true, sftp: true, port_forwarding: true } }
access:
  - { users: [group:engineers], targets: [web-1, web-bad], standing: operator }
  - { users: [group:engineers], targets: [web-2], standing: exec-only }
  - { users: [group:engineers], targets: [web-3], standing: breakglass }
  - { users: [group:engineers], targets: [web-4], requestable: [operator], max_duration: 2h, approvers: [bob] }
  - { users: [group:engineers], targets: [web-5], standing: exec-only, requestable: [operator], max_duration: 2h,
      approvers: [bob] }
"""


class Terminal:
    """The real ssh client inside a real pty, driven like a person at a keyboard."""

    def __init__(self, test, args, rows=30, cols=100):
        self.master, slave = pty.openpty()
        test.addCleanup(os.close, self.master)
        self.resize(rows, cols)
        self.ssh = subprocess.Popen(["ssh", "-tt", *args], stdin=slave, stdout=slave, stderr=slave,
                                    start_new_session=True)
        os.close(slave)
        test.addCleanup(lambda: self.ssh.poll() is None and self.ssh.kill())
        self.test = test
        self.seen = b""

    def resize(self, rows, cols):
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def type(self, text: bytes):
        os.write(self.master, text)

    def wait_for(self, text: bytes, timeout: float) -> bool:
        """Whether `text` shows within `timeout` (consumed up to it when it does)."""
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            ready, _, _ = select.select([self.master], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                return False
            self.seen += os.read(self.master, 4096)
        self.seen = self.seen.partition(text)[2]
        return True

    def settle(self, quiet: float = 0.3, timeout: float = 5.0) -> None:
        """Reads until the terminal has been quiet for `quiet` seconds: the shell has drawn its prompt.
        Keys typed while it is still redrawing land before the prompt on the screen jitgate reads, and
        the line it judges is then not the one typed (it fails closed; a slow build shows it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], quiet)
            if not ready:
                return
            try:
                self.seen += os.read(self.master, 4096)
            except OSError:
                return

    def expect(self, text: bytes, timeout=10.0) -> bytes:
        """Everything up to and including `text`."""
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            ready, _, _ = select.select([self.master], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                self.test.fail(f"no {text!r} on the terminal; saw {self.seen!r}")
            try:
                self.seen += os.read(self.master, 4096)
            except OSError:
                self.test.fail(f"the terminal closed (ssh exited {self.ssh.wait(5)}) before {text!r}; saw {self.seen!r}")
        before, _, self.seen = self.seen.partition(text)
        return before + text

    def expect_prompt_after_cancel(self, prompt: bytes = b"# "):
        """The prompt after a cancelled line (^C). bash does not always redraw it (seen against sshd
        directly too): an empty line asks for a fresh one."""
        for _attempt in range(3):
            if self.wait_for(prompt, 3):
                return
            self.type(b"\r")
        self.test.fail(f"no prompt after the cancelled line; saw {self.seen!r}")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class SshBase(unittest.TestCase):
    """One sshd and one jitgate (SSH only) per class; alice's key, bob's, and one nobody knows."""
    jg: Jitgate = None
    policy = POLICY  # roles and access rules of every proxy the class starts

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="jitgate-ssh-it-"))
        cls.sshd = Sshd()
        cls.addClassCleanup(cls.sshd.cleanup)
        cls.sshd.start()
        cls.alice_key, cls.bob_key, cls.mallory_key = cls.tmp / "alice", cls.tmp / "bob", cls.tmp / "mallory"
        alice_pub, bob_pub = ssh_keygen(cls.alice_key, "alice@laptop"), ssh_keygen(cls.bob_key, "bob@laptop")
        ssh_keygen(cls.mallory_key, "mallory@nowhere")
        deploy_pub = ssh_keygen(cls.tmp / "deploy", "jitgate-deploy")
        cls.sshd.authorize(deploy_pub)
        ssh_keygen(cls.tmp / "other_host", "other")
        cls.files = cls.sshd.dir / "files"
        cls.files.mkdir()
        cls.jg = cls.start_proxy()

    @classmethod
    def tearDownClass(cls):
        harness.shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def targets(cls) -> str:
        other = key_text(Path(f"{cls.tmp / 'other_host'}.pub").read_text())
        lines = []
        for name, host_key in (("web-1", cls.sshd.host_key), ("web-2", cls.sshd.host_key),
                               ("web-3", cls.sshd.host_key), ("web-4", cls.sshd.host_key), ("web-5", cls.sshd.host_key),
                               ("web-bad", other)):
            lines.append(f"  - {{ name: {name}, kind: ssh, address: 127.0.0.1:{cls.sshd.port}, user: {cls.sshd.user},"
                         f" key_file: {yaml_str(str(cls.tmp / 'deploy'))}, host_key: {yaml_str(host_key)} }}")
        return "\n".join(lines)

    @classmethod
    def start_proxy(cls, env=None, startup_timeout="15s", idle_timeout=None) -> Jitgate:
        # A generous startup timeout: the target's login runs inside it, and CI machines can be slow.
        keys = {ALICE: [Path(f"{cls.alice_key}.pub").read_text().strip()],
                BOB: [Path(f"{cls.bob_key}.pub").read_text().strip()]}
        limits = {"startup_timeout": startup_timeout}
        if idle_timeout:
            limits["idle_timeout"] = idle_timeout
        jg = Jitgate(None, ssh=True, ssh_keys=keys, extra_targets=cls.targets(), policy=cls.policy, env=env,
                     limits=limits)
        cls.addClassCleanup(jg.cleanup)
        cls.proxies = getattr(cls, "proxies", []) + [jg]
        jg.start()
        return jg

    def client(self, key=None, jg=None) -> SshClient:
        return SshClient((jg or self.jg).ssh_port, key or self.alice_key)

    def run(self, result=None):
        before = (len(result.failures) + len(result.errors)) if result else 0
        out = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > before:
            for jg in self.proxies:
                print(f"\n----- {self.id()}: jitgate log ({jg.dir}) -----\n{tail(jg.log, 30)}")
            print(f"----- sshd log -----\n{tail(self.sshd.log, 20)}")
        return out


class SshRelay(SshBase):
    # exec ----------------------------------------------------------------------------------------------
    def test_exec_relays_stdout_stderr_and_the_exit_code(self):
        r = self.client().ssh("web-1", "echo out; echo err >&2; exit 7")
        self.assertEqual((r.returncode, r.stdout, r.stderr), (7, b"out\n", b"err\n"))

    def test_exec_runs_as_the_targets_user_not_the_engineer(self):
        r = self.client().ssh("web-1", "id -un")
        self.assertEqual((r.returncode, r.stdout.decode().strip()), (0, self.sshd.user), r.stderr)

    def test_a_signal_death_reaches_the_client_as_a_failure(self):
        r = self.client().ssh("web-1", "kill -TERM $$")
        self.assertEqual(r.returncode, 255, r)

    def test_stdin_eof_reaches_the_target(self):
        r = self.client().ssh("web-1", "wc -c", input=b"12345")
        self.assertEqual((r.returncode, r.stdout.strip()), (0, b"5"), r.stderr)

    def test_only_locale_and_terminal_variables_pass(self):
        r = self.client().ssh("web-1", 'echo "[$LC_JG][$JG_SECRET]"',
                              options=("-o", "SetEnv=LC_JG=ok JG_SECRET=leaked"))
        self.assertEqual((r.returncode, r.stdout), (0, b"[ok][]\n"), r.stderr)

    def test_a_locale_whose_bytes_bash_would_read_differently_does_not_reach_the_target(self):
        # Under BIG5, GBK or Shift_JIS a backslash byte can end a character: the target's bash would parse
        # another command than the one jitgate judged. Only C, POSIX and UTF-8 locales pass.
        r = self.client().ssh("web-1", 'echo "[$LC_ALL][$LANG][$LC_CTYPE]"',
                              options=("-o", "SetEnv=LC_ALL=zh_TW.BIG5 LANG=zh_CN.GBK LC_CTYPE=C.UTF-8"))
        self.assertEqual((r.returncode, r.stdout), (0, b"[][][C.UTF-8]\n"), r.stderr)

    def test_a_malformed_locale_name_does_not_reach_the_target(self):
        # issue 10 item 11: LC_* matched by prefix only, so a name no shell could assign got through.
        r = self.client().ssh("web-1", "env | grep '^LC_' | sort",
                              options=("-o", "SetEnv=LC_JG=ok LC_JG-X=bad LC_JG.Y=bad"))
        self.assertEqual((r.returncode, r.stdout), (0, b"LC_JG=ok\n"), r.stderr)

    def test_64_mib_through_cat_arrive_byte_identical_both_ways(self):
        source = self.tmp / "big.bin"
        source.write_bytes(os.urandom(BIG))
        remote = self.files / "cat.bin"
        with open(source, "rb") as f:
            r = self.client().ssh("web-1", f"cat > {remote}", stdin=f, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sha256(remote), sha256(source))
        back = self.tmp / "back.bin"
        with open(back, "wb") as f:
            r = subprocess.run(["ssh", *self.client().options(), f"web-1@127.0.0.1", f"cat {remote}"], stdout=f,
                               stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sha256(back), sha256(source))

    def test_several_channels_share_one_connection(self):
        control = self.tmp / "cm"
        master = harness.spawn(["ssh", *self.client().options(), "-o", "ControlMaster=yes", "-o",
                                f"ControlPath={control}", "-N", "web-1@127.0.0.1"], stderr=subprocess.PIPE)
        self.addCleanup(lambda: master.poll() is None and master.kill())
        wait_until(lambda: control.exists() or master.poll() is not None, 10, what="the control socket")
        shared = ("-o", f"ControlPath={control}", "-o", "ControlMaster=no")
        procs = [subprocess.Popen(["ssh", *self.client().options(), *shared, "web-1@127.0.0.1", f"sleep 0.3; echo {i}"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
                 for i in range(3)]
        outs = [p.communicate(timeout=30) for p in procs]
        self.assertEqual([o[0] for o in outs], [b"0\n", b"1\n", b"2\n"], [o[1] for o in outs])
        subprocess.run(["ssh", *self.client().options(), *shared, "-O", "exit", "web-1@127.0.0.1"],
                       capture_output=True, timeout=10)
        master.wait(10)

    # terminals ----------------------------------------------------------------------------------------
    def test_a_pty_with_no_size_gets_80x24(self):
        r = self.client().ssh("web-1", "tty >/dev/null && stty size", options=("-tt",))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), b"24 80")

    def test_no_pty_without_ssh_pty(self):
        # ssh -tt treats a refused terminal as fatal and closes the channel before the command runs
        r = self.client().ssh("web-2", "echo ran", options=("-tt",))
        self.assertEqual(r.returncode, 255, r)
        self.assertIn(b"PTY allocation request failed", r.stderr)
        self.assertNotIn(b"ran", r.stdout)
        self.assertIn("refused a terminal (no role with ssh.pty)", self.jg.log_text())

    def test_no_interactive_shell_without_ssh_pty(self):
        r = self.client().ssh("web-2", input=b"echo ran\n")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn(b"interactive shells on web-2 need a role with ssh.pty", r.stderr)
        self.assertNotIn(b"ran", r.stdout)

    def test_an_interactive_shell_with_ssh_pty(self):
        r = self.client().ssh("web-1", input=b"echo $((6*7))\nexit 3\n", options=("-tt",))
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn(b"42\r\n", r.stdout)

    def test_a_shell_without_a_terminal_is_refused(self):
        # Its commands would come on stdin, where no line is judged (issue 10, found beside item 5).
        r = self.client().ssh("web-1", input=b"echo $((6*7))\nexit 3\n", options=("-T",))
        self.assertNotEqual(r.returncode, 3)
        self.assertNotIn(b"42", r.stdout)
        self.assertIn(b"needs a terminal (ssh -t)", r.stderr)

    def test_a_terminal_gets_its_size_and_window_changes(self):
        term = Terminal(self, [*self.client().options(), "web-1@127.0.0.1"], rows=30, cols=100)
        term.type(b"stty size; echo ready-$((1+1))\n")
        self.assertIn(b"30 100", term.expect(b"ready-2"))
        term.resize(40, 120)
        term.ssh.send_signal(signal.SIGWINCH)
        time.sleep(0.3)
        term.type(b"stty size; echo again-$((2+2))\n")
        self.assertIn(b"40 120", term.expect(b"again-4"))
        term.type(b"exit 5\n")
        self.assertEqual(term.ssh.wait(10), 5)

    # file transfer ------------------------------------------------------------------------------------
    def test_64_mib_through_scp_arrive_byte_identical_both_ways(self):
        source = self.tmp / "scp.bin"
        source.write_bytes(os.urandom(BIG))
        for mode, options in (("sftp", ()), ("legacy", ("-O",))):
            with self.subTest(mode=mode):
                remote = self.files / f"scp-{mode}.bin"
                r = self.client().scp(source, self.client().destination("web-1", str(remote)), options=options)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(sha256(remote), sha256(source))
                back = self.tmp / f"scp-{mode}-back.bin"
                r = self.client().scp(self.client().destination("web-1", str(remote)), back, options=options)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(sha256(back), sha256(source))

    def test_sftp_put_and_get(self):
        source = self.tmp / "sftp.txt"
        source.write_bytes(b"through jitgate\n" * 1000)
        remote, back = self.files / "sftp.txt", self.tmp / "sftp-back.txt"
        r = self.client().sftp("web-1", f"put {source} {remote}\nget {remote} {back}\nls {self.files}\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(back.read_bytes(), source.read_bytes())
        self.assertIn(b"sftp.txt", r.stdout)

    def test_sftp_and_scp_are_refused_without_ssh_sftp(self):
        source = self.tmp / "refused.txt"
        source.write_text("no\n")
        r = self.client().sftp("web-2", f"put {source} {self.files / 'refused.txt'}\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"needs a role with ssh.sftp", r.stderr)
        r = self.client().scp(source, self.client().destination("web-2", str(self.files / "refused.txt")),
                              options=("-O",))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"needs a role with ssh.sftp", r.stderr)
        self.assertFalse((self.files / "refused.txt").exists())

    # forwarding -----------------------------------------------------------------------------------------
    def test_port_forwarding_is_refused_by_default(self):
        r = self.client().ssh("web-1", options=("-W", f"127.0.0.1:{self.sshd.port}"), input=b"")
        self.assertEqual(r.returncode, 255)
        self.assertNotIn(b"SSH-2.0-", r.stdout)
        self.assertIn("port forwarding", self.jg.log_text())

    def test_port_forwarding_works_with_ssh_port_forwarding(self):
        r = self.client().ssh("web-3", options=("-W", f"127.0.0.1:{self.sshd.port}"), input=b"")
        self.assertTrue(r.stdout.startswith(b"SSH-2.0-OpenSSH"), r)

    def test_remote_port_forwarding_is_refused_by_default(self):
        port = harness.free_port()
        r = self.client().ssh("web-1", "true", options=("-o", "ExitOnForwardFailure=yes",
                                                        "-R", f"{port}:127.0.0.1:{self.sshd.port}"))
        self.assertEqual(r.returncode, 255, r)
        self.assertIn(b"remote port forwarding failed", r.stderr)

    def test_remote_port_forwarding_works_with_ssh_port_forwarding(self):
        port = harness.free_port()  # the target listens on it; its connections come back to sshd's port
        r = self.client().ssh("web-3", f"bash -c 'exec 3<>/dev/tcp/127.0.0.1/{port}; head -c 8 <&3'",
                              options=("-o", "ExitOnForwardFailure=yes", "-R", f"{port}:127.0.0.1:{self.sshd.port}"))
        self.assertEqual((r.returncode, r.stdout), (0, b"SSH-2.0-"), r)

    def test_agent_forwarding_is_refused(self):
        r = self.client().ssh("web-1", "echo ${SSH_AUTH_SOCK:-none}", options=("-A",))
        self.assertEqual((r.returncode, r.stdout), (0, b"none\n"), r.stderr)

    # who gets in ----------------------------------------------------------------------------------------
    def test_an_unknown_client_key_is_refused(self):
        r = self.client(self.mallory_key).ssh("web-1", "true")
        self.assertEqual(r.returncode, 255)
        self.assertIn(b"Permission denied", r.stderr)

    def test_authentication_attempts_are_bounded(self):
        keys = [self.tmp / f"stranger-{i}" for i in range(12)]
        for key in keys:
            if not key.exists():
                ssh_keygen(key, key.name)
        identities = [arg for key in keys for arg in ("-i", str(key))]
        r = self.client(self.mallory_key).ssh("web-1", "true", options=tuple(identities))
        self.assertEqual(r.returncode, 255)
        self.assertIn("too many authentication failures", self.jg.log_text())

    def test_a_user_without_a_role_on_the_target_is_refused_with_a_message(self):
        r = self.client(self.bob_key).ssh("web-1", "true", options=("-o", "LogLevel=INFO"))
        self.assertEqual(r.returncode, 255)
        self.assertIn(b"bob holds no role on web-1", r.stderr)

    def test_a_requestable_role_is_named_in_the_refusal(self):
        r = self.client().ssh("web-4", "true", options=("-o", "LogLevel=INFO"))
        self.assertEqual(r.returncode, 255)
        self.assertIn(b"jitgate grant request web-4 --role operator", r.stderr)

    def test_an_unknown_target_is_refused_with_a_message(self):
        r = self.client().ssh("no-such-host", "true", options=("-o", "LogLevel=INFO"))
        self.assertEqual(r.returncode, 255)
        self.assertIn(b'there is no SSH target "no-such-host"', r.stderr)

    def test_a_wrong_pinned_host_key_refuses_the_target_and_is_logged(self):
        r = self.client().ssh("web-bad", "true", options=("-o", "LogLevel=INFO"))
        self.assertEqual(r.returncode, 255)
        self.assertIn(b"does not match its pinned host_key", r.stderr)
        self.assertIn("does not match its pinned host_key", self.jg.log_text())

    def test_authentication_and_sessions_are_audited(self):
        r = self.client().ssh("web-1", "true")
        self.assertEqual(r.returncode, 0, r.stderr)

        def records():
            lines = (self.jg.dir / "audit.jsonl").read_text().splitlines()
            return [json.loads(line) for line in lines]
        wait_until(lambda: any(x["type"] == "session_end" and x.get("target") == "web-1" for x in records()), 10,
                   what="the session end in the audit log")
        types = {(x["type"], x.get("result")) for x in records() if x.get("target") == "web-1"}
        self.assertIn(("auth", "ok"), types)
        self.assertIn(("session_start", None), types)

        def indexed():
            r = subprocess.run([str(harness.JITGATE_BIN), "sessions", "--json", "-c", str(self.jg.config_path)],
                               capture_output=True, text=True, env=self.jg.env(), timeout=30)
            rows = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
            return [row for row in rows if row["protocol"] == "ssh" and row["target"] == "web-1" and row["ended_at"]]
        rows = wait_until(indexed, 10, 0.2, "the SSH session in the session index")
        self.assertEqual(rows[0]["user"], ALICE)


    def test_the_host_key_was_generated_private(self):
        key = self.jg.dir / "ssh_host_ed25519_key"
        self.assertEqual(key.stat().st_mode & 0o777, 0o600)
        self.assertIn("generated now", self.jg.log_text())


class SshSeams(SshBase):
    """The exec hook and closing from another thread, on proxies of their own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.marked = cls.start_proxy(env={harness.DENY_MARKER_ENV: "FORBIDDEN"})

    def test_a_blocked_exec_prints_the_reason_and_exits_126(self):
        c = self.client(jg=self.marked)
        r = c.ssh("web-1", "echo FORBIDDEN")
        self.assertEqual(r.returncode, 126, r)
        self.assertIn(b"jitgate: blocked", r.stderr)
        self.assertEqual(r.stdout, b"")
        r = c.ssh("web-1", "echo allowed")
        self.assertEqual((r.returncode, r.stdout), (0, b"allowed\n"), r.stderr)

    def test_a_blocked_typed_line_is_cancelled_with_a_message(self):
        term = Terminal(self, [*self.client(jg=self.marked).options(), "web-1@127.0.0.1"])
        # Like a person: type at a prompt, and press Enter once the line is on the screen (a ^C while bash
        # starts ends it; one that reaches the terminal together with unread keys can leave no prompt).
        term.type(b"PS1='jg''> '; echo ready-$((1+1))\r")
        term.expect(b"ready-2")
        term.expect(b"jg> ")
        term.type(b"echo FORBIDDEN $((40+2))")
        term.expect(b"$((40+2))")
        term.type(b"\r")
        term.expect(b"jitgate: blocked")
        term.expect(b"^C")
        term.expect_prompt_after_cancel(b"jg> ")
        term.type(b"echo ok-$((1+1))\r")
        screen = term.expect(b"ok-2\r\n")
        self.assertNotIn(b"FORBIDDEN 42", screen)
        term.type(b"exit 4\r")
        self.assertEqual(term.ssh.wait(10), 4)

    def test_shutdown_ends_live_sessions_with_a_message(self):
        jg = self.start_proxy()
        client = subprocess.Popen(["ssh", *self.client(jg=jg).options(), "web-1@127.0.0.1", "echo started; sleep 30"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.addCleanup(lambda: client.poll() is None and client.kill())
        self.assertEqual(client.stdout.readline(), b"started\n")
        started = time.monotonic()
        jg.proc.send_signal(signal.SIGTERM)
        out, err = client.communicate(timeout=15)
        self.assertLess(time.monotonic() - started, 8)
        self.assertEqual(client.returncode, 255)
        self.assertIn(b"jitgate is shutting down", err)
        self.assertEqual(jg.wait_exit(10), 0)

    def test_a_silent_client_is_dropped_after_the_startup_timeout(self):
        jg = self.start_proxy(startup_timeout="2s")
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", jg.ssh_port), timeout=15) as s:
            data = b""
            while chunk := s.recv(4096):
                data += chunk
        self.assertTrue(data.startswith(b"SSH-2.0-"), data)
        self.assertLess(time.monotonic() - started, 8)

    def test_an_idle_connection_is_closed_after_the_idle_timeout_and_a_busy_one_is_not(self):
        # issue 11 item 9: limits.idle_timeout applies to SSH too (no bytes either way for that long).
        jg = self.start_proxy(idle_timeout="2s")
        busy = self.client(jg=jg).ssh("web-1", "for n in 1 2 3 4 5; do echo tick; sleep 1; done", timeout=30)
        self.assertEqual((busy.returncode, busy.stdout.count(b"tick")), (0, 5), busy.stderr)
        started = time.monotonic()
        term = Terminal(self, [*self.client(jg=jg).options(), "web-1@127.0.0.1"])
        term.expect(b"# ")
        term.expect(b"idle for 2 s (limits.idle_timeout)", timeout=10)
        self.assertNotEqual(term.ssh.wait(10), 0)
        self.assertLess(time.monotonic() - started, 8)

    def test_refused_terminals_transfers_and_forwards_are_audited_like_blocks(self):
        # issue 11 item 9: web-2's role has no ssh switches.
        jg = self.start_proxy()
        self.client(jg=jg).ssh("web-2", "true", options=("-tt",))
        self.client(jg=jg).sftp("web-2", "ls /\n")
        self.client(jg=jg).ssh("web-2", options=("-W", f"127.0.0.1:{self.sshd.port}"), input=b"")

        def refusals():
            lines = (jg.dir / "audit.jsonl").read_text().splitlines()
            return [r for r in map(json.loads, lines) if r["type"] == "refusal"]

        wait_until(lambda: len(refusals()) >= 3, 5, 0.1, "the refusals in the audit log")
        whats = " | ".join(r["what"] for r in refusals())
        for word in ("ssh.pty", "ssh.sftp", "ssh.port_forwarding"):
            self.assertIn(word, whats)
        self.assertTrue(all(r["user"] == ALICE and r["target"] == "web-2" for r in refusals()), refusals())
        r = subprocess.run([str(harness.JITGATE_BIN), "audit", "--type", "refusal", "-c", str(jg.config_path)],
                           capture_output=True, text=True, env=jg.env(), timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ssh/refused", r.stdout)

    def test_a_reload_keeps_live_sessions(self):
        jg = self.start_proxy()
        client = subprocess.Popen(["ssh", *self.client(jg=jg).options(), "web-1@127.0.0.1",
                                   "echo started; sleep 1; echo done"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.addCleanup(lambda: client.poll() is None and client.kill())
        self.assertEqual(client.stdout.readline(), b"started\n")
        for _ in range(3):
            jg.proc.send_signal(signal.SIGHUP)
            time.sleep(0.1)
        out, err = client.communicate(timeout=15)
        self.assertEqual((client.returncode, out), (0, b"done\n"), err)
        wait_until(lambda: "reloaded" in jg.log_text(), 5, what="the reload")

    def cli(self, jg, *args, user=ALICE) -> subprocess.CompletedProcess:
        env = dict(jg.env(), JITGATE_USER=user)
        return subprocess.run([str(harness.JITGATE_BIN), *args, "-c", str(jg.config_path)], capture_output=True,
                              text=True, env=env, timeout=30)

    def test_a_revoked_grant_closes_the_live_session(self):
        jg = self.start_proxy()
        r = self.cli(jg, "grant", "request", "web-4", "--role", "operator", "--for", "30m", "--reason", "INC-4711")
        self.assertEqual(r.returncode, 0, r.stderr)
        grant_id = re.search(r"\bg-[0-9a-f]+\b", r.stdout + r.stderr).group(0)
        r = self.cli(jg, "grant", "approve", grant_id, "--by", BOB, user=BOB)
        self.assertEqual(r.returncode, 0, r.stderr)
        wait_until(lambda: self.client(jg=jg).ssh("web-4", "true").returncode == 0, 10, 0.2,
                   "the approved grant to open web-4")
        client = subprocess.Popen(["ssh", *self.client(jg=jg).options(), "web-4@127.0.0.1", "echo started; sleep 30"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.addCleanup(lambda: client.poll() is None and client.kill())
        self.assertEqual(client.stdout.readline(), b"started\n")
        r = self.cli(jg, "grant", "revoke", grant_id, user=BOB)
        self.assertEqual(r.returncode, 0, r.stderr)
        out, err = client.communicate(timeout=10)
        self.assertEqual(client.returncode, 255)
        self.assertIn(f"grant {grant_id} was revoked".encode(), err)
        r = self.client(jg=jg).ssh("web-4", "true", options=("-o", "LogLevel=INFO"))
        self.assertEqual(r.returncode, 255)
        self.assertIn(b"alice holds no role on web-4", r.stderr)

    def approved_grant(self, jg, target: str, role: str) -> str:
        r = self.cli(jg, "grant", "request", target, "--role", role, "--for", "30m", "--reason", "INC-4712")
        self.assertEqual(r.returncode, 0, r.stderr)
        grant_id = re.search(r"\bg-[0-9a-f]+\b", r.stdout + r.stderr).group(0)
        r = self.cli(jg, "grant", "approve", grant_id, user=BOB)
        self.assertEqual(r.returncode, 0, r.stderr)
        return grant_id

    def test_an_sftp_channel_opened_under_a_grant_ends_with_it_though_a_standing_role_remains(self):
        # web-5: a standing exec-only role (no sftp) plus a grant of operator (sftp). Before the fix the
        # standing role cleared what the session relied on, and sftp went on after the revoke.
        jg = self.start_proxy()
        grant_id = self.approved_grant(jg, "web-5", "operator")
        source = self.tmp / "under-grant.txt"
        source.write_text("uploaded under the grant\n")
        first, second = self.files / "sftp-grant-1.txt", self.files / "sftp-grant-2.txt"
        wait_until(lambda: self.client(jg=jg).sftp("web-5", f"ls {self.files}\n").returncode == 0, 10, 0.2,
                   "the approved grant to allow sftp on web-5")
        sftp = subprocess.Popen(["sftp", *self.client(jg=jg).options("-P"), "-b", "-", "web-5@127.0.0.1"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=harness._ssh_env())
        self.addCleanup(lambda: sftp.poll() is None and sftp.kill())
        sftp.stdin.write(f"put {source} {first}\n".encode())
        sftp.stdin.flush()
        wait_until(first.exists, 10, what="the first upload")
        r = self.cli(jg, "grant", "revoke", grant_id, user=BOB)
        self.assertEqual(r.returncode, 0, r.stderr)
        wait_until(lambda: f"grant {grant_id} was revoked" in jg.log_text(), 10,
                   what="the sftp session to be closed after the revoke")
        try:
            sftp.stdin.write(f"put {source} {second}\nrm {first}\n".encode())
            sftp.stdin.close()
        except BrokenPipeError:
            pass
        self.assertNotEqual(sftp.wait(10), 0)
        self.assertFalse(second.exists(), "an upload went through after the grant was revoked")
        self.assertTrue(first.exists(), "a delete went through after the grant was revoked")
        # The standing role still lets her in, without sftp.
        self.assertEqual(self.client(jg=jg).ssh("web-5", "true").returncode, 0)
        r = self.client(jg=jg).sftp("web-5", f"ls {self.files}\n")
        self.assertIn(b"needs a role with ssh.sftp", r.stderr)

    def test_a_terminal_opened_under_a_grant_is_closed_when_it_is_revoked(self):
        jg = self.start_proxy()
        grant_id = self.approved_grant(jg, "web-5", "operator")
        wait_until(lambda: self.client(jg=jg).ssh("web-5", "true", options=("-tt",)).returncode == 0, 10, 0.2,
                   "the approved grant to allow a terminal on web-5")
        term = Terminal(self, [*self.client(jg=jg).options(), "web-5@127.0.0.1"])
        term.expect(b"# ")
        term.type(b"echo shell-$((6*7))\r")
        term.expect(b"shell-42")
        r = self.cli(jg, "grant", "revoke", grant_id, user=BOB)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotEqual(term.ssh.wait(10), 0)
        term.expect(f"grant {grant_id} was revoked".encode())


if __name__ == "__main__":
    harness.main()
