"""Hostile and malformed input closes that one connection (with an ErrorResponse where the protocol
allows) and never disturbs other sessions: an established psql session keeps answering and new
sessions still connect."""
import select
import socket
import struct
import time

import harness
from harness import ALICE, ALICE_PASSWORD, IntegrationTest, PsqlSession, Wire, psql, startup_packet

STARTUP_TIMEOUT = 3          # seconds; set in the config below
MAX_MESSAGE = 1 << 20        # limits.max_message_bytes below
FAST = 1.5                   # a malformed frame must be refused well before the startup timeout


class HostileInput(IntegrationTest):
    jitgate_options = {"tls": True, "limits": {"startup_timeout": f"{STARTUP_TIMEOUT}s",
                                               "max_message_bytes": MAX_MESSAGE}}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bystander = PsqlSession(cls.jg.conninfo())
        cls.addClassCleanup(cls.bystander.close)
        cls.bystander.alive()

    def setUp(self):
        self.bystander.alive()

    def others_unaffected(self):
        """The established session answers and a new session connects."""
        self.bystander.alive()
        r = psql(self.jg.conninfo(), "-A", "-t", "-c", "SELECT count(*) FROM customers")
        self.assertEqual((r.returncode, r.stdout), (0, b"5\n"), r.stderr)
        if self.jg.proc:
            self.assertIsNone(self.jg.proc.poll(), "jitgate exited")

    def raw(self) -> Wire:
        w = Wire(self.jg.port)
        self.addCleanup(w.close)
        return w

    def session(self) -> Wire:
        w = self.jg.wire()
        self.addCleanup(w.close)
        return w

    def assertFatalAndClosed(self, w: Wire, sqlstate: str, within: float = 5.0, error_required: bool = True):
        msgs = self.assertClosesWithin(w, within)
        errors = [harness.error_fields(m.body) for m in msgs if m.type == b"E"]
        if not error_required and not errors:
            return
        self.assertTrue(errors, f"expected an ErrorResponse before the close, got {msgs}")
        self.assertEqual((errors[-1].get("V"), errors[-1].get("C")), ("FATAL", sqlstate), errors[-1])

    # -- before startup -------------------------------------------------------------------------------
    def test_startup_length_below_4_closes_the_connection_at_once(self):
        for length in (0, 2, 3):
            w = self.raw()
            w.send(struct.pack("!I", length) + b"\0" * 8)
            self.assertClosesWithin(w, FAST)
        self.others_unaffected()

    def test_huge_startup_length_closes_the_connection_at_once(self):
        w = self.raw()
        w.send(struct.pack("!II", 0x7FFFFFFF, harness.PROTOCOL_3_0) + b"user\0alice\0")
        self.assertClosesWithin(w, FAST)
        self.others_unaffected()

    def test_http_request_closes_the_connection_at_once(self):
        w = self.raw()
        w.send(b"GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/7.88\r\n\r\n")
        msgs = self.assertClosesWithin(w, FAST)
        self.assertFalse(any(m.type == b"R" for m in msgs))
        self.others_unaffected()

    def test_unsupported_protocol_version_is_refused(self):
        w = self.raw()
        w.send(startup_packet({"user": ALICE, "database": harness.TARGET}, protocol=2 << 16))
        # The error may come in the client's (2.0) format, which our reader skips: only its code is checked.
        self.assertFatalAndClosed(w, "0A000", FAST, error_required=False)
        self.others_unaffected()

    def test_one_byte_per_second_is_cut_off_by_the_startup_timeout(self):
        packet = startup_packet({"user": ALICE, "database": harness.TARGET, "application_name": "slowloris"})
        self.assertGreater(len(packet), 3 * STARTUP_TIMEOUT)
        s = socket.create_connection(("127.0.0.1", self.jg.port))
        self.addCleanup(s.close)
        start = time.monotonic()
        closed_at = None
        for i, byte in enumerate(packet):
            try:
                s.sendall(bytes([byte]))
            except OSError:
                closed_at = time.monotonic()
                break
            readable, _, _ = select.select([s], [], [], 1.0)
            if readable:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data or b"E" in data[:1]:
                    closed_at = time.monotonic()
                    break
            if i % 2 == 1:
                self.bystander.alive()   # the other session answers while the slow one drips
        self.assertIsNotNone(closed_at, "a startup packet sent at one byte per second was never cut off")
        self.assertGreater(closed_at - start, STARTUP_TIMEOUT - 1)
        self.assertLess(closed_at - start, STARTUP_TIMEOUT + 3)
        self.others_unaffected()

    def test_stalled_authentication_is_cut_off_by_the_startup_timeout(self):
        w = self.raw()
        start = time.monotonic()
        w.startup({"user": ALICE, "database": harness.TARGET})
        first = w.read_message()
        self.assertEqual(first.type, b"R")   # AuthenticationSASL; we never answer it
        self.assertClosesWithin(w, STARTUP_TIMEOUT + 3)
        self.assertGreater(time.monotonic() - start, STARTUP_TIMEOUT - 1)
        self.others_unaffected()

    def test_bytes_pipelined_after_ssl_request_close_the_connection(self):
        # CVE-2021-23214: plaintext sent before the TLS handshake must never be read as if it were
        # inside the encrypted session.
        w = self.raw()
        w.send(struct.pack("!II", 8, harness.SSL_REQUEST_CODE)
               + startup_packet({"user": ALICE, "database": harness.TARGET}))
        data = b""
        deadline = time.monotonic() + FAST + 1
        closed = False
        while time.monotonic() < deadline:
            try:
                w._fill(max(0.01, deadline - time.monotonic()))
            except harness.ConnectionClosed:
                closed = True
                break
            except TimeoutError:
                break
        data = w.buf
        self.assertTrue(closed, f"connection stayed open after pipelined bytes; got {data!r}")
        self.assertIn(data[:1], (b"", b"S", b"E"))
        self.assertNotIn(b"SCRAM-SHA-256", data)
        self.others_unaffected()

    def test_protocol_options_are_named_in_a_negotiate_protocol_version_as_postgresql_does(self):
        # issue 11 item 7: _pq_.* startup options were dropped silently; PostgreSQL names them back.
        w = self.raw()
        w.send(startup_packet({"user": ALICE, "database": harness.TARGET, "_pq_.jitgate_test": "1",
                               "_pq_.other": "x"}))
        m = w.read_message()
        self.assertEqual(m.type, b"v", m)
        newest, count = struct.unpack("!ii", m.body[:8])
        self.assertEqual((newest, count), (0, 2))
        self.assertEqual([n for n in m.body[8:].split(b"\0") if n], [b"_pq_.jitgate_test", b"_pq_.other"])
        self.assertEqual(w.read_message().type, b"R")  # authentication goes on, as with PostgreSQL

    def test_a_second_ssl_or_gssenc_request_closes_the_connection(self):
        # issue 11 item 7: PostgreSQL answers each at most once.
        gssenc = struct.pack("!II", 8, 80877104)
        for first, second in ((harness.SSL_REQUEST_CODE, harness.SSL_REQUEST_CODE), (80877104, 80877104)):
            w = self.raw()
            w.send(struct.pack("!II", 8, first))
            self.assertEqual(w.read_bytes(1), b"N" if first == 80877104 else b"S")
            if first == harness.SSL_REQUEST_CODE:
                w.start_tls()
            w.send(struct.pack("!II", 8, second))
            self.assertClosesWithin(w, FAST)
        w = self.raw()  # one of each is fine: libpq's gssencmode=prefer then sslmode=prefer
        w.send(gssenc)
        self.assertEqual(w.read_bytes(1), b"N")
        self.assertEqual(w.ssl_request(), b"S")
        self.others_unaffected()

    def test_garbage_instead_of_a_tls_handshake_closes_the_connection(self):
        w = self.raw()
        self.assertEqual(w.ssl_request(), b"S")
        w.send(b"\x16\x03\x01\x00\x05hello, this is not TLS at all" * 4)
        self.assertClosesWithin(w, FAST + 1)
        self.others_unaffected()

    def test_connections_that_open_and_close_without_a_byte_do_no_harm(self):
        for _ in range(40):
            socket.create_connection(("127.0.0.1", self.jg.port)).close()
        self.others_unaffected()

    # -- after startup --------------------------------------------------------------------------------
    def test_unknown_message_type_after_startup_is_a_fatal_protocol_violation(self):
        w = self.session()
        w.send(b"z" + struct.pack("!I", 4))
        self.assertFatalAndClosed(w, "08P01")
        self.others_unaffected()

    def test_garbage_after_startup_is_a_fatal_protocol_violation(self):
        w = self.session()
        w.send(b"\x01\x02\x03\x04garbage\x00\xff\xfe" * 16)
        self.assertFatalAndClosed(w, "08P01")
        self.others_unaffected()

    def test_message_length_below_4_after_startup_is_a_fatal_protocol_violation(self):
        w = self.session()
        w.send(b"Q" + struct.pack("!I", 3) + b"SELECT 1\0")
        self.assertFatalAndClosed(w, "08P01")
        self.others_unaffected()

    def test_huge_message_length_after_startup_is_refused_without_buffering_it(self):
        w = self.session()
        w.send(b"Q" + struct.pack("!I", 0x7FFFFFF0) + b"SELECT ")
        self.assertFatalAndClosed(w, "08P01", FAST)  # as PostgreSQL answers an invalid message length
        self.others_unaffected()

    def test_a_query_over_max_message_bytes_is_refused(self):
        w = self.session()
        sql = "SELECT '" + "x" * MAX_MESSAGE + "'"
        try:
            w.send(harness.query_msg(sql))
        except OSError:
            pass   # jitgate may close before reading it all
        self.assertFatalAndClosed(w, "08P01")
        self.others_unaffected()

    def test_a_malformed_copy_done_or_copy_fail_closes_the_connection(self):
        # issue 11 item 7: CopyDone has no body and CopyFail one string, in COPY or not.
        for message in (harness.msg(b"c", b"junk"), harness.msg(b"f", b"no terminator"),
                        harness.msg(b"f", b"two\0strings\0")):
            w = self.session()
            w.send(message)
            self.assertFatalAndClosed(w, "08P01", FAST)
        w = self.session()  # well formed outside COPY: the server ignores them, the session goes on
        w.send(harness.msg(b"c") + harness.msg(b"f", b"why\0"))
        self.assertOk(w.query("SELECT 1"))
        self.others_unaffected()

    def test_a_query_just_under_max_message_bytes_is_forwarded(self):
        w = self.session()
        payload = "y" * (MAX_MESSAGE - 200)
        r = w.query(f"SELECT length('{payload}')")
        self.assertEqual(r.rows, [[str(len(payload))]])

    def test_a_ssl_request_after_startup_is_a_protocol_violation(self):
        w = self.session()
        w.send(struct.pack("!II", 8, harness.SSL_REQUEST_CODE))
        msgs = self.assertClosesWithin(w, 5)
        codes = [harness.error_fields(m.body).get("C") for m in msgs if m.type == b"E"]
        self.assertEqual(codes, ["08P01"])
        self.others_unaffected()


if __name__ == "__main__":
    harness.main()
