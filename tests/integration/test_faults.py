"""Fault injection on a running proxy (issue 10 items 14-16), against a real PostgreSQL, checking what
reached the server: an audit log that cannot be written (a file-size limit put on the running jitgate
with prlimit, which fails writes as a full disk does) blocks every statement it cannot audit, leaves no
torn line and recovers by itself once it can write again; a state store that does not answer (held
its grants table renamed away) stops them from counting at once and they count again when it
answers; the session index ends what a killed proxy left open and catches up on writes the store did
not take."""
import json
import re
import resource
import sqlite3
import subprocess
import threading
import time
import uuid

import psycopg
from psycopg import errors

import harness
from harness import ALICE, BOB, IntegrationTest, wait_until

POLICY = """
roles:
  reader: { allow: [read] }
  writer: { allow: [read, write] }
access:
  - { users: [group:engineers], targets: [orders-db], standing: reader, requestable: [writer], max_duration: 2h,
      approvers: [bob] }
"""


def cli(jg, *args, user=ALICE) -> subprocess.CompletedProcess:
    env = dict(jg.env(), JITGATE_USER=user)
    return subprocess.run([str(harness.JITGATE_BIN), *args, "-c", str(jg.config_path)], capture_output=True,
                          text=True, env=env, timeout=30)


def audit_records(jg) -> list[dict]:
    return [json.loads(line) for line in (jg.dir / "audit.jsonl").read_text().splitlines()]


class StoreWriteLock:
    """Holds the SQLite store's write lock from another process's connection (an open transaction in an
    admin's sqlite3 shell, a stuck backup): nobody else can write it until release(). In WAL mode
    readers go on."""

    def __init__(self, path):
        self.db = sqlite3.connect(str(path), timeout=10, isolation_level=None)
        self.db.execute("BEGIN IMMEDIATE")

    def release(self):
        if self.db is not None:
            self.db.execute("ROLLBACK")
            self.db.close()
            self.db = None


class Faults(IntegrationTest):
    jitgate_options = None  # each test starts its own proxy

    def proxy(self, **options):
        return self.start_own_jitgate(policy=POLICY, **options)

    def writer_grant(self, jg) -> str:
        r = cli(jg, "grant", "request", "orders-db", "--role", "writer", "--for", "1h", "--reason", "INC-1")
        self.assertEqual(r.returncode, 0, r.stderr)
        grant = re.search(r"\bg-[0-9a-f]+\b", r.stdout + r.stderr).group(0)
        r = cli(jg, "grant", "approve", grant, user=BOB)
        self.assertEqual(r.returncode, 0, r.stderr)
        return grant

    def rows(self, note: str) -> int:
        return int(self.pg.sql(f"SELECT count(*) FROM scratch WHERE note = '{note}'"))

    def try_insert(self, conn, note: str) -> bool:
        try:
            conn.execute("INSERT INTO scratch (note) VALUES (%s)", (note,))
            return True
        except errors.InsufficientPrivilege:
            return False

    # item 14 -----------------------------------------------------------------------------------------
    def test_an_audit_log_that_cannot_be_written_blocks_what_it_cannot_audit_and_recovers(self):
        jg = self.proxy(extra_config="record: false")
        self.writer_grant(jg)
        note = "audit-" + uuid.uuid4().hex[:8]
        with psycopg.connect(jg.conninfo(), autocommit=True, prepare_threshold=None) as conn:
            wait_until(lambda: self.try_insert(conn, note), 10, 0.2, "the grant to allow writes")
            for _ in range(20):
                self.assertTrue(self.try_insert(conn, note))
            audit = jg.dir / "audit.jsonl"
            # The disk fills up: room for part of one more record only.
            limit = audit.stat().st_size + 150
            resource.prlimit(jg.proc.pid, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
            outcomes = [self.try_insert(conn, note) for _ in range(30)]
            self.assertFalse(any(outcomes[1:]), outcomes)  # once it failed, nothing unaudited goes through
            self.assertLessEqual(audit.stat().st_size, limit)
            self.assertTrue(audit.read_bytes().endswith(b"\n"), "a torn line was left in the audit log")
            r = cli(jg, "verify", "--audit", "--file", str(audit))
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            # Every row the server holds has its allow record in the log, none more.
            allowed = [rec for rec in audit_records(jg)
                       if rec["type"] == "decision" and rec["verdict"] == "allow" and rec["text"].startswith("INSERT")]
            self.assertEqual(self.rows(note), len(allowed))
            self.assertIn("statements are blocked until it can be written again", jg.log_text())

            # Space again: the next statement writes, and so goes through, without a restart or SIGHUP.
            resource.prlimit(jg.proc.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            before = self.rows(note)
            self.assertTrue(self.try_insert(conn, note))
            self.assertEqual(self.rows(note), before + 1)
        wait_until(lambda: "writable again" in jg.log_text(), 5, what="the recovery log line")
        r = cli(jg, "verify", "--audit", "--file", str(audit))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        gaps = [rec for rec in audit_records(jg) if rec["type"] == "audit_gap"]
        self.assertEqual(len(gaps), 1, gaps)
        self.assertGreaterEqual(gaps[0]["dropped"], 1)
        self.assertIn("File too large", gaps[0]["error"])
        self.assertIsNone(jg.proc.poll(), "jitgate died of the file-size limit")

    # item 15 -----------------------------------------------------------------------------------------
    def test_a_store_whose_grants_cannot_be_read_stops_them_at_once_and_they_count_again_after(self):
        # In WAL mode no lock stops a reader, so the store is made unreadable another way: its grants
        # table is renamed away (and back) by another process, as a botched migration or restore would.
        jg = self.proxy(extra_config="record: false")
        self.writer_grant(jg)
        note = "store-" + uuid.uuid4().hex[:8]
        admin = sqlite3.connect(str(jg.dir / "jitgate.db"), timeout=10, isolation_level=None)
        self.addCleanup(admin.close)
        with psycopg.connect(jg.conninfo(), autocommit=True, prepare_threshold=None) as conn:
            wait_until(lambda: self.try_insert(conn, note), 10, 0.2, "the grant to allow writes")
            admin.execute("ALTER TABLE grants RENAME TO grants_away")
            admin.execute("UPDATE counters SET value = value + 1 WHERE name = 'changes'")  # as any grant write does
            broken_at = time.monotonic()
            wait_until(lambda: not self.try_insert(conn, note), 3, 0.05,
                       "writes that rely on the store's grant to be blocked")
            self.assertLess(time.monotonic() - broken_at, 2.0)
            before = self.rows(note)
            outcomes = [self.try_insert(conn, note) for _ in range(20)]
            self.assertEqual(outcomes, [False] * 20)
            self.assertEqual(self.rows(note), before)
            self.assertEqual(conn.execute("SELECT 1").fetchone(), (1,))  # the standing role still counts
            admin.execute("ALTER TABLE grants_away RENAME TO grants")
            admin.execute("UPDATE counters SET value = value + 1 WHERE name = 'changes'")
            wait_until(lambda: self.try_insert(conn, note), 5, 0.1, "the store's grants to count again")
        self.assertIn("store grants do not count until it answers", jg.log_text())
        self.assertIn("state store answers again", jg.log_text())

    # item 16 -----------------------------------------------------------------------------------------
    def sessions(self, jg) -> list[dict]:
        r = cli(jg, "sessions", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]

    def test_sessions_a_killed_proxy_left_open_are_ended_when_it_starts_again(self):
        jg = self.proxy()
        conn = psycopg.connect(jg.conninfo(), autocommit=True)
        self.addCleanup(conn.close)
        conn.execute("SELECT 1")
        wait_until(lambda: len(self.sessions(jg)) == 1, 5, 0.1, "the session in the index")
        jg.kill()  # kill -9: nothing ends the session
        self.assertIsNone(self.sessions(jg)[0].get("ended_at"))
        jg.start()
        wait_until(lambda: self.sessions(jg)[0].get("ended_at"), 5, 0.1, "the left-open session to be ended")
        self.assertEqual(self.sessions(jg)[0]["end_reason"], "proxy restarted")
        self.assertIn("left open are marked ended", jg.log_text())

    def test_index_writes_the_store_did_not_take_are_retried_in_order(self):
        # The write lock is held longer than the store's 5 s busy timeout: before, the keeper's thread sat
        # in the write for 5 s and then dropped the session from the index.
        jg = self.proxy()
        lock = StoreWriteLock(jg.dir / "jitgate.db")
        try:
            with psycopg.connect(jg.conninfo(), autocommit=True) as conn:
                conn.execute("SELECT 1")
            time.sleep(6.0)
        finally:
            lock.release()
        wait_until(lambda: [s.get("end_reason") for s in self.sessions(jg)] == ["connection closed"], 5, 0.2,
                   "the session's start and end to reach the index")
        self.assertIn("wait and are retried", jg.log_text())


if __name__ == "__main__":
    harness.main()
