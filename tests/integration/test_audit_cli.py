"""`jitgate verify --audit` and `jitgate audit` on audit logs crafted here: the proxy does not write one
yet, so each test builds a valid hash chain in Python (prev = SHA-256 of the previous line's bytes), then
checks that verify accepts it, names the line of a one-byte edit or a torn tail, and that `audit` filters
by user, verdict, type and age (clock injected with JITGATE_TEST_NOW). Needs no PostgreSQL."""
import hashlib
import json
import subprocess
import tempfile
import textwrap
import unittest
from pathlib import Path

import harness
from harness import JITGATE_BIN

CONFIG_HASH = "9b1c4422d42cb3ae4a362bd0f02f61ec47f377648345ffdd6370b7160b621ea0"
ZERO = "0" * 64


def decision(time, user, verdict, text, rule="access[0]", risk="write"):
    return {"time": time, "type": "decision", "session": 7, "user": user, "target": "orders-db", "kind": "query",
            "text": text, "statement": "", "class": risk, "verdict": verdict, "rule": rule, "grant": "",
            "reason": f"{user} may not {risk} on orders-db"}


RECORDS = [
    {"time": "2026-11-28T08:00:00.000Z", "type": "auth", "user": "alice", "target": "orders-db",
     "client": "192.0.2.7:51234", "result": "ok", "reason": "scram-sha-256"},
    {"time": "2026-11-28T08:00:00.010Z", "type": "session_start", "session": 7, "user": "alice",
     "target": "orders-db", "client": "192.0.2.7:51234"},
    decision("2026-11-28T08:00:01.000Z", "alice", "allow", "SELECT * FROM orders", rule="", risk="read"),
    decision("2026-11-28T08:00:02.000Z", "alice", "block", 'DELETE FROM orders -- "hostile"\n\\ \x00 tail'),
    decision("2026-11-28T09:30:00.000Z", "bob", "block", "DROP TABLE orders", risk="destructive"),
    decision("2026-11-28T09:45:00.000Z", "alice", "block", "UPDATE orders SET paid = true"),
    {"time": "2026-11-28T09:50:00.000Z", "type": "grant", "action": "approve", "id": "g-7f3a9c", "user": "alice",
     "target": "orders-db", "role": "writer", "by": "bob", "status": "approved", "reason": "INC-42"},
    {"time": "2026-11-28T09:55:00.000Z", "type": "session_end", "session": 7, "user": "alice",
     "target": "orders-db", "statements": 3, "blocked": 2, "reason": "client terminated"},
]


def chained(records) -> bytes:
    """The audit log the proxy would write: seq, time, type, config, fields, prev; one line each."""
    prev, out = ZERO, b""
    for seq, fields in enumerate(records, 1):
        record = {"seq": seq, "time": fields["time"], "type": fields["type"], "config": CONFIG_HASH}
        record.update({k: v for k, v in fields.items() if k not in record})
        record["prev"] = prev
        line = json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode()
        prev = hashlib.sha256(line).hexdigest()
        out += line + b"\n"
    return out


class AuditCli(unittest.TestCase):
    def setUp(self):
        self._dir = tempfile.TemporaryDirectory()
        self.dir = Path(self._dir.name)
        self.log = self.dir / "copy" / "audit.jsonl"
        self.log.parent.mkdir()
        self.log.write_bytes(chained(RECORDS))

    def tearDown(self):
        self._dir.cleanup()

    def jitgate(self, *args, **env) -> subprocess.CompletedProcess:
        return subprocess.run([str(harness.jitgate_for(env)), *args], capture_output=True, text=True, timeout=30,
                              env=harness.clean_env(**env), cwd=self.dir)

    def verify(self, path=None) -> subprocess.CompletedProcess:
        return self.jitgate("verify", "--audit", "--file", str(path or self.log))

    def test_verify_accepts_a_copied_chain_without_a_config(self):
        r = self.verify()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        last = self.log.read_bytes().splitlines()[-1]
        self.assertEqual(r.stdout, f"ok: 8 records, last sha256 {hashlib.sha256(last).hexdigest()}\n")

    def test_a_one_byte_edit_is_caught_and_its_line_named(self):
        original = self.log.read_bytes()
        lines = original.split(b"\n")
        offset = lambda line: sum(len(x) + 1 for x in lines[:line - 1])  # noqa: E731
        edits = [  # (line, byte within it, replacement, the seq verify reports, expected reason)
            (3, lines[2].index(b"SELECT") + 1, b"e", 3, "this record was altered"),
            (4, lines[3].index(b"DELETE"), b"d", 4, "this record was altered"),
            (5, lines[4].index(b'"prev":"') + 10, b"x", 5, "prev does not match the previous record"),
            (2, lines[1].index(b'"seq":2') + 6, b"3", 3, "seq 3 follows 1"),
            (6, 0, b"[", 6, "not valid JSON"),
            (7, lines[6].index(b"approve") + 1, b"P", 7, "this record or the prev of the last line"),
        ]
        for line, column, byte, seq, why in edits:
            with self.subTest(line=line, column=column):
                edited = bytearray(original)
                edited[offset(line) + column] = byte[0]
                path = self.dir / f"edited-{line}.jsonl"
                path.write_bytes(bytes(edited))
                r = self.verify(path)
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                self.assertTrue(r.stdout.startswith(f"broken at line {line} (seq {seq}): {why}"), r.stdout)

    def test_a_torn_last_line_is_named(self):
        with self.log.open("ab") as f:
            f.write(b'{"seq":9,"time":"2026-11-28T10:')
        r = self.verify()
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout.splitlines()[0].split(":")[0], "broken at line 9 (seq 9)")
        self.assertIn("torn last line", r.stdout)

    def test_verify_reads_the_log_the_config_names(self):
        config = self.dir / "jitgate.yaml"
        config.write_text(textwrap.dedent("""\
            listen: { postgres: 127.0.0.1:6432 }
            audit_log: copy/audit.jsonl
            """))
        r = self.jitgate("verify", "--audit", "-c", str(config))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("ok: 8 records"))
        r = self.jitgate("audit", "--type", "grant", "--json", "-c", str(config))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["id"], "g-7f3a9c")

    def test_verify_usage_and_a_session_id_without_a_config(self):
        r = self.jitgate("verify")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--audit", r.stderr)
        r = self.jitgate("verify", "s-1234")   # an id is looked up in the store ./jitgate.yaml names: none here
        self.assertEqual(r.returncode, 1)
        self.assertIn("jitgate.yaml", r.stderr)
        r = self.verify(self.dir / "missing.jsonl")
        self.assertEqual(r.returncode, 1)
        self.assertIn("does not exist", r.stderr)

    def test_audit_filters_blocked_decisions_of_one_user(self):
        r = self.jitgate("audit", "--file", str(self.log), "--user", "alice", "--decision", "block")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = r.stdout.splitlines()
        self.assertEqual(rows[0].split(), ["TIME", "TYPE", "USER", "TARGET", "WHAT", "RULE", "TEXT"])
        self.assertEqual(len(rows), 3, r.stdout)
        self.assertIn("write/block", rows[1])
        self.assertIn('DELETE FROM orders -- "hostile" \\   tail', rows[1])  # control characters blanked
        self.assertIn("UPDATE orders SET paid = true", rows[2])
        self.assertNotIn("bob", r.stdout)

        r = self.jitgate("audit", "--file", str(self.log), "--user", "alice", "--decision", "block", "--json")
        source = self.log.read_text().splitlines()
        self.assertEqual(r.stdout.splitlines(), [source[3], source[5]])

    def test_audit_since_uses_the_injected_clock(self):
        r = self.jitgate("audit", "--file", str(self.log), "--since", "30m", "--json",
                         JITGATE_TEST_NOW="2026-11-28T10:00:00Z")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([json.loads(line)["seq"] for line in r.stdout.splitlines()], [5, 6, 7, 8])
        r = self.jitgate("audit", "--file", str(self.log), "--since", "1h", "--type", "decision",
                         JITGATE_TEST_NOW="2026-11-28T10:00:00Z")
        self.assertEqual(len(r.stdout.splitlines()), 3, r.stdout)  # header and two decisions
        r = self.jitgate("audit", "--file", str(self.log), "--since", "1m", JITGATE_TEST_NOW="2026-11-28T10:00:00Z")
        self.assertEqual(r.stdout, "no matching records\n")

    def test_audit_refusals(self):
        r = self.jitgate("audit", "--file", str(self.dir / "missing.jsonl"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("does not exist", r.stderr)
        r = self.jitgate("audit", "--file", str(self.log), "--decision", "maybe")
        self.assertEqual(r.returncode, 2)
        r = self.jitgate("audit", "--file", str(self.log), "--since", "soon")
        self.assertEqual(r.returncode, 1)
        self.assertIn("--since `soon`", r.stderr)

    def test_audit_skips_a_line_that_is_not_json_and_says_which(self):
        with self.log.open("a") as f:
            f.write("garbage\n")
        r = self.jitgate("audit", "--file", str(self.log), "--type", "session_end")
        self.assertEqual(r.returncode, 0)
        self.assertIn("line 9 skipped: not valid JSON", r.stderr)
        self.assertIn("3 statements, 2 blocked: client terminated", r.stdout)


if __name__ == "__main__":
    harness.main()
