"""psycopg 3 (and psycopg2) through jitgate: parameters, binary results, COPY, LISTEN/NOTIFY, a
server-side cursor, pipeline mode, prepared statements, and cancel() of a long statement."""
import datetime
import decimal
import threading
import time

import psycopg
import psycopg2
from psycopg import errors

import harness
from harness import IntegrationTest


class PsycopgThroughJitgate(IntegrationTest):

    def connect(self, **kwargs) -> psycopg.Connection:
        conn = psycopg.connect(self.jg.conninfo(), **kwargs)
        self.addCleanup(conn.close)
        return conn

    def test_parameters_of_many_types_round_trip(self):
        with self.connect() as conn:
            row = conn.execute(
                "SELECT %s::int + %s, %s::text, %s::numeric, %s::date, %s::bytea, %s::jsonb->>'k', %s::text IS NULL",
                (40, 2, "ünïcödé 'quoted' \\ ", decimal.Decimal("12.34"), datetime.date(2024, 2, 29),
                 b"\x00\x01\xff", psycopg.types.json.Jsonb({"k": "v"}), None)).fetchone()
        self.assertEqual(row, (42, "ünïcödé 'quoted' \\ ", decimal.Decimal("12.34"), datetime.date(2024, 2, 29),
                               b"\x00\x01\xff", "v", True))

    def test_binary_results_decode_like_text_results(self):
        sql = ("SELECT o.id, c.name, c.email, o.amount, o.placed_at, ARRAY[o.id, o.customer_id], o.amount::float8 "
               "FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id <= %s ORDER BY o.id")
        with self.connect() as conn:
            text_rows = conn.cursor().execute(sql, (50,)).fetchall()
            binary_rows = conn.cursor(binary=True).execute(sql, (50,), binary=True).fetchall()
        self.assertEqual(len(text_rows), 50)
        self.assertEqual(binary_rows, text_rows)

    def test_prepared_statements_are_reused_across_executions(self):
        with self.connect(prepare_threshold=0) as conn:
            for i in range(20):
                self.assertEqual(conn.execute("SELECT %s::int * 2", (i,)).fetchone(), (i * 2,))
            prepared = conn.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0]
        self.assertGreaterEqual(prepared, 1)

    def test_copy_in_and_out_in_text_and_binary(self):
        rows = [(i, f"note {i}\twith tab" if i % 3 else None) for i in range(5000)]
        with self.connect() as conn:
            conn.execute("CREATE TEMP TABLE t (id int, note text)")
            with conn.cursor().copy("COPY t (id, note) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
            cur = conn.cursor()
            with cur.copy("COPY t (id, note) TO STDOUT (FORMAT BINARY)") as copy:
                copy.set_types(["int4", "text"])
                out_binary = list(copy.rows())
            with cur.copy("COPY (SELECT id, note FROM t ORDER BY id) TO STDOUT") as copy:
                out_text = b"".join(bytes(block) for block in copy)
        self.assertEqual(sorted(out_binary), rows)
        self.assertEqual(out_text.count(b"\n"), 5000)
        self.assertTrue(out_text.startswith(b"0\t\\N\n1\tnote 1\\twith tab\n"))

    def test_copy_in_that_fails_on_the_server_raises_and_the_connection_recovers(self):
        with self.connect(autocommit=True) as conn:
            with self.assertRaises(errors.InvalidTextRepresentation):
                with conn.cursor().copy("COPY scratch (id, note) FROM STDIN") as copy:
                    copy.write(b"1\tok\nnot-a-number\tbad\n")
            self.assertEqual(conn.execute("SELECT 'recovered'").fetchone(), ("recovered",))

    def test_listen_notify_delivers_notifications_between_sessions(self):
        listener = self.connect(autocommit=True)
        sender = self.connect(autocommit=True)
        got = []
        listener.add_notify_handler(lambda n: got.append((n.channel, n.payload)))
        listener.execute("LISTEN jg_channel")
        sender.execute("NOTIFY jg_channel, 'first'")
        sender.execute("SELECT pg_notify('jg_channel', 'second')")
        deadline = time.monotonic() + 5
        while len(got) < 2 and time.monotonic() < deadline:
            # A query makes psycopg read the socket; the notifications arrive before its reply and must not
            # be mistaken for it.
            self.assertEqual(listener.execute("SELECT 7").fetchone(), (7,))
            time.sleep(0.05)
        self.assertEqual(got, [("jg_channel", "first"), ("jg_channel", "second")])

    def test_a_notification_arrives_while_the_listener_is_idle(self):
        listener = self.connect(autocommit=True)
        sender = self.connect(autocommit=True)
        listener.execute("LISTEN jg_idle")
        received = []

        def wait_for_one():
            for n in listener.notifies():
                received.append(n.payload)
                break

        t = threading.Thread(target=wait_for_one, daemon=True)
        t.start()
        time.sleep(0.2)
        sender.execute("NOTIFY jg_idle, 'while idle'")
        t.join(5)
        self.assertEqual(received, ["while idle"])

    def test_server_side_cursor_fetches_in_batches(self):
        with self.connect() as conn:
            with conn.cursor(name="jg_cursor") as cur:
                cur.itersize = 100
                cur.execute("SELECT g, md5(g::text) FROM generate_series(1, 10000) g")
                first = cur.fetchmany(10)
                total = len(first) + sum(1 for _ in cur)
            self.assertEqual(first[0][0], 1)
            self.assertEqual(total, 10000)
            cursors = conn.execute("SELECT count(*) FROM pg_cursors").fetchone()[0]
            self.assertEqual(cursors, 0)

    def test_pipeline_mode_runs_many_statements_in_one_round_trip(self):
        with self.connect(autocommit=True) as conn:
            with conn.pipeline():
                cursors = [conn.execute("SELECT %s::int", (i,)) for i in range(50)]
                bad = conn.cursor()
            self.assertEqual([c.fetchone()[0] for c in cursors], list(range(50)))
            with self.assertRaises(errors.DivisionByZero):
                with conn.pipeline():
                    conn.execute("SELECT 1")
                    bad.execute("SELECT 1/0")
                    conn.execute("SELECT 2")
            self.assertEqual(conn.execute("SELECT 'after pipeline error'").fetchone()[0], "after pipeline error")

    def test_cancel_interrupts_pg_sleep_within_two_seconds(self):
        conn = self.connect(autocommit=True)
        marker = "jg_cancel_me"
        cancelled_at = []

        def cancel_when_running():
            # Cancel once the statement really runs upstream (checked on a direct admin connection).
            harness.wait_until(lambda: self.pg.sql(
                f"SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%{marker}%' "
                f"AND pid <> pg_backend_pid()").strip() == "1", 15, 0.1, "pg_sleep to run")
            cancelled_at.append(time.monotonic())
            conn.cancel()

        t = threading.Thread(target=cancel_when_running, daemon=True)
        t.start()
        with self.assertRaises(errors.QueryCanceled):
            conn.execute(f"SELECT pg_sleep(30) /* {marker} */")
        returned_at = time.monotonic()
        t.join(5)
        self.assertTrue(cancelled_at, "cancel() was never called")
        self.assertLess(returned_at - cancelled_at[0], 2.0)
        self.assertEqual(conn.execute("SELECT 'usable after cancel'").fetchone()[0], "usable after cancel")

    def test_a_server_error_in_a_transaction_is_reported_and_rollback_recovers(self):
        with self.connect() as conn:
            conn.execute("INSERT INTO scratch (note) VALUES ('psycopg rolled back')")
            with self.assertRaises(errors.UndefinedTable):
                conn.execute("SELECT * FROM no_such_table")
            with self.assertRaises(errors.InFailedSqlTransaction):
                conn.execute("SELECT 1")
            conn.rollback()
            count = conn.execute("SELECT count(*) FROM scratch WHERE note = 'psycopg rolled back'").fetchone()[0]
        self.assertEqual(count, 0)

    def test_psycopg2_runs_parameterised_queries_and_a_named_cursor(self):
        conn = psycopg2.connect(self.jg.conninfo())
        self.addCleanup(conn.close)
        cur = conn.cursor()
        cur.execute("SELECT name FROM customers WHERE country = %s ORDER BY id", ("US",))
        self.assertEqual(cur.fetchall(), [("Grace Hopper",), ("Katherine Johnson",)])
        named = conn.cursor("jg_named")
        named.execute("SELECT g FROM generate_series(1, 2500) g")
        self.assertEqual(sum(r[0] for r in named), 2500 * 2501 // 2)
        conn.commit()


if __name__ == "__main__":
    harness.main()
