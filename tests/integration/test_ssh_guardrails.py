"""SSH guardrails and recordings with the real guardrail pipeline (issue 5 items 4-6): every exec command is
classified by the shell classifier and checked against the engineer's roles and grants before it reaches
the target (a block exits 126 with the reason and the `jitgate grant request` hint); an approved grant
opens the next command; interactive lines on a terminal are read at Enter and a blocked one is cancelled
with ^C while the shell stays usable; the session is recorded as a chained NDJSON plus an asciicast that
`asciinema cat` reads, `jitgate verify` checks (a one-byte edit of the cast is named) and `jitgate replay`
plays. Real sshd, real ssh in a real pty."""
import json
import re
import subprocess
import time
from pathlib import Path

import harness
from harness import ALICE, BOB, wait_until
from test_ssh import SshBase, Terminal

POLICY = """
roles:
  reader: { allow: [read], ssh: { pty: true } }
  fixer:  { allow: [read, write, ddl, admin, destructive], ssh: { pty: true } }
access:
  - { users: [group:engineers], targets: [web-1, web-2, web-3, web-4, web-bad], standing: reader,
      requestable: [fixer], max_duration: 2h, approvers: [bob] }
"""


class SshGuardrails(SshBase):
    policy = POLICY

    def cli(self, *args, user=ALICE, jg=None) -> subprocess.CompletedProcess:
        jg = jg or self.jg
        env = dict(jg.env(), JITGATE_USER=user)
        return subprocess.run([str(harness.JITGATE_BIN), *args, "-c", str(jg.config_path)], capture_output=True,
                              text=True, env=env, timeout=30)

    def victim(self, name: str) -> Path:
        path = self.files / name
        path.mkdir(exist_ok=True)
        (path / "data").write_text("keep me\n")
        return path

    def test_an_exec_is_classified_and_a_blocked_one_exits_126_with_the_hint(self):
        c = self.client()
        r = c.ssh("web-1", f"ls {self.files}")
        self.assertEqual(r.returncode, 0, r.stderr)
        victim = self.victim("exec-victim")
        r = c.ssh("web-1", f"rm -rf {victim}")
        self.assertEqual(r.returncode, 126, r)
        self.assertEqual(r.stdout, b"")
        self.assertIn(b"jitgate: blocked", r.stderr)
        self.assertIn(b"missing grant: destructive on web-1", r.stderr + self.jg.log_text().encode())
        self.assertIn(b"jitgate grant request web-1 --role fixer", r.stderr)
        self.assertTrue((victim / "data").exists(), "the blocked command ran")
        # A wrapper does not hide what it runs, and code that cannot be read is unknown.
        self.assertEqual(c.ssh("web-1", f"sh -c 'rm -rf {victim}'").returncode, 126)
        self.assertEqual(c.ssh("web-1", "eval \"$CMD\"").returncode, 126)
        self.assertTrue((victim / "data").exists())

    def test_an_approved_grant_lets_the_next_exec_through(self):
        jg = self.start_proxy()
        victim = self.victim("grant-victim")
        c = self.client(jg=jg)
        self.assertEqual(c.ssh("web-2", f"rm -rf {victim}").returncode, 126)
        r = self.cli("grant", "request", "web-2", "--role", "fixer", "--for", "30m", "--reason", "INC-7", jg=jg)
        self.assertEqual(r.returncode, 0, r.stderr)
        grant_id = re.search(r"\bg-[0-9a-f]+\b", r.stdout + r.stderr).group(0)
        r = self.cli("grant", "approve", grant_id, "--by", BOB, user=BOB, jg=jg)
        self.assertEqual(r.returncode, 0, r.stderr)
        started = time.monotonic()
        wait_until(lambda: c.ssh("web-2", f"rm -rf {victim}").returncode == 0, 10, 0.2, "the grant to open rm -rf")
        self.assertLess(time.monotonic() - started, 5)
        self.assertFalse(victim.exists())

    def test_a_blocked_interactive_line_is_cancelled_and_the_shell_stays_usable(self):
        jg = self.start_proxy()
        victim = self.victim("line-victim")
        term = Terminal(self, [*self.client(jg=jg).options(), "web-3@127.0.0.1"])
        prompt = b"# "  # root's bash prompt on the test target (assigning PS1 is itself unknown: it can run code)
        term.expect(prompt)  # the shell reads from here on
        term.type(b"ls " + str(self.files).encode() + b"\r")  # typed all at once, as a paste
        term.expect(b"line-victim")
        term.expect(prompt)
        term.type(b"rm -rf " + str(victim).encode() + b"\r")  # pasted: not echoed yet when Enter comes
        term.expect(b"jitgate: blocked")
        term.expect_prompt_after_cancel(prompt)
        for key in b"rm -rf " + str(victim).encode():  # typed key by key: read off the screen
            term.type(bytes([key]))
            time.sleep(0.01)
        time.sleep(0.3)
        term.type(b"\r")
        term.expect(b"jitgate: blocked")
        term.expect_prompt_after_cancel(prompt)
        self.assertTrue((victim / "data").exists(), "a blocked line ran")
        term.type(b"echo still-$((40+2))\r")
        term.expect(b"still-42")
        term.type(b"exit 3\r")
        self.assertEqual(term.ssh.wait(10), 3)

        # The recording: listed, sealed, the cast plays in asciinema and verifies; an edit is named.
        wait_until(lambda: any(s.get("ended_at") and s.get("protocol") == "ssh" for s in self.sessions(jg)), 10,
                   what="the SSH session to end in the index")
        session = next(s for s in self.sessions(jg) if s.get("protocol") == "ssh" and s.get("ended_at"))
        recording = Path(session["recording"])
        r = self.cli("verify", str(recording), jg=jg)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("ok: sealed", r.stdout)
        text = recording.read_text()
        self.assertIn('"kind":"line"', text)
        self.assertIn('"verdict":"block"', text)
        casts = list(recording.parent.glob(recording.stem + "-ch*.cast"))
        self.assertEqual(len(casts), 1, casts)
        # asciinema cat wants a terminal (/dev/tty): util-linux's script gives it one.
        played = subprocess.run(["script", "-qefc", f"asciinema cat {casts[0]}", "/dev/null"], capture_output=True,
                                stdin=subprocess.DEVNULL, timeout=30)
        self.assertEqual(played.returncode, 0, played.stderr)
        self.assertIn(b"still-42", played.stdout)
        self.assertIn(b"jitgate: blocked", played.stdout)
        replay = self.cli("replay", session["id"], "--no-wait", jg=jg)
        self.assertEqual(replay.returncode, 0, replay.stderr)
        self.assertIn("BLOCKED (destructive", replay.stdout)
        self.assertIn("still-42", replay.stdout)
        self.assertIn("exit status 3", replay.stdout)
        data = bytearray(casts[0].read_bytes())
        data[data.index(b"still-42")] ^= 0x01
        casts[0].write_bytes(bytes(data))
        r = self.cli("verify", str(recording), jg=jg)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertRegex(r.stdout, r"broken at record \d+: .*\.cast: its SHA-256 does not match")

    def test_a_shell_without_a_terminal_is_refused_for_its_stdin_is_never_judged(self):
        # `ssh -T host` with no command asks for a shell without a pty: bash then reads commands from stdin,
        # which no keystroke judge sees. Only a terminal's lines are judged, so such a shell is refused.
        jg = self.start_proxy()
        victim = self.victim("stdin-victim")
        r = self.client(jg=jg).ssh("web-3", input=f"rm -rf {victim}\necho ran\n".encode(), options=("-T",))
        self.assertNotEqual(r.returncode, 0)
        self.assertNotIn(b"ran", r.stdout)
        self.assertIn(b"needs a terminal", r.stderr)
        self.assertTrue((victim / "data").exists(), "a command read from a shell's stdin ran unjudged")

    def type_slowly(self, term, text: bytes):
        term.settle()  # the prompt is drawn before the first key
        for key in text:  # key by key, so the screen shows the line
            term.type(bytes([key]))
            time.sleep(0.01)
        time.sleep(0.3)

    def test_a_line_run_with_another_key_than_enter_is_judged_too(self):
        # readline runs the line on C-j, C-m and C-o (operate-and-get-next) and rewrites or runs it on other
        # bindings (C-x C-e edits and executes it); only Enter was judged before.
        jg = self.start_proxy()
        victim = self.victim("key-victim")
        term = Terminal(self, [*self.client(jg=jg).options(), "web-3@127.0.0.1"])
        prompt = b"# "
        term.expect(prompt)
        for key, name in ((b"\x0f", "C-o"), (b"\n", "C-j"), (b"\x1b#", "M-#")):
            with self.subTest(key=name):
                self.type_slowly(term, b"rm -rf " + str(victim).encode())
                term.type(key)
                term.expect(b"jitgate: blocked")
                term.expect_prompt_after_cancel(prompt)
                self.assertTrue((victim / "data").exists(), f"{name} ran a blocked line")
        self.type_slowly(term, b"rm -rf " + str(victim).encode())
        term.type(b"\x18\x05")  # C-x C-e: whatever the editor leaves is run without an Enter
        term.expect(b"edit-and-execute-command")
        term.expect_prompt_after_cancel(prompt)
        self.assertTrue((victim / "data").exists(), "C-x C-e ran a line")
        self.type_slowly(term, b"echo via-c-o-$((40+2))")
        term.type(b"\x0f")  # an allowed line runs on C-o as before
        term.expect(b"via-c-o-42")
        term.type(b"\x03")  # ^C, then the exit once the prompt is back: keys sent with the ^C may be
        term.settle()        # flushed with it by the target's tty (ISIG without NOFLSH)
        term.type(b"exit 4\r")
        self.assertEqual(term.ssh.wait(10), 4)

    def sessions(self, jg) -> list[dict]:
        r = self.cli("sessions", "--json", jg=jg)
        self.assertEqual(r.returncode, 0, r.stderr)
        return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


if __name__ == "__main__":
    harness.main()
