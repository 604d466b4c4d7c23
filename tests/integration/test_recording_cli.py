"""`jitgate verify FILE` and `jitgate replay FILE` on a session recording crafted here: the proxy does not
write recordings yet, so a tiny Python writer (harness.chained_recording) builds one with a valid hash
chain (prev = SHA-256 of the previous line's bytes), then the tests check that verify says sealed or
unsealed, names the record of a one-byte edit, and that replay renders the golden transcript and warns
(without failing) on a broken chain. Needs no PostgreSQL and no config: the file is a copy as an auditor
would have it."""
import subprocess
import tempfile
import textwrap
import unittest
from pathlib import Path

import harness
from harness import JITGATE_BIN

RECORDS = [
    {"type": "header", "session": "s-7", "user": "alice", "target": "orders-db", "protocol": "postgres",
     "client": "192.0.2.7:51234", "config": "9b1c4422", "start": "2026-11-28T08:00:00.000Z"},
    {"type": "statement", "t": 1.5, "kind": "query", "sql": "SELECT id, name FROM customers", "class": "read",
     "verdict": "allow", "rule": "", "grant": "", "tag": "SELECT 2", "rows": 2, "duration_ms": 0.8,
     "result": {"columns": ["id", "name"], "rows": [["1", "ann"], ["2", None]]}},
    {"type": "statement", "t": 4.25, "kind": "query", "sql": "DROP TABLE customers", "class": "destructive",
     "verdict": "block", "rule": "no-drop", "grant": "", "tag": "", "rows": 0, "duration_ms": 0.1,
     "error": {"sqlstate": "42501", "message": "jitgate: alice may not run destructive statements on orders-db"}},
    {"type": "statement", "t": 5.0, "kind": "execute", "sql": "SELECT 1 / $1", "params": ["0"], "class": "read",
     "verdict": "allow", "rule": "", "grant": "", "tag": "", "rows": 0, "duration_ms": 0.3,
     "error": {"sqlstate": "22012", "message": "division by zero"}},
    {"type": "end", "t": 6.0, "reason": "client terminated", "statements": 3, "blocked": 1},
]

GOLDEN = textwrap.dedent("""\
    -- session s-7 of alice on orders-db from 192.0.2.7:51234, started 2026-11-28T08:00:00.000Z
    [+1.500s] alice@orders-db=> SELECT id, name FROM customers
     id | name
    ----+------
     1  | ann
     2  | 
    (2 rows)
    SELECT 2

    [+4.250s] alice@orders-db=> DROP TABLE customers
    BLOCKED (destructive, no-drop): jitgate: alice may not run destructive statements on orders-db

    [+5.000s] alice@orders-db=> SELECT 1 / $1
    ERROR: 22012 division by zero

    -- session ended at +6.000s: client terminated (3 statements, 1 blocked)
    """)


class RecordingCli(unittest.TestCase):
    def setUp(self):
        self._dir = tempfile.TemporaryDirectory()
        self.dir = Path(self._dir.name)
        self.file = self.dir / "copy" / "s-7-alice-orders-db.jsonl"
        self.file.parent.mkdir()
        self.file.write_bytes(harness.chained_recording(RECORDS))

    def tearDown(self):
        self._dir.cleanup()

    def jitgate(self, *args, **env) -> subprocess.CompletedProcess:
        return subprocess.run([str(JITGATE_BIN), *args], capture_output=True, text=True, timeout=30,
                              env=harness.clean_env(**env), cwd=self.dir)

    def test_verify_says_sealed_for_a_closed_recording(self):
        r = self.jitgate("verify", str(self.file))
        self.assertEqual((r.returncode, r.stdout), (0, "ok: sealed, 5 records\n"), r.stderr)

    def test_verify_says_unsealed_for_a_recording_cut_short_by_a_crash(self):
        lines = self.file.read_bytes().splitlines(keepends=True)
        self.file.write_bytes(b"".join(lines[:3]) + lines[3][:20])  # the end is lost, the last line torn
        r = self.jitgate("verify", str(self.file))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertTrue(r.stdout.startswith("ok: unsealed, 3 records"), r.stdout)

    def test_a_one_byte_edit_is_caught_and_its_record_named(self):
        original = self.file.read_bytes()
        at = original.index(b"no-drop")
        self.file.write_bytes(original[:at] + b"N" + original[at + 1:])
        r = self.jitgate("verify", str(self.file))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertTrue(r.stdout.startswith("broken at record 3: "), r.stdout)

    def test_a_session_id_without_a_config_to_find_its_store_is_a_clear_error(self):
        r = self.jitgate("verify", "s-7")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("jitgate.yaml", r.stderr)

    def test_replay_renders_the_golden_transcript_without_colour_off_a_terminal(self):
        r = self.jitgate("replay", str(self.file), "--no-wait")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, GOLDEN)
        self.assertEqual(r.stderr, "")

    def test_replay_paces_by_the_recorded_gaps_capped_by_the_idle_limit(self):
        import time
        began = time.monotonic()
        r = self.jitgate("replay", str(self.file), "--speed", "10", "--idle-limit", "1")
        took = time.monotonic() - began
        self.assertEqual(r.stdout, GOLDEN)
        # gaps 1.5, 2.75, 0.75, 1.0 capped at 1 → 3.75 s, at 10× → 0.375 s
        self.assertGreaterEqual(took, 0.37)
        self.assertLess(took, 3.0)

    def test_replay_warns_but_still_plays_a_broken_recording(self):
        original = self.file.read_bytes()
        at = original.index(b"no-drop")
        self.file.write_bytes(original[:at] + b"N" + original[at + 1:])
        r = self.jitgate("replay", str(self.file), "--no-wait")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("warning: the recording does not verify (record 3: ", r.stderr)
        self.assertIn("BLOCKED (destructive, No-drop)", r.stdout)

    def test_replay_usage(self):
        self.assertEqual(self.jitgate("replay").returncode, 2)
        self.assertEqual(self.jitgate("replay", str(self.file), "--speed", "0").returncode, 2)


if __name__ == "__main__":
    unittest.main()
