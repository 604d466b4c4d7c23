"""SQL guardrails end to end (issue 3): a real PostgreSQL, `jitgate serve` with roles, grants and rules, and
real clients (psycopg, psql, raw protocol). A reader is blocked on DELETE with the exact request command;
a grant approved by someone else opens her live session; a revoke or an expiry closes it again; rules
deny whatever the grant; a shadow rule only logs; a reload takes effect without reconnecting."""
import json
import os
import pwd
import re
import signal
import subprocess
import time
import uuid

import psycopg
from psycopg import errors

import harness
from harness import (ALICE, BOB, TARGET, IntegrationTest, bind_msg, clean_env, execute_msg, function_call_msg,
                     parse_msg, sync_msg, wait_until)

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
guardrails:
  - id: no-scratch-truncate
    deny: {{ classes: [destructive] }}
  - id: customers-are-private
    deny: {{ tables: [public.customers], effects: [read] }}
    mode: shadow
  - id: no-secret-notes
    deny: {{ tables: [secret_notes], effects: [read, write] }}
"""


class Guardrails(IntegrationTest):
    revoke_grace = "30s"
    expiry_grace = "2s"

    @classmethod
    def setUpClass(cls):
        cls.jitgate_options = {"policy": POLICY,
                               "limits": {"revoke_grace": cls.revoke_grace, "expiry_grace": cls.expiry_grace}}
        super().setUpClass()
        cls.pg.sql("CREATE TABLE IF NOT EXISTS secret_notes (id int, note text)")

    # helpers -----------------------------------------------------------------------------------------
    def connect(self):
        conn = psycopg.connect(self.jg.conninfo(), autocommit=True)
        self.addCleanup(conn.close)
        return conn

    def cli(self, *args, user=ALICE) -> subprocess.CompletedProcess:
        env = dict(self.jg.env(), JITGATE_USER=user)
        return subprocess.run([str(harness.JITGATE_BIN), *args, "-c", str(self.jg.config_path)], capture_output=True,
                              text=True, env=env, timeout=30)

    def grant(self, duration="30m", approve=True) -> str:
        r = self.cli("grant", "request", TARGET, "--role", "writer", "--for", duration, "--reason", "INC-4711")
        self.assertEqual(r.returncode, 0, r.stderr)
        grant_id = re.search(r"\bg-[0-9a-f]+\b", r.stdout + r.stderr).group(0)
        if approve:
            r = self.cli("grant", "approve", grant_id, "--by", BOB, user=BOB)
            self.assertEqual(r.returncode, 0, r.stderr)
        self.addCleanup(self.cli, "grant", "revoke", grant_id, user=BOB)  # tests do not share grants
        return grant_id

    def revoke(self, grant_id):
        r = self.cli("grant", "revoke", grant_id, user=BOB)
        self.assertEqual(r.returncode, 0, r.stderr)

    def note(self) -> str:
        return "gr-" + uuid.uuid4().hex[:12]

    def insert_note(self, note: str) -> int:
        return int(self.pg.sql(f"INSERT INTO scratch (note) VALUES ('{note}') RETURNING id").split()[0])

    def count(self, note: str) -> int:
        return int(self.pg.sql(f"SELECT count(*) FROM scratch WHERE note = '{note}'"))

    def assertBlocked(self, conn, sql, *, mentions=()):
        with self.assertRaises(errors.InsufficientPrivilege) as caught:
            conn.execute(sql)
        diag = caught.exception.diag
        for word in mentions:
            self.assertIn(word, f"{diag.message_primary} {diag.message_detail} {diag.message_hint}")
        return diag

    def eventually(self, attempt, seconds=1.5, what="the change to take effect"):
        deadline = time.monotonic() + seconds
        while True:
            try:
                return attempt()
            except (AssertionError, errors.InsufficientPrivilege):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    # tests -------------------------------------------------------------------------------------------
    def test_a_reader_selects_and_is_blocked_on_delete_with_the_request_command(self):
        conn = self.connect()
        self.assertEqual(conn.execute("SELECT count(*) FROM orders").fetchone()[0], 200)
        note = self.note()
        self.insert_note(note)
        diag = self.assertBlocked(conn, f"DELETE FROM scratch WHERE note = '{note}'", mentions=("write",))
        self.assertIn(f"jitgate grant request {TARGET} --role writer --for 30m", diag.message_hint)
        self.assertEqual(self.count(note), 1, "the blocked DELETE reached the server")
        # the session stays usable, in and out of a transaction
        self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)
        conn.execute("BEGIN")
        conn.execute("SELECT 1")
        self.assertBlocked(conn, f"DELETE FROM scratch WHERE note = '{note}'")
        with self.assertRaises(errors.InFailedSqlTransaction):
            conn.execute("SELECT 1")
        conn.execute("ROLLBACK")
        self.assertEqual(conn.execute("SELECT 2").fetchone()[0], 2)

    def test_an_approved_grant_opens_the_live_session_and_a_revoke_blocks_it_again(self):
        conn = self.connect()
        note = self.note()
        self.insert_note(note)
        delete = f"DELETE FROM scratch WHERE note = '{note}'"
        self.assertBlocked(conn, delete)
        grant_id = self.grant()
        started = time.monotonic()
        self.eventually(lambda: conn.execute(delete))
        self.assertLess(time.monotonic() - started, 1.5)
        self.assertEqual(self.count(note), 0)
        self.revoke(grant_id)
        self.eventually(lambda: self.assertBlocked(conn, "DELETE FROM scratch WHERE id = -1"), what="the revoke")
        self.insert_note(note)
        self.assertBlocked(conn, delete)
        self.assertEqual(self.count(note), 1)
        self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1, "revoke_grace keeps the session open")

    def test_a_pending_grant_opens_nothing_and_self_approval_is_refused(self):
        conn = self.connect()
        grant_id = self.grant(approve=False)
        r = self.cli("grant", "approve", grant_id, "--by", ALICE)
        self.assertEqual(r.returncode, 1)
        self.assertIn("self-approval", r.stderr)
        time.sleep(0.5)
        self.assertBlocked(conn, "INSERT INTO scratch (note) VALUES ('pending')")

    def test_rules_win_over_grants_and_shadow_rules_only_log(self):
        conn = self.connect()
        self.grant()
        diag = self.eventually(lambda: self.assertBlocked(conn, "TRUNCATE scratch", mentions=("no-scratch-truncate",)))
        self.assertIn("destructive", diag.message_primary)
        self.assertBlocked(conn, "SELECT * FROM public.secret_notes", mentions=("no-secret-notes",))
        self.assertBlocked(conn, "WITH x AS (SELECT 1) SELECT * FROM secret_notes, x", mentions=("no-secret-notes",))
        # shadow: the read of customers is allowed (and logged as a would-block)
        self.assertEqual(conn.execute("SELECT count(*) FROM customers").fetchone()[0], 5)
        wait_until(lambda: "would_block" in self.jg.log.read_text() or "would-block" in self.jg.log.read_text(),
                   5, what="the shadow rule's would-block in the log")

    def test_grant_records_in_the_audit_log_name_the_os_user_that_ran_the_cli(self):
        # issue 10 item 7: until approvals are authenticated by the API, the OS account is the evidence.
        grant_id = self.grant()
        me = pwd.getpwuid(os.geteuid()).pw_name

        def grant_records():
            lines = (self.jg.dir / "audit.jsonl").read_text().splitlines()
            return {r["action"]: r for r in map(json.loads, lines) if r["type"] == "grant" and r["id"] == grant_id}

        wait_until(lambda: {"request", "approve"} <= set(grant_records()), 5, 0.1, "the grant's audit records")
        records = grant_records()
        self.assertEqual((records["request"]["user"], records["request"]["os_user"]), (ALICE, me))
        self.assertEqual((records["approve"]["by"], records["approve"]["os_user"]), (BOB, me))

    def test_the_audit_log_records_decisions_verifies_and_catches_a_one_byte_edit(self):
        conn = self.connect()
        marker = self.note()
        conn.execute(f"SELECT '{marker}'")
        self.assertBlocked(conn, f"DELETE FROM secret_notes WHERE note = '{marker}'")
        conn.execute("SELECT count(*) FROM customers")  # the shadow rule's would-block
        audit_path = self.jg.dir / "audit.jsonl"

        def logged():
            records = [json.loads(line) for line in audit_path.read_text().splitlines() if line.strip()]
            texts = [r.get("text", "") for r in records if r["type"] == "decision"]
            self.assertTrue(any(marker in t and "DELETE" in t for t in texts), texts[-5:])
            return records
        records = self.eventually(logged, 3)
        types = {r["type"] for r in records}
        self.assertTrue({"auth", "session_start", "decision"} <= types, types)
        config_hash = records[-1]["config"]
        self.assertEqual(len(config_hash), 64)
        blocked = [r for r in records if r["type"] == "decision" and r["verdict"] == "block" and marker in r["text"]]
        self.assertEqual(blocked[0]["class"], "write")
        self.assertEqual(blocked[0]["rule"], "no-secret-notes")
        shadow = [r for r in records if r["type"] == "decision" and r["verdict"] == "would_block"]
        self.assertTrue(shadow and shadow[-1]["rule"] == "customers-are-private", shadow)

        r = self.cli("verify", "--audit")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("ok:", r.stdout)
        r = self.cli("audit", "--decision", "block", "--user", ALICE)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(marker, r.stdout)

        copy = self.jg.dir / "audit-copy.jsonl"
        data = bytearray(audit_path.read_bytes())
        lines = bytes(data).split(b"\n")
        target_line = next(i for i, line in enumerate(lines) if marker.encode() in line and b"DELETE" in line)
        offset = sum(len(line) + 1 for line in lines[:target_line]) + lines[target_line].index(b"DELETE")
        data[offset] = ord("d")  # DELETE -> dELETE
        copy.write_bytes(bytes(data))
        r = subprocess.run([str(harness.JITGATE_BIN), "verify", "--audit", "--file", str(copy)], capture_output=True,
                           text=True, env=clean_env(), timeout=30)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(f"line {target_line + 1}", r.stdout + r.stderr)

    def test_lexer_settings_are_blocked_whatever_the_grant(self):
        conn = self.connect()
        self.assertBlocked(conn, "SET standard_conforming_strings = off", mentions=("builtin:lexer-settings",))
        self.assertBlocked(conn, "SELECT set_config('standard_conforming_strings', 'off', false)")
        self.assertEqual(conn.execute("SHOW standard_conforming_strings").fetchone()[0], "on")

    def test_a_blocked_parse_in_a_pipeline_is_followed_by_a_working_statement(self):
        w = self.jg.wire()
        self.addCleanup(w.close)
        note = self.note()
        w.send(parse_msg(f"INSERT INTO scratch (note) VALUES ('{note}')") + bind_msg() + execute_msg() + sync_msg()
               + parse_msg("SELECT 42") + bind_msg() + execute_msg() + sync_msg())
        blocked, ok = w.read_until_ready(), w.read_until_ready()
        self.assertEqual([e.get("C") for e in harness.Result(blocked).errors], ["42501"])
        self.assertEqual(harness.Result(ok).errors, [])
        self.assertIn(b"42", b"".join(m.body for m in ok if m.type == b"D"))
        self.assertEqual(self.count(note), 0)

    def test_execute_is_checked_again_after_the_grant_ends(self):
        w = self.jg.wire()
        self.addCleanup(w.close)
        grant_id = self.grant()
        note = self.note()
        insert = f"INSERT INTO scratch (note) VALUES ('{note}')"

        def prepared():
            results = w.run(parse_msg(insert, name="ins") + sync_msg())
            self.assertEqual(results[0].errors, [])
        self.eventually(prepared)
        self.revoke(grant_id)
        time.sleep(0.6)  # the keeper polls the store every 200 ms
        result = w.run(bind_msg(statement="ins") + execute_msg() + sync_msg())[0]
        self.assertEqual([e.get("C") for e in result.errors], ["42501"], result)
        self.assertEqual(self.count(note), 0, "the INSERT prepared under the grant ran after the revoke")
        self.assertEqual(w.query("SELECT 1").errors, [])

    def test_function_calls_by_oid_are_unknown_and_blocked(self):
        w = self.jg.wire()
        self.addCleanup(w.close)
        oid = int(self.pg.sql("SELECT 'pg_backend_pid'::regproc::oid").split()[0])
        result = w.run(function_call_msg(oid))[0]
        self.assertEqual([e.get("C") for e in result.errors], ["42501"])
        self.assertEqual(w.query("SELECT 1").errors, [])

    def test_psql_shows_the_block_and_the_hint(self):
        r = harness.psql(self.jg.conninfo(), "-c", "DELETE FROM scratch WHERE id = -1")
        err = r.stderr.decode()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("jitgate blocked this write statement", err)
        self.assertIn("HINT:", err)
        self.assertIn("jitgate grant request", err)


class TableRuleDodges(IntegrationTest):
    """A table rule limited to some effects is not stepped around by renaming, moving or re-exposing its
    table (issue 10 item 8): each attempt is refused and the table is where and what it was."""
    POLICY = """
roles:
  builder: { allow: [read, write, ddl, admin] }
access:
  - { users: [group:engineers], targets: [orders-db], standing: builder }
guardrails:
  - id: no-card-data
    deny: { tables: [vault.cards], effects: [read, write] }
"""

    @classmethod
    def setUpClass(cls):
        cls.jitgate_options = {"policy": cls.POLICY}
        super().setUpClass()
        cls.pg.sql("CREATE SCHEMA IF NOT EXISTS vault; CREATE TABLE IF NOT EXISTS vault.cards (pan text);"
                   "GRANT ALL ON SCHEMA vault TO PUBLIC; GRANT ALL ON vault.cards TO PUBLIC")

    def test_renaming_moving_or_reexposing_the_table_is_refused_and_nothing_changes(self):
        conn = psycopg.connect(self.jg.conninfo(), autocommit=True)
        self.addCleanup(conn.close)
        with self.assertRaises(errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM vault.cards")
        for sql in ("ALTER TABLE vault.cards RENAME TO plain",
                    "ALTER TABLE vault.cards SET SCHEMA public",
                    "ALTER SCHEMA vault RENAME TO open_vault",
                    "CREATE VIEW public.card_view AS SELECT * FROM vault.cards",
                    "CREATE MATERIALIZED VIEW public.card_copy AS SELECT * FROM vault.cards",
                    "CREATE TABLE public.more_cards () INHERITS (vault.cards)",
                    "GRANT SELECT ON ALL TABLES IN SCHEMA vault TO PUBLIC"):
            with self.subTest(sql=sql):
                with self.assertRaises(errors.InsufficientPrivilege) as caught:
                    conn.execute(sql)
                self.assertIn("no-card-data", caught.exception.diag.message_primary)
        self.assertEqual(self.pg.sql("SELECT to_regclass('vault.cards') IS NOT NULL").strip(), "t")
        for name in ("public.plain", "public.cards", "open_vault.cards", "public.card_view", "public.card_copy",
                     "public.more_cards"):
            self.assertEqual(self.pg.sql(f"SELECT to_regclass('{name}') IS NULL").strip(), "t", name)
        # DDL that does not re-expose it still works for the builder
        conn.execute("CREATE TABLE IF NOT EXISTS public.builder_table (id int)")
        conn.execute("ALTER TABLE public.builder_table RENAME TO builder_table2")


class GrantEnds(IntegrationTest):
    """Sessions that relied on a grant are closed once it ends: at once on revoke (grace 0 s), after
    expiry_grace on expiry."""

    @classmethod
    def setUpClass(cls):
        cls.jitgate_options = {"policy": POLICY, "limits": {"revoke_grace": "0s", "expiry_grace": "1s"}}
        super().setUpClass()

    cli = Guardrails.cli
    grant = Guardrails.grant
    revoke = Guardrails.revoke
    eventually = Guardrails.eventually

    def test_a_revoked_grant_closes_the_session_that_used_it(self):
        w = self.jg.wire()
        self.addCleanup(w.close)
        grant_id = self.grant()
        self.eventually(lambda: self.assertEqual(w.query("INSERT INTO scratch (note) VALUES ('rv')").errors, []))
        self.revoke(grant_id)
        messages = self.assertClosesWithin(w, 3)
        fatal = [harness.error_fields(m.body) for m in messages if m.type == b"E"]
        self.assertTrue(any("revoked" in f.get("M", "") for f in fatal), messages)

    def test_a_short_grant_expires_mid_session(self):
        w = self.jg.wire()
        self.addCleanup(w.close)
        self.grant(duration="3s")
        self.eventually(lambda: self.assertEqual(w.query("INSERT INTO scratch (note) VALUES ('exp')").errors, []))
        wait_until(lambda: w.query("INSERT INTO scratch (note) VALUES ('exp')").errors != [], 6,
                   what="the grant to expire")
        self.assertEqual(w.query("SELECT 1").errors, [], "blocked, not closed, during the grace")
        messages = self.assertClosesWithin(w, 4)
        fatal = [harness.error_fields(m.body) for m in messages if m.type == b"E"]
        self.assertTrue(any("expired" in f.get("M", "") for f in fatal), messages)


class Reload(IntegrationTest):
    """SIGHUP: a valid file is swapped in and open sessions follow it; a bad file is refused."""
    jitgate_options = None

    def test_reload_takes_effect_on_open_sessions_and_a_bad_file_is_refused(self):
        jg = self.start_own_jitgate(policy=POLICY)
        conn = psycopg.connect(jg.conninfo(), autocommit=True)
        self.addCleanup(conn.close)
        with self.assertRaises(errors.InsufficientPrivilege):
            conn.execute("INSERT INTO scratch (note) VALUES ('reload')")
        text = jg.config_path.read_text()
        jg.config_path.write_text(text.replace("standing: reader", "standing: writer"))
        jg.proc.send_signal(signal.SIGHUP)
        Guardrails.eventually(self, lambda: conn.execute("INSERT INTO scratch (note) VALUES ('reload')"), 3)
        jg.config_path.write_text(text.replace("standing: reader", "standing: no-such-role"))
        jg.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "reload refused" in jg.log.read_text(), 5, what="the refusal in the log")
        conn.execute("INSERT INTO scratch (note) VALUES ('reload')")  # the old (writer) config stays
        self.assertIsNone(jg.proc.poll())


if __name__ == "__main__":
    harness.main()
