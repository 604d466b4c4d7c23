"""Startup-packet rules: what a client may ask for when it connects, and the session settings the
guardrails rely on (standard_conforming_strings on, client_encoding UTF8 upstream)."""
import struct

import psycopg

import harness
from harness import ALICE, ALICE_PASSWORD, IntegrationTest, PgError, Wire, psql


class StartupRules(IntegrationTest):

    def refused(self, params, password=ALICE_PASSWORD, within: float = 5.0) -> PgError:
        """Sends a StartupMessage with `params` (a list allows duplicates), answers authentication if
        asked, and expects a FATAL error and the end of the connection."""
        w = Wire(self.jg.port)
        self.addCleanup(w.close)
        w.startup(params)
        try:
            w.authenticate(ALICE, password)
            for m in w.read_until_ready():
                if m.type == b"E":
                    raise PgError(harness.error_fields(m.body))
        except PgError as e:
            self.assertEqual(e.severity, "FATAL", e.fields)
            self.assertTrue(w.is_closed(within), "the connection stays open after a FATAL error")
            return e
        self.fail(f"startup with {params} was admitted")

    def admitted(self, params) -> Wire:
        w = self.jg.wire(extra=params)
        self.addCleanup(w.close)
        return w

    def base(self, **extra):
        return [("user", ALICE), ("database", harness.TARGET)] + list(extra.items())

    def test_replication_database_is_refused(self):
        e = self.refused(self.base(replication="database"))
        self.assertEqual(e.sqlstate, "0A000")

    def test_physical_replication_is_refused(self):
        e = self.refused(self.base(replication="true"))
        self.assertEqual(e.sqlstate, "0A000")

    def test_options_setting_only_allow_listed_settings_are_passed_upstream(self):
        w = self.admitted({"options": "-c statement_timeout=5 -c TimeZone=Asia/Tokyo --lock-timeout=7"})
        self.assertEqual(w.query("SHOW statement_timeout").rows, [["5ms"]])
        self.assertEqual(w.query("SHOW TimeZone").rows, [["Asia/Tokyo"]])
        self.assertEqual(w.query("SHOW lock_timeout").rows, [["7ms"]])
        r = w.query("SELECT pg_sleep(0.2)")
        self.assertEqual(r.sqlstates, ["57014"])   # statement_timeout really applies upstream

    def test_libpq_options_with_statement_timeout_works_from_psql(self):
        r = psql(self.jg.conninfo(options="-c statement_timeout=5"), "-A", "-t", "-c", "SHOW statement_timeout")
        self.assertEqual((r.returncode, r.stdout), (0, b"5ms\n"), r.stderr)

    def test_options_setting_a_setting_that_is_not_allow_listed_is_refused(self):
        e = self.refused(self.base(options="-c session_replication_role=replica"))
        self.assertEqual(e.sqlstate, "42501")
        self.assertIn("session_replication_role", e.message)

    def test_options_mixing_allowed_and_forbidden_settings_is_refused(self):
        e = self.refused(self.base(options="-c statement_timeout=5 -c default_transaction_read_only=off"))
        self.assertEqual(e.sqlstate, "42501")

    def test_options_switching_standard_conforming_strings_off_is_refused(self):
        e = self.refused(self.base(options="-c standard_conforming_strings=off"))
        self.assertEqual(e.sqlstate, "42501")

    def test_options_that_are_not_settings_are_refused(self):
        e = self.refused(self.base(options="-d 5"))
        self.assertEqual(e.sqlstate, "42501")

    def test_a_startup_parameter_outside_the_allow_list_never_reaches_the_server(self):
        w = Wire(self.jg.port)
        self.addCleanup(w.close)
        try:
            w.connect(ALICE, harness.TARGET, ALICE_PASSWORD, extra={"session_replication_role": "replica"})
        except PgError as e:
            self.assertEqual((e.severity, e.sqlstate), ("FATAL", "42501"))
            return
        # Admitted: then it must have been dropped, not applied.
        self.assertEqual(w.query("SHOW session_replication_role").rows, [["origin"]])

    def test_a_duplicated_startup_parameter_is_refused(self):
        e = self.refused(self.base() + [("application_name", "first"), ("application_name", "second")])
        self.assertEqual(e.sqlstate, "08P01")

    def test_a_duplicated_user_parameter_is_refused(self):
        e = self.refused(self.base() + [("user", "bob")])
        self.assertEqual(e.sqlstate, "08P01")

    def test_a_setting_given_directly_and_in_options_is_refused(self):
        e = self.refused(self.base(application_name="a", options="-c application_name=b"))
        self.assertEqual(e.sqlstate, "08P01")

    def test_a_startup_packet_of_10001_bytes_is_refused(self):
        params = self.base()
        fixed = len(harness.startup_packet(params + [("application_name", "")]))
        packet = harness.startup_packet(params + [("application_name", "a" * (10001 - fixed))])
        self.assertEqual(len(packet), 10001)
        w = Wire(self.jg.port)
        self.addCleanup(w.close)
        w.send(packet)
        msgs = self.assertClosesWithin(w, 2)
        self.assertFalse(any(m.type == b"R" for m in msgs), "an oversized startup packet reached authentication")

    def test_a_startup_packet_without_user_is_refused_with_28000(self):
        e = self.refused([("database", harness.TARGET)])
        self.assertEqual(e.sqlstate, "28000")

    def test_allow_listed_parameters_from_a_driver_reach_the_server(self):
        w = self.admitted({"application_name": "jg-rules", "DateStyle": "ISO, DMY", "extra_float_digits": "2",
                           "client_encoding": "UTF8"})
        self.assertEqual(w.query("SHOW application_name").rows, [["jg-rules"]])
        self.assertEqual(w.query("SHOW DateStyle").rows, [["ISO, DMY"]])
        self.assertEqual(w.parameters.get("application_name"), "jg-rules")

    def test_the_upstream_session_has_standard_conforming_strings_on_and_utf8(self):
        w = self.admitted({})
        self.assertEqual(w.parameters.get("standard_conforming_strings"), "on")
        self.assertEqual(w.parameters.get("client_encoding"), "UTF8")
        self.assertEqual(w.query("SHOW server_encoding").rows, [["UTF8"]])

    def test_a_client_asking_for_latin1_is_told_the_session_speaks_utf8(self):
        w = self.admitted({"client_encoding": "LATIN1"})
        self.assertEqual(w.parameters.get("client_encoding"), "UTF8")
        self.assertEqual(w.query("SELECT 'ü'").rows, [["ü"]])

    def test_the_server_turning_standard_conforming_strings_off_ends_the_session(self):
        # The guardrails block this SET (test_guardrails); the relay's ParameterStatus check is the
        # backstop behind them, so it is tested without them.
        jg = self.start_own_jitgate(env={"JITGATE_TEST_ALLOW_ALL": "1"})
        w = jg.wire()
        self.addCleanup(w.close)
        w.send(harness.query_msg("SET standard_conforming_strings = off"))
        msgs = self.assertClosesWithin(w, 5)
        errors = [harness.error_fields(m.body) for m in msgs if m.type == b"E"]
        self.assertTrue(errors, msgs)
        self.assertEqual((errors[-1].get("V"), errors[-1].get("C")), ("FATAL", "08P01"))
        # and the next session is fine
        self.assertEqual(self.admitted({}).query("SHOW standard_conforming_strings").rows, [["on"]])


if __name__ == "__main__":
    harness.main()
