"""jitgate's upstream login as the target's user: SCRAM-SHA-256, md5 or trust, whichever the server asks;
upstream failures reach the client as a FATAL 08006 that names the target and no secret."""
import struct

import harness
from harness import ALICE, ALICE_PASSWORD, IntegrationTest, PgError, Wire, psql


class UpstreamLogin:
    """Mixin: the same checks against each upstream auth method."""
    expected_auth_code: int

    def test_the_server_asks_for_the_expected_method_on_a_direct_connection(self):
        w = Wire(self.pg.port)
        self.addCleanup(w.close)
        w.startup({"user": harness.UPSTREAM_USER, "database": harness.UPSTREAM_DB})
        m = w.read_message()
        self.assertEqual(m.type, b"R")
        self.assertEqual(struct.unpack("!I", m.body[:4])[0], self.expected_auth_code)

    def test_jitgate_logs_in_as_the_targets_user(self):
        r = psql(self.jg.conninfo(), "-A", "-t", "-c", "SELECT current_user, count(*) FROM customers")
        self.assertEqual((r.returncode, r.stdout), (0, f"{harness.UPSTREAM_USER}|5\n".encode()), r.stderr)

    def test_many_sequential_logins_succeed(self):
        for _ in range(10):
            with self.jg.wire() as w:
                self.assertEqual(w.query("SELECT 1").rows, [["1"]])


class UpstreamScram(UpstreamLogin, IntegrationTest):
    pg_auth = "scram-sha-256"
    expected_auth_code = 10

    def upstream_failure(self, jg) -> PgError:
        w = Wire(jg.port)
        self.addCleanup(w.close)
        with self.assertRaises(PgError) as ctx:
            w.connect(ALICE, harness.TARGET, ALICE_PASSWORD)
        self.assertTrue(w.is_closed(5))
        return ctx.exception

    def test_a_wrong_upstream_password_is_a_fatal_08006_without_secrets(self):
        jg = self.start_own_jitgate(upstream_password="not-the-real-one")
        e = self.upstream_failure(jg)
        self.assertEqual((e.severity, e.sqlstate), ("FATAL", "08006"))
        self.assertIn(harness.TARGET, e.message)
        text = " ".join(e.fields.values()) + jg.log_text()
        for secret in ("not-the-real-one", self.pg.password, ALICE_PASSWORD):
            self.assertNotIn(secret, text)

    def test_an_unreachable_upstream_is_a_fatal_08006(self):
        jg = self.start_own_jitgate(upstream_address=f"127.0.0.1:{harness.free_port()}")
        e = self.upstream_failure(jg)
        self.assertEqual((e.severity, e.sqlstate), ("FATAL", "08006"))
        self.assertIn(harness.TARGET, e.message)


class UpstreamMd5(UpstreamLogin, IntegrationTest):
    pg_auth = "md5"
    expected_auth_code = 5


class UpstreamTrust(UpstreamLogin, IntegrationTest):
    pg_auth = "trust"
    expected_auth_code = 0


if __name__ == "__main__":
    harness.main()
