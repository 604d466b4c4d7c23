"""psql through jitgate is indistinguishable from psql against PostgreSQL directly: the same bytes on
stdout and stderr for queries, meta-commands, multi-statement strings, server errors and \\copy."""
import tempfile
from pathlib import Path

import harness
from harness import IntegrationTest, psql

SCRIPT = r"""
\set VERBOSITY verbose
SELECT current_user, session_user, current_database();
SELECT id, name, email, country FROM customers ORDER BY id;
SELECT status, count(*), sum(amount), min(placed_at), max(placed_at) FROM orders GROUP BY status ORDER BY status;
\d
\d orders
\d+ customers
\dt
\di
\dn
\df+ pg_catalog.lower
\l orders
SELECT 1 AS first \; SELECT 2 AS second \; SELECT 'three' AS third;
SELECT 1/0;
SELECT 'the session survives an error' AS after_error;
BEGIN;
INSERT INTO scratch (note) VALUES ('in a transaction that fails');
SELECT * FROM no_such_table;
SELECT 1;
ROLLBACK;
SELECT count(*) AS scratch_rows FROM scratch WHERE note = 'in a transaction that fails';
SELECT NULL::text AS n, ''::text AS empty, E'tab\there' AS t, 'ünïcödé ✓' AS u, repeat('x', 5000) AS long;
SELECT pg_typeof(1.5::numeric), 1.5::float8, '2024-02-29 12:34:56.789+00'::timestamptz, interval '1 day 02:03:04';
DO $$ BEGIN RAISE NOTICE 'a notice from the server'; END $$;
SHOW client_encoding;
SHOW standard_conforming_strings;
\echo done
"""


class PsqlThroughJitgate(IntegrationTest):

    def run_both(self, *args, input=None):
        """Runs psql with the same arguments directly and through jitgate, each in its own cwd."""
        out = []
        for conninfo in (self.pg.direct_conninfo(), self.jg.conninfo()):
            cwd = Path(tempfile.mkdtemp(prefix="jg-psql-", dir=self.jg.dir))
            r = psql(conninfo, *args, input=input, cwd=cwd)
            out.append((r, cwd))
        return out

    def test_select_current_user_shows_the_targets_user(self):
        r = psql(self.jg.conninfo(), "-A", "-t", "-c", "SELECT current_user, session_user, current_database()")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.decode(), f"{harness.UPSTREAM_USER}|{harness.UPSTREAM_USER}|{harness.UPSTREAM_DB}\n")

    def test_a_script_of_queries_meta_commands_and_errors_prints_byte_identical_output(self):
        (direct, _), (proxied, _) = self.run_both("-f", "-", input=SCRIPT)
        self.assertEqual(direct.returncode, 0, direct.stderr)
        self.assertIn(b"division by zero", direct.stderr)   # the script does exercise a server error
        self.assertIn(b"22012", direct.stderr)
        self.assertIn(b"a notice from the server", direct.stderr)
        self.assertEqual(proxied.stdout.decode(), direct.stdout.decode())
        self.assertEqual(proxied.stderr.decode(), direct.stderr.decode())
        self.assertEqual(proxied.returncode, direct.returncode)

    def test_a_multi_statement_string_returns_every_result(self):
        (direct, _), (proxied, _) = self.run_both(
            "-c", "SELECT 1 AS a; SELECT 2 AS b; INSERT INTO scratch (note) VALUES ('multi') RETURNING note")
        self.assertEqual(proxied.returncode, 0, proxied.stderr)
        self.assertEqual(proxied.stdout, direct.stdout)
        self.assertIn(b"multi", proxied.stdout)

    def test_a_server_error_exits_non_zero_with_the_servers_message(self):
        (direct, _), (proxied, _) = self.run_both("-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose",
                                                  "-c", "SELECT 'x'::integer")
        self.assertEqual(direct.returncode, 1)
        self.assertEqual(proxied.returncode, 1)
        self.assertIn(b"22P02", proxied.stderr)
        self.assertEqual(proxied.stderr, direct.stderr)

    def test_copy_out_of_a_large_result_is_byte_identical(self):
        query = ("\\copy (SELECT g, md5(g::text), repeat('y', g % 300), CASE WHEN g % 7 = 0 THEN NULL ELSE "
                 "'quote\"comma,newline' || chr(10) || g END FROM generate_series(1, 60000) g) TO 'out.csv' CSV HEADER")
        (direct, ddir), (proxied, pdir) = self.run_both("-c", query)
        self.assertEqual(direct.returncode, 0, direct.stderr)
        self.assertEqual(proxied.returncode, 0, proxied.stderr)
        self.assertEqual(proxied.stdout, direct.stdout)   # "COPY 60000"
        a, b = (ddir / "out.csv").read_bytes(), (pdir / "out.csv").read_bytes()
        self.assertGreater(len(a), 5_000_000)
        self.assertTrue(a == b, "\\copy out through jitgate differs from the direct one")

    def test_copy_in_stores_exactly_the_rows_of_the_file(self):
        self.pg.sql("CREATE TABLE copy_in_direct (id int, note text, amount numeric);"
                    "CREATE TABLE copy_in_proxied (LIKE copy_in_direct);")
        lines = []
        for i in range(20000):
            note = "\\N" if i % 11 == 0 else f"row {i} with\\ttab and ünïcödé and \\\\backslash"
            lines.append(f"{i}\t{note}\t{i * 1.25}")
        data = "\n".join(lines) + "\n"
        outputs = []
        for conninfo, table in ((self.pg.direct_conninfo(), "copy_in_direct"), (self.jg.conninfo(), "copy_in_proxied")):
            cwd = Path(tempfile.mkdtemp(dir=self.jg.dir))
            (cwd / "in.tsv").write_text(data)
            r = psql(conninfo, "-c", f"\\copy {table} FROM 'in.tsv'", cwd=cwd)
            self.assertEqual(r.returncode, 0, r.stderr)
            outputs.append(r.stdout)
        self.assertEqual(outputs[0], outputs[1])   # "COPY 20000"
        diff = self.pg.sql("SELECT count(*) FROM ((TABLE copy_in_direct EXCEPT ALL TABLE copy_in_proxied) UNION ALL"
                           " (TABLE copy_in_proxied EXCEPT ALL TABLE copy_in_direct)) d;"
                           "SELECT count(*) FROM copy_in_proxied;")
        self.assertEqual(diff.split(), ["0", "20000"])

    def test_copy_in_with_bad_data_fails_like_a_direct_copy_and_the_session_goes_on(self):
        script = "\\copy scratch (id, note) FROM STDIN\n1\tfine\nnot-a-number\tbad\n\\.\nSELECT 'after' AS a;\n"
        (direct, _), (proxied, _) = self.run_both("-f", "-", input=script)
        self.assertIn(b"invalid input syntax for type integer", direct.stderr)
        self.assertEqual(proxied.stderr, direct.stderr)
        self.assertEqual(proxied.stdout, direct.stdout)


if __name__ == "__main__":
    harness.main()
