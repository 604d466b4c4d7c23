"""The demo's printed lines run as printed (issue 11 item 6): scripts/demo is started as a newcomer
starts it (its state in a temp dir through JITGATE_DEMO_STATE), every command line it prints is taken
from its output and run from the repository root as printed — psql with the example SQL on stdin, the
grant request and its approval (g-XXXXXX filled from the request's output), the audit search, the SSH
shell in a terminal, the SSH commands, the session list, a replay and a verify (s-… filled from the
list) — and each does what the demo says it does. The demo's log does not start with a failed login of
its own readiness probe, and psql prints no warning about its password file."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

import harness

REPO = Path(__file__).resolve().parents[2]


class Demo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.state = Path(tempfile.mkdtemp(prefix="jitgate-demo-test-"))
        os.chmod(cls.state, 0o755)  # the demo's PostgreSQL runs as postgres when root starts it
        env = dict(os.environ, JITGATE_DEMO_STATE=str(cls.state / "demo"), JOBS="2")
        cls.demo = subprocess.Popen([str(REPO / "scripts" / "demo")], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        cls.addClassCleanup(cls.stop_demo)
        cls.printed = cls.read_until("Ctrl-C stops everything.", timeout=300)

    @classmethod
    def read_until(cls, text: str, timeout: float) -> str:
        out = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = cls.demo.stdout.readline().decode(errors="replace")
            if not line:
                raise RuntimeError("the demo exited early:\n" + "".join(out))
            out.append(line)
            if text in line:
                return "".join(out)
        raise RuntimeError("the demo did not get ready:\n" + "".join(out))

    @classmethod
    def stop_demo(cls):
        if cls.demo.poll() is None:
            os.killpg(cls.demo.pid, signal.SIGTERM)
            try:
                cls.demo.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(cls.demo.pid, signal.SIGKILL)
        shutil.rmtree(cls.state, ignore_errors=True)

    # what the demo printed ---------------------------------------------------------------------------
    def lines(self) -> list[str]:
        block = self.printed.split("In another terminal, try:", 1)[1]
        return [line.strip() for line in block.splitlines() if line.startswith("  ") and line.strip()]

    def line(self, pattern: str) -> str:
        found = [line for line in self.lines() if re.search(pattern, line)]
        self.assertEqual(len(found), 1, (pattern, self.lines()))
        return found[0]

    def sh(self, line: str, input: bytes | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "JITGATE_"))}
        return subprocess.run(["bash", "-c", line], cwd=REPO, input=input, capture_output=True, timeout=timeout,
                              env=env)

    # the tests -------------------------------------------------------------------------------------
    def test_the_log_does_not_start_with_a_failed_login_of_the_demos_own_probe(self):
        log = (self.state / "demo" / "jitgate.log").read_text()
        self.assertNotIn("authentication failed", log)
        self.assertNotIn("key exchange failed", log)

    def test_alices_psql_line_runs_the_example_sql_and_her_delete_is_blocked(self):
        examples = [line for line in self.lines() if re.match(r"(SELECT|DELETE)\b", line)]
        self.assertEqual(len(examples), 3, self.lines())
        sql = "".join(line.split("--")[0].strip() + "\n" for line in examples)
        r = self.sh(self.line(r"user=alice") + " -X", input=sql.encode())
        out, err = r.stdout.decode(), r.stderr.decode()
        self.assertIn("orders_admin", out)
        self.assertRegex(out, r"\(5 rows\)")
        self.assertIn("jitgate blocked", err)
        self.assertNotIn("password file", err)
        # bob approves; he holds no role on orders-db himself, so his session logs in and reads nothing
        r = self.sh(self.line(r"user=bob") + " -X -c 'SELECT 1'")
        self.assertIn(b"jitgate blocked", r.stderr)
        self.assertNotIn(b"authentication failed", r.stderr)

    def test_the_grant_lines_request_approve_and_audit_as_printed(self):
        r = self.sh(self.line(r"^JITGATE_USER=alice .* grant request"))
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        grant = re.search(r"\bg-[0-9a-f]{6}\b", out).group(0)
        if "approved at once" not in out:  # outside the demo's auto-approval window
            r = self.sh(self.line(r"grant approve g-X+").replace("g-XXXXXX", grant))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(f"{grant} approved by bob", r.stdout.decode())
        audit = self.line(r" audit --since")
        deadline = time.monotonic() + 5  # the proxy audits the grant at its next look at the store (200 ms)
        while True:
            r = self.sh(audit)
            self.assertEqual(r.returncode, 0, r.stderr)
            if grant in r.stdout.decode() or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertIn(grant, r.stdout.decode())
        verify = re.search(r"# .*: (.*verify --audit)$", audit).group(1)
        r = self.sh(verify)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"ok", r.stdout)

    def test_the_ssh_lines_open_a_shell_run_a_read_and_block_rm(self):
        shell, status, rm = (line for line in self.lines() if line.startswith("ssh "))
        # the shell line is for a terminal: util-linux's script gives it one
        r = subprocess.run(["script", "-qefc", shell.split("#")[0].strip(), "/dev/null"], cwd=REPO,
                           input=b"echo demo-$((6*7))\nexit\n", capture_output=True, timeout=60)
        self.assertIn(b"demo-42", r.stdout, r.stderr)
        r = self.sh(status.split("#")[0] + " </dev/null")
        self.assertNotEqual(r.returncode, 126, r.stderr)
        self.assertNotIn(b"jitgate: blocked", r.stderr)
        r = self.sh(rm.split("#")[0] + " </dev/null")
        self.assertEqual(r.returncode, 126, r.stderr)
        self.assertIn(b"jitgate: blocked", r.stderr)
        self.assertIn(b"maintenance", r.stderr)  # what the printed comment says

    def test_the_session_lines_list_replay_and_verify_as_printed(self):
        r = self.sh(self.line(r"user=alice") + " -X -c 'SELECT 1'")
        self.assertEqual(r.returncode, 0, r.stderr)
        listed = self.line(r" sessions$")
        session = None
        deadline = time.monotonic() + 10
        while session is None and time.monotonic() < deadline:
            r = self.sh(listed)
            self.assertEqual(r.returncode, 0, r.stderr)
            ended = [l for l in r.stdout.decode().splitlines() if l.startswith("s-") and " open " not in l]
            session = ended[0].split()[0] if ended else None
            time.sleep(0.2)
        self.assertIsNotNone(session, "no ended session listed")
        replay = self.line(r" replay s-X+")
        r = self.sh(replay.split("#")[0].replace("s-XXXXXXXXXXXXXXXX-N", session) + " --no-wait")
        self.assertEqual(r.returncode, 0, r.stderr)
        verify = re.search(r"verify it with: (.* verify) s-\.\.\.", replay).group(1)
        r = self.sh(f"{verify} {session}")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"ok: sealed", r.stdout)


if __name__ == "__main__":
    harness.main()
