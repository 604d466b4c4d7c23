"""Client authentication and TLS at jitgate: SCRAM-SHA-256 against the user's verifier, the same 28P01
for a wrong password and an unknown user, 3D000 for an unknown target, TLS on request, and
tls.require refusing plaintext. Upstream credentials never reach the client or the log."""
import struct

import psycopg

import harness
from harness import ALICE, ALICE_PASSWORD, IntegrationTest, PgError, Wire, psql

# PostgreSQL refuses a connection that no pg_hba rule admits (e.g. hostssl only) with 28000.
TLS_REQUIRED_SQLSTATE = "28000"


class AuthenticationAndTls(IntegrationTest):
    jitgate_options = {"tls": True}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jg_require = cls.start_jitgate(tls=True, tls_require=True)

    def refused(self, user, password, database=harness.TARGET, jg=None) -> tuple[PgError, Wire]:
        """Starts up as `user` and expects a FATAL ErrorResponse, then the end of the connection."""
        w = Wire((jg or self.jg).port)
        self.addCleanup(w.close)
        w.startup({"user": user, "database": database})
        try:
            w.authenticate(user, password)
            for m in w.read_until_ready():
                if m.type == b"E":
                    raise PgError(harness.error_fields(m.body))
        except PgError as e:
            self.assertTrue(w.is_closed(5), "a FATAL error must end the connection")
            return e, w
        self.fail(f"{user!r} to {database!r} was admitted")

    def test_alice_logs_in_with_scram_sha_256_and_the_server_signature_verifies(self):
        w = Wire(self.jg.port)
        self.addCleanup(w.close)
        w.startup({"user": ALICE, "database": harness.TARGET})
        seen = w.authenticate(ALICE, ALICE_PASSWORD)   # raises unless jitgate's ServerSignature verifies
        codes = [struct.unpack("!I", m.body[:4])[0] for m in seen]
        self.assertEqual(codes, [10, 11, 12, 0])
        self.assertIn(b"SCRAM-SHA-256\0", seen[0].body)
        w.read_until_ready()
        self.assertEqual(w.query("SELECT current_user").rows, [[harness.UPSTREAM_USER]])

    def test_wrong_password_is_refused_with_28P01(self):
        e, _ = self.refused(ALICE, "not-her-password")
        self.assertEqual((e.severity, e.sqlstate), ("FATAL", "28P01"))
        self.assertEqual(e.message, f'password authentication failed for user "{ALICE}"')

    def test_unknown_user_gets_the_same_28P01_message_after_a_full_scram_exchange(self):
        w = Wire(self.jg.port)
        self.addCleanup(w.close)
        w.startup({"user": "mallory", "database": harness.TARGET})
        seen = []
        original = w.read_message

        def spy(*a, **k):
            m = original(*a, **k)
            seen.append(m)
            return m
        w.read_message = spy
        with self.assertRaises(PgError) as ctx:
            w.authenticate("mallory", "whatever")
        e = ctx.exception
        self.assertEqual((e.severity, e.sqlstate), ("FATAL", "28P01"))
        self.assertEqual(e.message, 'password authentication failed for user "mallory"')
        # No user enumeration: the unknown user is walked through SASL and SASLContinue like a real one.
        auth_codes = [struct.unpack("!I", m.body[:4])[0] for m in seen if m.type == b"R"]
        self.assertEqual(auth_codes, [10, 11])

    def test_unknown_user_and_wrong_password_fail_with_identical_fields_but_the_name(self):
        known, _ = self.refused(ALICE, "wrong")
        unknown, _ = self.refused("mallory", "wrong")
        strip = lambda e: {k: v.replace(ALICE, "U").replace("mallory", "U") for k, v in e.fields.items()}
        self.assertEqual(strip(known), strip(unknown))

    def test_psql_with_a_wrong_password_prints_the_failure_and_exits_2(self):
        r = psql(self.jg.conninfo(password="wrong"), "-c", "SELECT 1")
        self.assertEqual(r.returncode, 2)
        self.assertIn(f'password authentication failed for user "{ALICE}"', r.stderr.decode())

    def test_unknown_target_is_refused_with_3D000_naming_it(self):
        e, _ = self.refused(ALICE, ALICE_PASSWORD, database="no-such-target")
        self.assertEqual((e.severity, e.sqlstate), ("FATAL", "3D000"))
        self.assertIn("no-such-target", e.message)

    def test_sslmode_require_connects_over_tls(self):
        with psycopg.connect(self.jg.conninfo(sslmode="require")) as conn:
            self.assertTrue(conn.pgconn.ssl_in_use)
            self.assertEqual(conn.execute("SELECT current_user").fetchone()[0], harness.UPSTREAM_USER)
        r = psql(self.jg.conninfo(sslmode="require"), "-A", "-t", "-c", "SELECT 'over tls'")
        self.assertEqual((r.returncode, r.stdout), (0, b"over tls\n"), r.stderr)

    def test_ssl_request_is_answered_S_and_the_whole_session_runs_over_tls(self):
        w = Wire(self.jg.port)
        self.addCleanup(w.close)
        w.connect(ALICE, harness.TARGET, ALICE_PASSWORD, tls=True)
        self.assertEqual(w.sock.version()[:3], "TLS")
        self.assertEqual(w.query("SELECT 40 + 2").rows, [["42"]])

    def test_gssenc_request_is_answered_N_and_startup_continues_in_plaintext(self):
        w = Wire(self.jg.port)
        self.addCleanup(w.close)
        w.send(struct.pack("!II", 8, harness.GSSENC_REQUEST_CODE))
        self.assertEqual(w.read_bytes(1), b"N")
        w.startup({"user": ALICE, "database": harness.TARGET})
        w.authenticate(ALICE, ALICE_PASSWORD)
        w.read_until_ready()
        self.assertEqual(w.query("SELECT 1").rows, [["1"]])

    def test_tls_require_refuses_a_plaintext_startup_with_a_fatal_error(self):
        e, _ = self.refused(ALICE, ALICE_PASSWORD, jg=self.jg_require)
        self.assertEqual((e.severity, e.sqlstate), ("FATAL", TLS_REQUIRED_SQLSTATE))
        r = psql(self.jg_require.conninfo(sslmode="disable"), "-c", "SELECT 1")
        self.assertEqual(r.returncode, 2)

    def test_tls_require_admits_a_tls_client(self):
        with psycopg.connect(self.jg_require.conninfo(sslmode="require")) as conn:
            self.assertTrue(conn.pgconn.ssl_in_use)
            self.assertEqual(conn.execute("SELECT 1").fetchone()[0], 1)

    def test_upstream_password_never_reaches_the_client_or_the_log(self):
        w = Wire(self.jg.port)
        self.addCleanup(w.close)
        received = []
        original = w.read_message
        w.read_message = lambda *a, **k: received.append(original(*a, **k)) or received[-1]
        w.connect(ALICE, harness.TARGET, ALICE_PASSWORD)
        w.query("SHOW ALL")
        w.close()
        self.refused(ALICE, "wrong")
        everything = b"".join(m.body for m in received)
        for secret in (self.pg.password, ALICE_PASSWORD):
            self.assertNotIn(secret.encode(), everything)
            self.assertNotIn(secret, self.jg.log_text())


if __name__ == "__main__":
    harness.main()
