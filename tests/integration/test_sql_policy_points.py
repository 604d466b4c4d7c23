"""DESIGN §4's SQL policy points on the live path (issue 11 items 1 and 8): what only an admin role may run
(explicit locks, two-phase commit, lifting a read-only guard, demoting pg_catalog in the search_path, the
secret catalogs), a search_path at start-up that demotes pg_catalog, and what the built-in lexer-settings
rule no longer blocks (RESET ALL, DISCARD ALL — a pooler's reset query —, RESET or SET … on of
standard_conforming_strings, ALTER FUNCTION … RESET ALL) while it still blocks turning it off."""
import psycopg
from psycopg import errors

import harness
from harness import ALICE, ALICE_PASSWORD, TARGET, IntegrationTest, PgError, Wire

WRITER_POLICY = f"""
roles:
  writer: {{ allow: [read, write, ddl] }}
access:
  - users: [group:engineers]
    targets: [{TARGET}]
    standing: writer
"""

OPERATOR_POLICY = f"""
roles:
  operator: {{ allow: [read, write, ddl, admin] }}
access:
  - users: [group:engineers]
    targets: [{TARGET}]
    standing: operator
"""


class PolicyTest(IntegrationTest):
    def connect(self, **extra):
        conn = psycopg.connect(self.jg.conninfo(**extra), autocommit=True)
        self.addCleanup(conn.close)
        return conn

    def assertBlocked(self, conn, sql, *, mentions=()):
        with self.assertRaises(errors.InsufficientPrivilege) as caught:
            conn.execute(sql)
        diag = caught.exception.diag
        text = f"{diag.message_primary} {diag.message_detail} {diag.message_hint}"
        for word in mentions:
            self.assertIn(word, text)
        return text


class AdminPointsForAWriter(PolicyTest):
    """A role with read, write and ddl but not admin."""
    jitgate_options = {"policy": WRITER_POLICY}

    def test_an_explicit_lock_even_a_weak_one_is_admin(self):
        conn = self.connect()
        conn.execute("CREATE TABLE IF NOT EXISTS jg_locked (id int)")
        for sql in ["LOCK TABLE jg_locked IN ACCESS SHARE MODE", "LOCK jg_locked"]:
            with self.subTest(sql):
                conn.execute("BEGIN")
                self.assertBlocked(conn, sql, mentions=("admin",))
                conn.execute("ROLLBACK")

    def test_two_phase_commit_is_admin(self):
        conn = self.connect()
        conn.execute("BEGIN")
        self.assertBlocked(conn, "PREPARE TRANSACTION 'jg-2pc'", mentions=("admin",))
        conn.execute("ROLLBACK")
        self.assertBlocked(conn, "COMMIT PREPARED 'jg-2pc'")
        self.assertBlocked(conn, "ROLLBACK PREPARED 'jg-2pc'")
        self.assertEqual(self.pg.sql("SELECT count(*) FROM pg_prepared_xacts").strip(), "0")

    def test_lifting_a_read_only_guard_is_admin_and_setting_one_is_not(self):
        conn = self.connect()
        conn.execute("SET default_transaction_read_only = on")
        for sql in ["SET default_transaction_read_only = off",
                    "SELECT set_config('default_transaction_read_only', 'off', false)",
                    "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", "BEGIN READ WRITE"]:
            with self.subTest(sql):
                self.assertBlocked(conn, sql, mentions=("admin",))
        self.assertEqual(conn.execute("SHOW default_transaction_read_only").fetchone()[0], "on")
        with self.assertRaises(errors.ReadOnlySqlTransaction):
            conn.execute("CREATE TABLE jg_never (id int)")

    def test_a_search_path_that_demotes_pg_catalog_is_admin(self):
        conn = self.connect()
        for sql in ["SET search_path = public, pg_catalog",
                    "SELECT set_config('search_path', 'public, pg_catalog', false)"]:
            with self.subTest(sql):
                self.assertBlocked(conn, sql, mentions=("pg_catalog",))
        conn.execute("SET search_path = \"$user\", public")
        conn.execute("SELECT pg_catalog.set_config('search_path', '', false)")
        self.assertEqual(conn.execute("SHOW search_path").fetchone()[0], "")

    def test_reading_the_password_catalogs_is_admin(self):
        conn = self.connect()
        for sql in ["SELECT rolname FROM pg_authid", "SELECT * FROM pg_catalog.pg_shadow",
                    "SELECT * FROM pg_user_mappings"]:
            with self.subTest(sql):
                self.assertBlocked(conn, sql, mentions=("admin",))
        self.assertTrue(conn.execute("SELECT rolname FROM pg_roles").fetchall())

    def test_psql_meta_commands_and_driver_settings_pass(self):
        r = harness.psql(self.jg.conninfo(), "-A", "-t", "-c", "\\dt", "-c", "\\l", "-c", "\\du",
                         "-c", "\\dn", "-c", "\\df", "-c", "\\dx")
        self.assertEqual(r.returncode, 0, r.stderr)
        conn = self.connect()
        for sql in ["SET DateStyle = 'ISO'", "SET extra_float_digits = 3", "SET application_name = 'jg'",
                    "SHOW transaction_isolation", "SELECT version()", "SET standard_conforming_strings = on"]:
            with self.subTest(sql):
                conn.execute(sql)


class StartupSearchPath(PolicyTest):
    """The start-up parameter and `options` are the other ways to set search_path."""
    jitgate_options = {"policy": OPERATOR_POLICY}

    def refused(self, params) -> PgError:
        w = Wire(self.jg.port)
        self.addCleanup(w.close)
        w.startup(params)
        try:
            w.authenticate(ALICE, ALICE_PASSWORD)
            for m in w.read_until_ready():
                if m.type == b"E":
                    raise PgError(harness.error_fields(m.body))
        except PgError as e:
            self.assertEqual(e.severity, "FATAL", e.fields)
            return e
        self.fail(f"startup with {params} was admitted")

    def base(self, **extra):
        return [("user", ALICE), ("database", TARGET)] + list(extra.items())

    def test_a_startup_search_path_that_demotes_pg_catalog_is_refused(self):
        for params in [self.base(search_path="public, pg_catalog"),
                       self.base(options="-c search_path=evil,pg_catalog"),
                       self.base(search_path='"unterminated')]:
            with self.subTest(params):
                e = self.refused(params)
                self.assertEqual(e.sqlstate, "42501")
                self.assertIn("pg_catalog", e.message)

    def test_a_startup_search_path_that_keeps_pg_catalog_first_is_passed(self):
        for value in ["pg_catalog,public", "app,public"]:
            with self.subTest(value):
                conn = self.connect(options=f"-c search_path={value}")
                self.assertEqual(conn.execute("SHOW search_path").fetchone()[0], value)


class LexerRuleForAnOperator(PolicyTest):
    """An admin role: what cannot turn standard_conforming_strings off runs; turning it off never does."""
    jitgate_options = {"policy": OPERATOR_POLICY}

    def test_reset_all_discard_all_and_on_run_and_the_setting_stays_on(self):
        conn = self.connect()
        for sql in ["RESET standard_conforming_strings", "SET standard_conforming_strings = on",
                    "SET standard_conforming_strings TO DEFAULT", "RESET ALL", "DISCARD ALL"]:
            with self.subTest(sql):
                conn.execute(sql)
                self.assertEqual(conn.execute("SHOW standard_conforming_strings").fetchone()[0], "on")

    def test_discard_all_as_a_pooler_sends_it_forgets_prepared_statements(self):
        w = self.jg.wire()
        self.addCleanup(w.close)
        self.assertEqual(w.query("PREPARE jg_p AS SELECT 1").errors, [])
        self.assertEqual(w.query("DISCARD ALL").errors, [])
        r = w.query("SELECT count(*) FROM pg_prepared_statements")
        self.assertEqual(r.rows, [["0"]])

    def test_alter_function_settings_are_ddl_not_lexer_changes(self):
        conn = self.connect()
        conn.execute("CREATE OR REPLACE FUNCTION jg_f() RETURNS int LANGUAGE sql AS 'SELECT 1'")
        conn.execute("ALTER FUNCTION jg_f() SET standard_conforming_strings = off")
        self.assertIn("standard_conforming_strings=off",
                      self.pg.sql("SELECT proconfig FROM pg_proc WHERE proname = 'jg_f'"))
        conn.execute("ALTER FUNCTION jg_f() RESET ALL")
        self.assertEqual(self.pg.sql("SELECT proconfig IS NULL FROM pg_proc WHERE proname = 'jg_f'").strip(), "t")

    def test_turning_standard_conforming_strings_off_is_still_blocked_whatever_the_role(self):
        conn = self.connect()
        for sql in ["SET standard_conforming_strings = off", "SET LOCAL standard_conforming_strings TO false",
                    "SELECT set_config('standard_conforming_strings', 'off', false)"]:
            with self.subTest(sql):
                self.assertBlocked(conn, sql, mentions=("builtin:lexer-settings",))
        self.assertEqual(conn.execute("SHOW standard_conforming_strings").fetchone()[0], "on")


if __name__ == "__main__":
    harness.main()
