"""`jitgate sessions`, `verify ID` and `replay ID` against a real SQLite state store: `jitgate grant list`
creates (and migrates) the store, then the session rows the proxy would write are inserted here with
sqlite3 (no CLI writes sessions), one of them pointing at a recording made with harness.chained_recording.
Checks the table and --json, the --user/--target/--since/--limit filters (clock injected with
JITGATE_TEST_NOW), an id played back and verified like its file, and clear errors (exit 1) for an
unknown id, a session without a recording, a missing recording, store or config. Needs no PostgreSQL."""
import json
import sqlite3
import subprocess
import tempfile
import textwrap
import unittest
from pathlib import Path

import harness
from harness import JITGATE_BIN

CONFIG = textwrap.dedent("""\
    listen: {{ postgres: 127.0.0.1:6432 }}
    state: {state}
    targets:
      - name: orders-db
        kind: postgres
        address: 127.0.0.1:5432
        database: orders
        user: orders_admin
        password_env: JG_SESSIONS_TEST_PASSWORD
    users:
      - {{ name: alice }}
      - {{ name: bob }}
    roles:
      reader: {{ allow: [read] }}
    access:
      - users: [alice, bob]
        targets: [orders-db]
        standing: reader
    """)

NOW = "2026-11-28T11:00:00Z"
T0 = 1795852800  # 2026-11-28T08:00:00Z

# (id, user, target, protocol, client, started_at, ended_at, statements, blocked, recording, end_reason)
# with the recording as a name under the test's directory, None for no recording.
ROWS = [
    ("s-0001", "alice", "orders-db", "postgres", "192.0.2.7:51234", T0, T0 + 95, 3, 1, "s-0001.jsonl",
     "client terminated"),
    ("s-0002", "bob", "orders-db", "postgres", "192.0.2.8:40000", T0 + 3600, None, 0, 0, "s-0002.jsonl", None),
    ("s-0003", "alice", "billing-db", "ssh", "192.0.2.7:51300", T0 + 7200, T0 + 7200 + 3725, 9, 0, None,
     "client closed the channel"),
    ("s-0004", "alice", "orders-db", "postgres", "192.0.2.7:51400", T0 + 9000, T0 + 9010, 1, 0, "gone.jsonl",
     "client terminated"),
]

RECORDS = [
    {"type": "header", "session": "s-0001", "user": "alice", "target": "orders-db", "protocol": "postgres",
     "client": "192.0.2.7:51234", "config": "9b1c4422", "start": "2026-11-28T08:00:00.000Z"},
    {"type": "statement", "t": 1.5, "kind": "query", "sql": "SELECT 1", "class": "read", "verdict": "allow",
     "rule": "", "grant": "", "tag": "SELECT 1", "rows": 1, "duration_ms": 0.4},
    {"type": "statement", "t": 2.0, "kind": "query", "sql": "DROP TABLE customers", "class": "destructive",
     "verdict": "block", "rule": "no-drop", "grant": "", "tag": "", "rows": 0, "duration_ms": 0.1,
     "error": {"sqlstate": "42501", "message": "jitgate: alice may not run destructive statements"}},
    {"type": "statement", "t": 3.0, "kind": "query", "sql": "SELECT 2", "class": "read", "verdict": "allow",
     "rule": "", "grant": "", "tag": "SELECT 1", "rows": 1, "duration_ms": 0.4},
    {"type": "end", "t": 95.0, "reason": "client terminated", "statements": 3, "blocked": 1},
]

REPLAY_S_0001 = textwrap.dedent("""\
    -- session s-0001 of alice on orders-db from 192.0.2.7:51234, started 2026-11-28T08:00:00.000Z
    [+1.500s] alice@orders-db=> SELECT 1
    SELECT 1

    [+2.000s] alice@orders-db=> DROP TABLE customers
    BLOCKED (destructive, no-drop): jitgate: alice may not run destructive statements

    [+3.000s] alice@orders-db=> SELECT 2
    SELECT 1

    -- session ended at +95.000s: client terminated (3 statements, 1 blocked)
    """)


class SessionsCli(unittest.TestCase):
    def setUp(self):
        self._dir = tempfile.TemporaryDirectory()
        self.dir = Path(self._dir.name)
        self.db = self.dir / "state" / "jitgate.db"
        self.config = self.dir / "jitgate.yaml"
        self.config.write_text(CONFIG.format(state="sqlite:state/jitgate.db"))
        self.recordings = self.dir / "recordings"
        self.recordings.mkdir()
        (self.recordings / "s-0001.jsonl").write_bytes(harness.chained_recording(RECORDS))
        created = self.jitgate("grant", "list")
        self.assertEqual(created.returncode, 0, created.stderr)
        with sqlite3.connect(self.db) as db:
            for row in ROWS:
                recording = None if row[9] is None else str(self.recordings / row[9])
                db.execute("INSERT INTO sessions (id, user, target, protocol, client, started_at, ended_at, "
                           "statements, blocked, recording, end_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (*row[:9], recording, row[10]))
        db.close()

    def tearDown(self):
        self._dir.cleanup()

    def jitgate(self, *args, config=None) -> subprocess.CompletedProcess:
        return subprocess.run([str(harness.JITGATE_TESTING_BIN), *args, "-c", str(config or self.config)], capture_output=True,
                              text=True, timeout=30, cwd=self.dir,
                              env=harness.clean_env(JG_SESSIONS_TEST_PASSWORD="not-used", JITGATE_TEST_NOW=NOW))

    def listed_ids(self, *args) -> list[str]:
        r = self.jitgate("sessions", "--json", *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return [json.loads(line)["id"] for line in r.stdout.splitlines()]

    def test_the_table_lists_sessions_newest_first_with_open_ones_marked(self):
        r = self.jitgate("sessions")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["ID", "USER", "TARGET", "CLIENT", "STARTED", "DURATION", "STATEMENTS",
                                            "BLOCKED", "RECORDING"])
        rows = [line.split() for line in lines[1:]]
        self.assertEqual([row[0] for row in rows], ["s-0004", "s-0003", "s-0002", "s-0001"])
        by_id = {row[0]: row for row in rows}
        self.assertEqual(by_id["s-0001"][1:8], ["alice", "orders-db", "192.0.2.7:51234", "2026-11-28T08:00:00Z",
                                                "1m35s", "3", "1"])
        self.assertEqual(by_id["s-0001"][8], str(self.recordings / "s-0001.jsonl"))
        self.assertEqual(by_id["s-0002"][5], "open")
        self.assertEqual(by_id["s-0003"][5], "1h2m5s")
        self.assertEqual(by_id["s-0003"][8], "-")

    def test_filters_by_user_target_age_and_count(self):
        cases = [
            ((), ["s-0004", "s-0003", "s-0002", "s-0001"]),
            (("--user", "alice"), ["s-0004", "s-0003", "s-0001"]),
            (("--target", "billing-db"), ["s-0003"]),
            (("--user", "bob", "--target", "orders-db"), ["s-0002"]),
            (("--since", "90m"), ["s-0004", "s-0003"]),   # started at or after 09:30
            (("--since", "2h"), ["s-0004", "s-0003", "s-0002"]),
            (("--limit", "2"), ["s-0004", "s-0003"]),
            (("--user", "alice", "--since", "1d", "--limit", "1"), ["s-0004"]),
            (("--user", "mallory"), []),
        ]
        for args, expected in cases:
            with self.subTest(args=args):
                self.assertEqual(self.listed_ids(*args), expected)

    def test_json_lines_carry_every_field_with_null_for_what_is_not_known_yet(self):
        r = self.jitgate("sessions", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        by_id = {record["id"]: record for record in map(json.loads, r.stdout.splitlines())}
        self.assertEqual(by_id["s-0001"], {
            "id": "s-0001", "user": "alice", "target": "orders-db", "protocol": "postgres",
            "client": "192.0.2.7:51234", "started_at": "2026-11-28T08:00:00Z", "ended_at": "2026-11-28T08:01:35Z",
            "duration_seconds": 95, "statements": 3, "blocked": 1,
            "recording": str(self.recordings / "s-0001.jsonl"), "end_reason": "client terminated"})
        self.assertIsNone(by_id["s-0002"]["ended_at"])
        self.assertIsNone(by_id["s-0002"]["duration_seconds"])
        self.assertIsNone(by_id["s-0002"]["end_reason"])
        self.assertEqual(by_id["s-0003"]["protocol"], "ssh")
        self.assertIsNone(by_id["s-0003"]["recording"])

    def test_nothing_matching_says_so(self):
        r = self.jitgate("sessions", "--user", "mallory")
        self.assertEqual((r.returncode, r.stdout), (0, "no matching sessions\n"), r.stderr)

    def test_a_session_id_is_verified_and_replayed_from_its_recording(self):
        r = self.jitgate("verify", "s-0001")
        self.assertEqual((r.returncode, r.stdout), (0, "ok: sealed, 5 records\n"), r.stderr)
        r = self.jitgate("replay", "s-0001", "--no-wait")
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        self.assertEqual(r.stdout, REPLAY_S_0001)

    def test_a_file_path_still_needs_no_config(self):
        file = str(self.recordings / "s-0001.jsonl")
        missing = str(self.dir / "no-such.yaml")
        self.assertEqual(self.jitgate("verify", file, config=missing).returncode, 0)
        r = self.jitgate("replay", file, "--no-wait", config=missing)
        self.assertEqual((r.returncode, r.stdout), (0, REPLAY_S_0001), r.stderr)

    def test_ids_that_lead_nowhere_are_clear_errors(self):
        cases = [
            ("s-nope", "no session s-nope"),
            ("s-0003", "session s-0003 has no recording"),
            ("s-0004", f"session s-0004's recording {self.recordings / 'gone.jsonl'} is missing"),
        ]
        for command in ("verify", "replay"):
            for session, message in cases:
                with self.subTest(command=command, session=session):
                    r = self.jitgate(command, session)
                    self.assertEqual((r.returncode, r.stdout), (1, ""), r.stderr)
                    self.assertIn(message, r.stderr)

    def test_a_missing_store_or_config_is_a_clear_error_and_nothing_is_created(self):
        elsewhere = self.dir / "elsewhere.yaml"
        elsewhere.write_text(CONFIG.format(state="sqlite:other/jitgate.db"))
        for args in (("sessions",), ("verify", "s-0001"), ("replay", "s-0001")):
            with self.subTest(args=args):
                r = self.jitgate(*args, config=elsewhere)
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                self.assertIn(f"state store {self.dir / 'other' / 'jitgate.db'} does not exist", r.stderr)
                r = self.jitgate(*args, config=self.dir / "no-such.yaml")
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                self.assertIn("no-such.yaml", r.stderr)
        self.assertFalse((self.dir / "other").exists())

    def test_usage_and_bad_values(self):
        r = self.jitgate("sessions", "--since", "soon")
        self.assertEqual(r.returncode, 1)
        self.assertIn("--since `soon`", r.stderr)
        self.assertEqual(self.jitgate("sessions", "--limit", "0").returncode, 2)
        self.assertEqual(self.jitgate("sessions", "--bogus").returncode, 2)


if __name__ == "__main__":
    harness.main()
