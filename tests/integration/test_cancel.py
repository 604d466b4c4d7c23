"""CancelRequest through jitgate: the client sees jitgate's own BackendKeyData; a CancelRequest with
that key cancels the statement in flight upstream; a wrong key, or a cancel while idle, does nothing."""
import struct
import time

import harness
from harness import IntegrationTest, query_msg, send_cancel


class Cancel(IntegrationTest):

    def session(self):
        w = self.jg.wire()
        self.addCleanup(w.close)
        return w

    def wait_running(self, marker: str):
        harness.wait_until(lambda: self.pg.sql(
            f"SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%{marker}%' "
            f"AND pid <> pg_backend_pid()").strip() == "1", 15, 0.05, f"statement {marker} to run")

    def test_the_client_sees_jitgates_backend_key_not_the_upstreams(self):
        w = self.session()
        self.assertIsNotNone(w.backend_key, "no BackendKeyData during startup")
        pid, _key = w.backend_key
        upstream_pid = int(w.query("SELECT pg_backend_pid()").rows[0][0])
        self.assertNotEqual(pid, upstream_pid)
        server_pids = self.pg.sql("SELECT pid FROM pg_stat_activity").split()
        self.assertNotIn(str(pid), server_pids)

    def test_two_sessions_get_different_backend_keys(self):
        a, b = self.session(), self.session()
        self.assertNotEqual(a.backend_key, b.backend_key)

    def test_cancel_request_with_jitgates_key_cancels_the_statement_within_two_seconds(self):
        w = self.session()
        w.send(query_msg("SELECT pg_sleep(30) /* jg_cancel_right */"))
        self.wait_running("jg_cancel_right")
        start = time.monotonic()
        send_cancel(self.jg.port, *w.backend_key)
        r = harness.Result(w.read_until_ready(timeout=5))
        self.assertLess(time.monotonic() - start, 2.0)
        self.assertEqual((r.sqlstates, r.status), (["57014"], "I"))
        self.assertEqual(w.query("SELECT 'after cancel'").rows, [["after cancel"]])

    def test_cancel_request_with_a_wrong_key_does_nothing(self):
        w = self.session()
        pid, key = w.backend_key
        w.send(query_msg("SELECT pg_sleep(1.5), 'finished' /* jg_cancel_wrong */"))
        self.wait_running("jg_cancel_wrong")
        send_cancel(self.jg.port, pid, key ^ 0x5A5A5A5A)
        send_cancel(self.jg.port, pid ^ 1, key)
        send_cancel(self.jg.port, 12345, 67890)
        r = harness.Result(w.read_until_ready(timeout=10))
        self.assertOk(r)
        self.assertEqual(r.rows, [["", "finished"]])

    def test_cancel_request_with_the_upstream_pid_does_nothing(self):
        w = self.session()
        upstream_pid = int(w.query("SELECT pg_backend_pid()").rows[0][0])
        _pid, key = w.backend_key
        w.send(query_msg("SELECT pg_sleep(1.5), 'finished' /* jg_cancel_upstream_pid */"))
        self.wait_running("jg_cancel_upstream_pid")
        send_cancel(self.jg.port, upstream_pid, key)
        r = harness.Result(w.read_until_ready(timeout=10))
        self.assertOk(r)

    def test_a_cancel_while_idle_does_not_cancel_the_next_statement(self):
        w = self.session()
        send_cancel(self.jg.port, *w.backend_key)
        time.sleep(0.5)
        r = w.query("SELECT pg_sleep(0.5), 'not cancelled'")
        self.assertOk(r)
        self.assertEqual(r.rows, [["", "not cancelled"]])

    def test_a_cancel_request_connection_is_closed_without_a_reply(self):
        s = harness.socket.create_connection(("127.0.0.1", self.jg.port), timeout=5)
        self.addCleanup(s.close)
        s.sendall(struct.pack("!IIII", 16, harness.CANCEL_REQUEST_CODE, 1, 2))
        self.assertEqual(s.recv(100), b"")


if __name__ == "__main__":
    harness.main()
