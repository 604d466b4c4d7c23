"""pgbench through jitgate: initialisation (DDL, client-side COPY, VACUUM) and a few seconds of the
TPC-B-like script in every query mode, with zero failed transactions."""
import re

import harness
from harness import IntegrationTest, pgbench

SECONDS = 3


class PgbenchThroughJitgate(IntegrationTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = pgbench(cls.jg.conninfo(), "-i", "-s", "2", "-q")
        if r.returncode != 0:
            raise AssertionError(f"pgbench -i through jitgate failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
        cls.init_output = r.stderr

    def test_pgbench_initialisation_creates_and_fills_the_tables(self):
        self.assertIn("done in", self.init_output)
        self.assertEqual(self.pg.sql("SELECT count(*) FROM pgbench_accounts").strip(), "200000")

    def run_mode(self, mode: str):
        r = pgbench(self.jg.conninfo(), "-T", SECONDS, "-c", "4", "-j", "2", "-M", mode, "-n")
        self.assertEqual(r.returncode, 0, f"pgbench -M {mode} failed:\n{r.stdout}\n{r.stderr}")
        self.assertIn(f"query mode: {mode}", r.stdout)
        failed = re.search(r"number of failed transactions: (\d+)", r.stdout)
        processed = re.search(r"number of transactions actually processed: (\d+)", r.stdout)
        self.assertIsNotNone(failed, r.stdout)
        self.assertEqual(failed.group(1), "0", r.stdout)
        self.assertGreater(int(processed.group(1)), 50, r.stdout)
        self.assertNotIn("error", r.stderr.lower(), r.stderr)

    def test_tpcb_in_simple_query_mode_has_no_failed_transactions(self):
        self.run_mode("simple")

    def test_tpcb_in_extended_query_mode_has_no_failed_transactions(self):
        self.run_mode("extended")

    def test_tpcb_in_prepared_mode_has_no_failed_transactions(self):
        self.run_mode("prepared")

    def test_tpcb_in_prepared_mode_with_pipelining_has_no_failed_transactions(self):
        script = self.jg.dir / "pipeline.sql"
        script.write_text("\\set aid random(1, 200000)\n\\set delta random(-5000, 5000)\n"
                          "\\startpipeline\n"
                          "UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;\n"
                          "SELECT abalance FROM pgbench_accounts WHERE aid = :aid;\n"
                          "SELECT :aid, :delta;\n"
                          "\\endpipeline\n")
        r = pgbench(self.jg.conninfo(), "-T", 2, "-c", "2", "-M", "prepared", "-n", "-f", script)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}")
        self.assertRegex(r.stdout, r"number of failed transactions: 0\b")


if __name__ == "__main__":
    harness.main()
