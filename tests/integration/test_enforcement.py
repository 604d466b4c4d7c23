"""Enforcement of a block (with the test-only deny rule JITGATE_TEST_DENY_MARKER): a blocked Query,
Parse or FunctionCall gets SQLSTATE 42501, the session stays usable, and the client's idea of the
transaction state always matches the server's — a COMMIT after a block rolls back."""
import uuid

import psycopg
from psycopg import errors

import harness
from harness import (IntegrationTest, bind_msg, describe_msg, execute_msg, extended, flush_msg, function_call_msg,
                     parse_msg, psql, query_msg, sync_msg)

MARKER = "jg_deny_marker_7f3a"
BLOCKED = f"SELECT '{MARKER}' AS blocked"


class Enforcement(IntegrationTest):
    jitgate_options = {"deny_marker": MARKER}

    def session(self):
        w = self.jg.wire()
        self.addCleanup(w.close)
        return w

    def note(self) -> str:
        return "enf-" + uuid.uuid4().hex[:12]

    def stored(self, note: str) -> int:
        return int(self.pg.sql(f"SELECT count(*) FROM scratch WHERE note = '{note}'"))

    def assertBlocked(self, result, status: str):
        self.assertEqual(result.sqlstates, ["42501"], result)
        self.assertEqual(result.errors[0].get("V"), "ERROR")
        self.assertTrue(result.errors[0].get("M"), "the policy error says what was blocked")
        self.assertFalse(any(m.type == b"D" for m in result.messages), "a blocked statement returned rows")
        self.assertEqual(result.status, status)

    # -- simple query ----------------------------------------------------------------------------------
    def test_a_blocked_simple_query_gets_42501_and_the_session_stays_usable(self):
        w = self.session()
        self.assertBlocked(w.query(BLOCKED), "I")
        r = w.query("SELECT 'still usable'")
        self.assertOk(r)
        self.assertEqual(r.rows, [["still usable"]])

    def test_blocked_statement_inside_transaction_rolls_back_on_commit(self):
        w, note = self.session(), self.note()
        self.assertEqual(w.query("BEGIN").status, "T")
        r = w.query(f"INSERT INTO scratch (note) VALUES ('{note}')")
        self.assertEqual((r.tags, r.status), (["INSERT 0 1"], "T"))
        self.assertBlocked(w.query(BLOCKED), "E")
        r = w.query("SELECT 1")
        self.assertEqual((r.sqlstates, r.status), (["25P02"], "E"))   # the server agrees: the transaction failed
        r = w.query("COMMIT")
        self.assertEqual((r.tags, r.status), (["ROLLBACK"], "I"))
        self.assertEqual(self.stored(note), 0)

    def test_a_multi_statement_query_with_a_blocked_part_is_blocked_whole(self):
        w, note = self.session(), self.note()
        r = w.query(f"INSERT INTO scratch (note) VALUES ('{note}'); {BLOCKED}; SELECT 2")
        self.assertBlocked(r, "I")
        self.assertEqual(r.tags, [])
        self.assertEqual(self.stored(note), 0)

    def test_a_blocked_query_inside_a_savepoint_can_be_rolled_back_to_it(self):
        w, note = self.session(), self.note()
        w.query("BEGIN")
        w.query(f"INSERT INTO scratch (note) VALUES ('{note}')")
        w.query("SAVEPOINT sp")
        self.assertBlocked(w.query(BLOCKED), "E")
        r = w.query("ROLLBACK TO SAVEPOINT sp")
        self.assertEqual((r.sqlstates, r.status), ([], "T"))
        r = w.query("COMMIT")
        self.assertEqual(r.tags, ["COMMIT"])
        self.assertEqual(self.stored(note), 1)

    # -- extended protocol -----------------------------------------------------------------------------
    def test_a_blocked_parse_in_a_pipeline_is_followed_by_a_working_statement_after_sync(self):
        w = self.session()
        first, second = w.run(extended(BLOCKED) + sync_msg() + extended("SELECT 40 + 2") + sync_msg(), syncs=2)
        self.assertBlocked(first, "I")
        self.assertEqual(first.types, b"EZ")
        self.assertOk(second)
        self.assertEqual((second.types, second.rows), (b"12DCZ", [["42"]]))

    def test_a_blocked_parse_after_an_insert_in_the_same_pipeline_rolls_the_insert_back(self):
        # One Sync = one implicit transaction: the server rolls the INSERT back when a later message
        # fails, so a blocked one must fail there too.
        w, note = self.session(), self.note()
        (r,) = w.run(extended("INSERT INTO scratch (note) VALUES ($1)", [note]) + extended(BLOCKED)
                     + extended("SELECT 3") + sync_msg())
        self.assertEqual(r.types, b"12CEZ")
        self.assertEqual(r.tags, ["INSERT 0 1"])
        self.assertBlocked(r, "I")
        self.assertEqual(self.stored(note), 0)

    def test_a_blocked_parse_inside_an_explicit_transaction_leaves_it_failed_and_commit_rolls_back(self):
        w, note = self.session(), self.note()
        self.assertEqual(w.query("BEGIN").status, "T")
        (r,) = w.run(extended("INSERT INTO scratch (note) VALUES ($1)", [note]) + sync_msg())
        self.assertEqual((r.tags, r.status), (["INSERT 0 1"], "T"))
        (r,) = w.run(extended(BLOCKED) + sync_msg())
        self.assertBlocked(r, "E")
        (r,) = w.run(extended("SELECT 1") + sync_msg())
        self.assertEqual((r.sqlstates, r.status), (["25P02"], "E"))
        r = w.query("COMMIT")
        self.assertEqual((r.tags, r.status), (["ROLLBACK"], "I"))
        self.assertEqual(self.stored(note), 0)

    def test_a_blocked_named_statement_does_not_exist_afterwards(self):
        w = self.session()
        (r,) = w.run(parse_msg(BLOCKED, name="jg_s1") + sync_msg())
        self.assertBlocked(r, "I")
        (r,) = w.run(bind_msg("", "jg_s1") + execute_msg() + sync_msg())
        self.assertEqual(r.sqlstates, ["26000"])   # invalid_sql_statement_name: the server never saw it
        (r,) = w.run(parse_msg("SELECT 5", name="jg_s1") + bind_msg("", "jg_s1") + execute_msg() + sync_msg())
        self.assertEqual(r.rows, [["5"]])

    def test_a_blocked_parse_is_reported_on_flush_before_any_sync(self):
        w = self.session()
        w.send(parse_msg(BLOCKED) + describe_msg(b"S") + flush_msg())
        m = w.read_message()
        self.assertEqual(m.type, b"E")
        self.assertEqual(harness.error_fields(m.body).get("C"), "42501")
        (r,) = w.run(bind_msg() + execute_msg() + sync_msg())
        self.assertEqual(r.types, b"Z")   # everything up to Sync is skipped after an error, as the server does
        self.assertEqual(w.query("SELECT 6").rows, [["6"]])

    def test_a_blocked_function_call_gets_42501_and_the_session_stays_usable(self):
        w = self.session()
        oid = int(w.query("SELECT 'pg_catalog.lower(text)'::regprocedure::oid").rows[0][0])
        (r,) = w.run(function_call_msg(oid, ["ABC"]))
        self.assertBlocked(r, "I")
        self.assertEqual(w.query("SELECT lower('ABC')").rows, [["abc"]])

    def test_a_blocked_function_call_inside_a_transaction_makes_commit_roll_back(self):
        w, note = self.session(), self.note()
        oid = int(w.query("SELECT 'pg_catalog.lower(text)'::regprocedure::oid").rows[0][0])
        w.query("BEGIN")
        w.query(f"INSERT INTO scratch (note) VALUES ('{note}')")
        (r,) = w.run(function_call_msg(oid, ["ABC"]))
        self.assertBlocked(r, "E")
        self.assertEqual(w.query("COMMIT").tags, ["ROLLBACK"])
        self.assertEqual(self.stored(note), 0)

    def test_bind_parameters_and_copy_data_containing_the_marker_are_data_not_statements(self):
        w, note = self.session(), self.note()
        (r,) = w.run(extended("SELECT $1::text", [MARKER]) + sync_msg())
        self.assertEqual(r.rows, [[MARKER]])
        with psycopg.connect(self.jg.conninfo(), autocommit=True) as conn:
            with conn.cursor().copy("COPY scratch (note) FROM STDIN") as copy:
                copy.write_row((f"{note} {MARKER}",))
        self.assertEqual(int(self.pg.sql(f"SELECT count(*) FROM scratch WHERE note = '{note} {MARKER}'")), 1)

    # -- real clients ----------------------------------------------------------------------------------
    def test_psql_prints_the_policy_error_and_goes_on(self):
        script = f"\\set VERBOSITY verbose\n{BLOCKED};\nSELECT 'after the block' AS a;\n"
        r = psql(self.jg.conninfo(), "-A", "-t", "-f", "-", input=script)
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"ERROR:  42501:", r.stderr)
        self.assertEqual(r.stdout, b"after the block\n")

    def test_psycopg_sees_insufficient_privilege_and_its_commit_does_not_persist_the_transaction(self):
        note = self.note()
        with psycopg.connect(self.jg.conninfo()) as conn:
            conn.execute("INSERT INTO scratch (note) VALUES (%s)", (note,))
            with self.assertRaises(errors.InsufficientPrivilege):
                conn.execute(f"SELECT %s::text, '{MARKER}'", ("extended protocol",))
            with self.assertRaises(errors.InFailedSqlTransaction):
                conn.execute("SELECT 1")
            conn.commit()   # the server answers ROLLBACK
            self.assertEqual(conn.execute("SELECT 'usable'").fetchone()[0], "usable")
        self.assertEqual(self.stored(note), 0)


if __name__ == "__main__":
    harness.main()
