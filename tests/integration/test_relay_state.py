"""The relay's view of the server's state, attacked where the two can part (issue 10 items 3, 4, 9, 10):
a blocked statement's substitute that a client could make run, Binds and portal names the server dropped
or made without jitgate seeing, extended-protocol COPY's ignored Syncs, and a COMMIT after a revoke.
Each test checks the effect on the real PostgreSQL (a row, a sequence), not only the reply."""
import re
import subprocess
import time
import uuid

import psycopg
from psycopg import errors, pq

import harness
from harness import (ALICE, BOB, TARGET, IntegrationTest, bind_msg, close_msg, copy_data_msg, copy_done_msg,
                     copy_fail_msg, describe_msg, execute_msg, flush_msg, parse_msg, query_msg, sync_msg, wait_until)

POLICY = f"""
roles:
  reader: {{ allow: [read] }}
  writer: {{ allow: [read, write] }}
access:
  - users: [group:engineers]
    targets: [{TARGET}]
    standing: reader
    requestable: [writer]
    max_duration: 2h
    approvers: [{BOB}]
"""

RESERVED_PORTAL = "\x01jitgate blocked this portal"


class GrantedTest(IntegrationTest):
    """alice reads standing and writes under a grant bob approves; a revoke leaves her session open
    (revoke_grace) so what she set up under the grant can be tried after it."""
    revoke_grace = "60s"
    expiry_grace = "60s"

    @classmethod
    def setUpClass(cls):
        cls.jitgate_options = {"policy": POLICY,
                               "limits": {"revoke_grace": cls.revoke_grace, "expiry_grace": cls.expiry_grace}}
        super().setUpClass()
        cls.pg.sql("CREATE SEQUENCE IF NOT EXISTS jg_seq")

    def cli(self, *args, user=ALICE) -> subprocess.CompletedProcess:
        env = dict(self.jg.env(), JITGATE_USER=user)
        return subprocess.run([str(harness.JITGATE_BIN), *args, "-c", str(self.jg.config_path)], capture_output=True,
                              text=True, env=env, timeout=30)

    def grant(self, duration="30m") -> str:
        r = self.cli("grant", "request", TARGET, "--role", "writer", "--for", duration, "--reason", "INC-10")
        self.assertEqual(r.returncode, 0, r.stderr)
        grant_id = re.search(r"\bg-[0-9a-f]+\b", r.stdout + r.stderr).group(0)
        r = self.cli("grant", "approve", grant_id, "--by", BOB, user=BOB)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.addCleanup(self.cli, "grant", "revoke", grant_id, user=BOB)
        return grant_id

    def revoke(self, grant_id):
        r = self.cli("grant", "revoke", grant_id, user=BOB)
        self.assertEqual(r.returncode, 0, r.stderr)
        time.sleep(0.6)  # the keeper polls the store every 200 ms

    def wire_with_grant(self, duration="30m"):
        """A session and a grant it can write under (once the keeper has seen the approval)."""
        w = self.jg.wire()
        self.addCleanup(w.close)
        grant_id = self.grant(duration)
        wait_until(lambda: w.query("SELECT nextval('jg_seq')").errors == [], 3, what="the grant to count")
        return w, grant_id

    def note(self) -> str:
        return "rs-" + uuid.uuid4().hex[:12]

    def insert_note(self, note: str) -> None:
        self.pg.sql(f"INSERT INTO scratch (note) VALUES ('{note}')")

    def count(self, note: str) -> int:
        return int(self.pg.sql(f"SELECT count(*) FROM scratch WHERE note = '{note}'"))

    def seq(self) -> int:
        return int(self.pg.sql("SELECT last_value FROM jg_seq"))

    def assertOk(self, results):
        for r in results if isinstance(results, list) else [results]:
            self.assertEqual(r.errors, [], r)

    def assertBlocked(self, result):
        self.assertEqual(result.sqlstates[:1], ["42501"], result)


class BlockedSubstitute(GrantedTest):
    """Item 3: what jitgate sends for a blocked Execute must fail whatever the client made."""

    def test_a_client_bind_to_the_reserved_portal_name_closes_the_session_and_deletes_nothing(self):
        w, grant_id = self.wire_with_grant()
        note = self.note()
        self.insert_note(note)
        w.send(parse_msg(f"DELETE FROM scratch WHERE note = '{note}'", name="del")
               + bind_msg(RESERVED_PORTAL, "del") + sync_msg())
        messages = self.assertClosesWithin(w, 5)
        fatal = [harness.error_fields(m.body) for m in messages if m.type == b"E"]
        self.assertEqual([(f.get("V"), f.get("C")) for f in fatal], [("FATAL", "08P01")], messages)
        self.assertEqual(self.count(note), 1)
        self.assertIn("reserved prefix", self.jg.log_text())

    def test_a_bound_write_under_the_reserved_name_never_runs_in_place_of_a_blocked_execute(self):
        # The attack of the issue, end to end: on a binary that lets the Bind through, the blocked Execute
        # after the revoke runs the client's DELETE instead of failing, and the Sync behind it commits.
        w, grant_id = self.wire_with_grant()
        note = self.note()
        self.insert_note(note)
        try:
            w.send(parse_msg(f"DELETE FROM scratch WHERE note = '{note}'", name="del")
                   + bind_msg(RESERVED_PORTAL, "del") + flush_msg())
            self.assertEqual([w.read_message().type for _ in range(2)], [b"1", b"2"])
            self.revoke(grant_id)
            w.run(bind_msg("", "del") + execute_msg("") + sync_msg())
        except (harness.ConnectionClosed, harness.PgError, TimeoutError):
            pass
        self.assertEqual(self.count(note), 1, "the DELETE bound to the reserved portal ran")

    def test_every_message_naming_a_reserved_name_closes_the_session(self):
        for name, data in [
            ("Parse", parse_msg("SELECT 1", name="\x01jitgate x")),
            ("Bind statement", bind_msg("", "\x01jitgate x")),
            ("Describe portal", describe_msg(b"P", RESERVED_PORTAL)),
            ("Describe statement", describe_msg(b"S", "\x01jitgate blocked this statement")),
            ("Close", close_msg(b"P", RESERVED_PORTAL)),
            ("Execute", execute_msg(RESERVED_PORTAL)),
        ]:
            with self.subTest(name), self.jg.wire() as w:
                w.send(data + sync_msg())
                fatal = [harness.error_fields(m.body) for m in self.assertClosesWithin(w, 5) if m.type == b"E"]
                self.assertEqual([f.get("C") for f in fatal], ["08P01"])

    def test_a_cursor_declared_in_sql_under_the_reserved_name_is_not_what_a_blocked_execute_runs(self):
        # SQL DECLARE can make any portal name, the reserved one too: the substitute must not name a portal.
        w, grant_id = self.wire_with_grant()
        before = self.seq()
        self.assertOk(w.query("BEGIN"))
        self.assertOk(w.query('DECLARE "\x01jitgate blocked this portal" CURSOR FOR SELECT nextval(\'jg_seq\')'))
        self.revoke(grant_id)
        result = w.run(execute_msg("nosuchportal") + sync_msg())[0]  # unknown: blocked for a reader
        self.assertBlocked(result)
        self.assertEqual(self.seq(), before, "the blocked Execute ran the client's cursor")
        self.assertEqual(w.query("ROLLBACK").errors, [])
        self.assertEqual(w.query("SELECT 1").rows, [["1"]], "the session goes on")


if __name__ == "__main__":
    harness.main()
