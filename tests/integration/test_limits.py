"""Resource bounds: the connection limit (53300), the idle timeout (57P05), and backpressure — a client
that stops reading never makes jitgate buffer a whole result set."""
import time

import harness
from harness import ALICE, TARGET, IntegrationTest, PgError, Wire, query_msg


class Limits(IntegrationTest):
    jitgate_options = None

    def test_connections_over_max_connections_are_refused_with_53300(self):
        jg = self.start_own_jitgate(limits={"max_connections": 3})
        sessions = [jg.wire() for _ in range(3)]
        for w in sessions:
            self.addCleanup(w.close)
        extra = Wire(jg.port)
        self.addCleanup(extra.close)
        extra.startup([("user", ALICE), ("database", TARGET)])  # the error comes after the StartupMessage
        msgs = self.assertClosesWithin(extra, 5)
        errors = [harness.error_fields(m.body) for m in msgs if m.type == b"E"]
        self.assertEqual([(e.get("V"), e.get("C")) for e in errors], [("FATAL", "53300")])
        sessions[0].send(harness.terminate_msg())
        sessions[0].close()
        self.assertEqual(sessions[1].query("SELECT 1").rows, [["1"]])

        def admitted():
            try:
                with jg.wire() as w:
                    return w.query("SELECT 2").rows == [["2"]]
            except (PgError, harness.ConnectionClosed, OSError):
                return False
        harness.wait_until(admitted, 5, 0.2, "a slot to free up after a session ended")

    def hold_the_only_slot(self, jg):
        """A session in the one slot (once jitgate's own start-up probe has gone)."""
        held = []

        def admitted():
            try:
                held.append(jg.wire())
                return True
            except (PgError, harness.ConnectionClosed, OSError):
                return False
        harness.wait_until(admitted, 5, 0.1, "the one slot to be free")
        self.addCleanup(held[0].close)
        return held[0]

    def assertTooManyClients(self, jg, **conninfo):
        r = harness.psql(jg.conninfo(**conninfo), "-c", "SELECT 1", timeout=20)
        err = r.stderr.decode()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("sorry, too many clients already", err)
        self.assertNotIn("SSL exchange", err)

    def test_over_the_limit_libpq_with_sslmode_prefer_prints_too_many_clients(self):
        # issue 10 item 18: the SSLRequest is answered ('N' without TLS) before the 53300 error
        jg = self.start_own_jitgate(limits={"max_connections": 1})
        held = self.hold_the_only_slot(jg)
        self.assertTooManyClients(jg, sslmode="prefer")
        self.assertTooManyClients(jg, sslmode="disable")
        with Wire(jg.port) as raw:
            self.assertEqual(raw.ssl_request(), b"N")
            raw.startup([("user", ALICE), ("database", TARGET)])
            errors = [harness.error_fields(m.body) for m in self.assertClosesWithin(raw, 5) if m.type == b"E"]
            self.assertEqual([(e.get("V"), e.get("C")) for e in errors], [("FATAL", "53300")])
        self.assertEqual(held.query("SELECT 1").rows, [["1"]], "the admitted session is untouched")

    def test_over_the_limit_with_tls_the_handshake_completes_and_then_too_many_clients(self):
        jg = self.start_own_jitgate(limits={"max_connections": 1}, tls=True)
        self.hold_the_only_slot(jg)
        self.assertTooManyClients(jg, sslmode="prefer")
        self.assertTooManyClients(jg, sslmode="require")
        with Wire(jg.port) as raw:
            self.assertEqual(raw.ssl_request(), b"S")
            raw.start_tls()
            raw.startup([("user", ALICE), ("database", TARGET)])
            errors = [harness.error_fields(m.body) for m in self.assertClosesWithin(raw, 5) if m.type == b"E"]
            self.assertEqual([(e.get("V"), e.get("C")) for e in errors], [("FATAL", "53300")])

    def test_an_idle_session_is_closed_with_57P05_after_idle_timeout(self):
        jg = self.start_own_jitgate(limits={"idle_timeout": "2s"})
        w = jg.wire()
        self.addCleanup(w.close)
        start = time.monotonic()
        msgs = self.assertClosesWithin(w, 8)
        self.assertGreater(time.monotonic() - start, 1.5)
        codes = [harness.error_fields(m.body).get("C") for m in msgs if m.type == b"E"]
        self.assertEqual(codes, ["57P05"])

    def test_a_running_statement_is_not_idle(self):
        jg = self.start_own_jitgate(limits={"idle_timeout": "2s"})
        w = jg.wire()
        self.addCleanup(w.close)
        r = w.query("SELECT pg_sleep(3), 'done'", timeout=10)
        self.assertEqual(r.rows, [["", "done"]])

    def test_a_client_that_stops_reading_does_not_make_jitgate_buffer_the_result(self):
        jg = self.start_own_jitgate()
        w = jg.wire()
        self.addCleanup(w.close)
        w.sock.setsockopt(harness.socket.SOL_SOCKET, harness.socket.SO_RCVBUF, 64 * 1024)
        before = jg.rss_kb()
        # about 400 MB of rows; we read none of them for a while
        w.send(query_msg("SELECT g, repeat('x', 2000) FROM generate_series(1, 200000) g"))
        time.sleep(4)
        grown_mb = (jg.rss_kb() - before) / 1024
        self.assertLess(grown_mb, 64, f"jitgate grew by {grown_mb:.0f} MB while the client did not read")
        # the session is intact: read the first rows
        first = [w.read_message() for _ in range(5)]
        self.assertEqual(first[0].type, b"T")
        self.assertEqual([m.type for m in first[1:]], [b"D"] * 4)


if __name__ == "__main__":
    harness.main()
