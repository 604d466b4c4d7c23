"""Graceful shutdown: on SIGTERM or SIGINT jitgate stops accepting, ends every session with FATAL
57P01 (idle or in the middle of a statement) and exits 0."""
import signal
import time

import harness
from harness import IntegrationTest, PgError, port_accepts, query_msg


class Shutdown(IntegrationTest):
    jitgate_options = None   # every test starts (and stops) its own jitgate

    def assertEndsWith57P01(self, w):
        msgs = self.assertClosesWithin(w, 10)
        errors = [harness.error_fields(m.body) for m in msgs if m.type == b"E"]
        self.assertTrue(errors, f"no ErrorResponse before the close: {msgs}")
        self.assertEqual((errors[-1].get("V"), errors[-1].get("C")), ("FATAL", "57P01"), errors[-1])

    def test_sigterm_ends_an_idle_session_with_57P01_and_jitgate_exits_0(self):
        jg = self.start_own_jitgate()
        w = jg.wire()
        self.addCleanup(w.close)
        self.assertEqual(w.query("SELECT 1").rows, [["1"]])
        jg.proc.send_signal(signal.SIGTERM)
        self.assertEndsWith57P01(w)
        self.assertEqual(jg.wait_exit(10), 0)

    def test_sigint_ends_sessions_like_sigterm(self):
        jg = self.start_own_jitgate()
        w = jg.wire()
        self.addCleanup(w.close)
        jg.proc.send_signal(signal.SIGINT)
        self.assertEndsWith57P01(w)
        self.assertEqual(jg.wait_exit(10), 0)

    def test_sigterm_ends_a_session_in_the_middle_of_a_statement_promptly(self):
        jg = self.start_own_jitgate()
        w = jg.wire()
        self.addCleanup(w.close)
        w.send(query_msg("SELECT pg_sleep(30) /* jg_shutdown_busy */"))
        harness.wait_until(lambda: "1" == self.pg.sql(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%jg_shutdown_busy%'"
            " AND pid <> pg_backend_pid()").strip(), 10, 0.05, "the statement to run")
        start = time.monotonic()
        jg.proc.send_signal(signal.SIGTERM)
        self.assertEndsWith57P01(w)
        self.assertEqual(jg.wait_exit(10), 0)
        self.assertLess(time.monotonic() - start, 8)

    def test_sigterm_ends_every_session_and_stops_accepting(self):
        jg = self.start_own_jitgate()
        sessions = [jg.wire() for _ in range(5)]
        for w in sessions:
            self.addCleanup(w.close)
        session_in_tx = sessions[0]
        session_in_tx.query("BEGIN")
        psql_session = harness.PsqlSession(jg.conninfo())
        self.addCleanup(psql_session.close)
        psql_session.alive()
        jg.proc.send_signal(signal.SIGTERM)
        for w in sessions:
            self.assertEndsWith57P01(w)
        self.assertEqual(jg.wait_exit(10), 0)
        self.assertFalse(port_accepts(jg.port), "the listener still accepts after shutdown")
        # psql noticed the end of its session
        psql_session.proc.stdin.write(b"SELECT 1;\n")
        psql_session.proc.stdin.flush()
        out, _ = psql_session.proc.communicate(timeout=10)
        self.assertIn(b"FATAL", out)

    def test_a_startup_in_progress_is_refused_during_shutdown(self):
        jg = self.start_own_jitgate()
        w = harness.Wire(jg.port)
        self.addCleanup(w.close)
        w.startup({"user": harness.ALICE, "database": harness.TARGET})
        self.assertEqual(w.read_message().type, b"R")   # halfway through authentication
        jg.proc.send_signal(signal.SIGTERM)
        msgs = self.assertClosesWithin(w, 10)
        self.assertEqual(jg.wait_exit(10), 0)
        codes = [harness.error_fields(m.body).get("C") for m in msgs if m.type == b"E"]
        self.assertIn(codes, ([], ["57P01"], ["57P03"]))


if __name__ == "__main__":
    harness.main()
