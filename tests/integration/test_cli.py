"""The jitgate command line as an admin meets it: `check` validates a config and prints every error as
FILE:LINE:COL, `passwd` prints a verifier that really logs a user in through jitgate, every subcommand
has --help, and wrong usage exits 2."""
import os
import re
import subprocess
import tempfile
import unittest
from pathlib import Path

import harness
from harness import IntegrationTest, JITGATE_BIN, psql

REPO = Path(__file__).resolve().parents[2]


def jitgate(*args, input: str | None = None, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(JITGATE_BIN), *args], input=input, capture_output=True, text=True, timeout=30,
                          env=env or harness.clean_env(), cwd=cwd)


class CommandLine(unittest.TestCase):
    def test_every_subcommand_has_help_and_exits_0(self):
        for sub in ([], ["serve"], ["check"], ["passwd"], ["audit"], ["verify"], ["token", "new"]):
            r = jitgate(*sub, "--help")
            self.assertEqual(r.returncode, 0, (sub, r.stderr))
            self.assertIn("Usage", r.stdout + r.stderr)

    def test_wrong_usage_prints_usage_and_exits_2(self):
        for args in (["no-such-command"], ["check", "--no-such-flag"], []):
            r = jitgate(*args)
            self.assertEqual(r.returncode, 2, (args, r.stdout, r.stderr))

    def test_check_accepts_the_demo_config_and_prints_a_summary(self):
        r = jitgate("check", "-c", str(REPO / "config" / "demo.yaml"),
                    env=harness.clean_env(ORDERS_DB_PASSWORD="demo-only"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ok", r.stdout)
        self.assertNotIn("demo-only", r.stdout + r.stderr)

    def test_the_config_option_may_come_before_or_after_the_subcommand(self):
        # issue 11 item 6: the demo prints `jitgate -c FILE grant request …`, which CLI11 refused.
        demo = str(REPO / "config" / "demo.yaml")
        env = harness.clean_env(ORDERS_DB_PASSWORD="demo-only")
        for args in (["-c", demo, "check"], [f"--config={demo}", "check"], ["check", "-c", demo],
                     ["--config", demo, "check"]):
            r = jitgate(*args, env=env)
            self.assertEqual(r.returncode, 0, (args, r.stderr))
            self.assertIn("ok", r.stdout)

    def test_check_prints_every_error_with_its_position_and_exits_1(self):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "bad.yaml"
            path.write_text("listen: { postgres: 127.0.0.1:99999 }\n"
                            "targets:\n"
                            "  - { name: db, kind: postgres, address: 127.0.0.1:5432, database: x, user: u,"
                            " password_env: JG_CLI_TEST_SECRET, colour: blue }\n"
                            "users:\n"
                            "  - { name: alice, password: \"SCRAM-SHA-256$nonsense\" }\n")
            r = jitgate("check", "-c", str(path), env=harness.clean_env(JG_CLI_TEST_SECRET="hunter2"))
        self.assertEqual(r.returncode, 1)
        errors = [line for line in r.stderr.splitlines() if re.match(rf"{re.escape(str(path))}:\d+:\d+: ", line)]
        self.assertGreaterEqual(len(errors), 3, r.stderr)   # port, unknown key, verifier: all of them
        self.assertTrue(any(":1:" in e for e in errors), r.stderr)
        self.assertTrue(any("colour" in e for e in errors), r.stderr)
        self.assertNotIn("hunter2", r.stdout + r.stderr)

    def test_check_finds_its_config_through_JITGATE_CONFIG(self):
        r = jitgate("check", env=harness.clean_env(JITGATE_CONFIG=str(REPO / "config" / "demo.yaml"),
                                                    ORDERS_DB_PASSWORD="x"))
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_check_without_a_config_file_fails_clearly(self):
        with tempfile.TemporaryDirectory() as d:
            r = jitgate("check", cwd=d)
        self.assertEqual(r.returncode, 1)
        self.assertIn("jitgate.yaml", r.stderr)

    def test_token_new_prints_a_token_whose_sha256_is_the_config_line_that_loads(self):
        import hashlib
        r = jitgate("token", "new", "migrate-ci")
        self.assertEqual(r.returncode, 0, r.stderr)
        token = re.search(r"^token: (jgt_[0-9a-f]{64})$", r.stdout, re.M).group(1)
        line = [l for l in r.stdout.splitlines() if "token_sha256" in l][0]
        self.assertIn(hashlib.sha256(token.encode()).hexdigest(), line)
        self.assertNotIn(token, line)
        again = jitgate("token", "new", "migrate-ci")
        self.assertNotIn(token, again.stdout, "every token is fresh")
        with tempfile.TemporaryDirectory() as d:
            config = Path(d) / "jitgate.yaml"
            config.write_text("listen: { api: 127.0.0.1:8443 }\nservices:\n" + line + "\n")
            checked = jitgate("check", "-c", str(config))
            self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
        self.assertEqual(jitgate("token", "new", "bad name").returncode, 2)

    def test_passwd_refuses_an_empty_password(self):
        r = jitgate("passwd", input="\n")
        self.assertNotEqual(r.returncode, 0)


class PasswdVerifierLogsIn(IntegrationTest):
    jitgate_options = None

    def test_a_verifier_from_passwd_lets_its_user_log_in_through_jitgate(self):
        r = jitgate("passwd", input="correct horse battery\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        verifier = r.stdout.strip().splitlines()[-1].strip()
        self.assertRegex(verifier, r"^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$")
        jg = self.start_own_jitgate()
        text = jg.config_path.read_text()
        text = re.sub(r'(name: alice, groups: \[engineers\], password: )"[^"]+"', rf'\1"{verifier}"', text)
        jg.config_path.write_text(text)
        jg.terminate()
        jg.proc = None
        jg_port = jg.port
        env = jg.env()
        logf = open(jg.log, "ab")
        jg.proc = harness.spawn([JITGATE_BIN, "serve", "-c", jg.config_path], stdout=logf, stderr=subprocess.STDOUT,
                                env=env, cwd=jg.dir)
        logf.close()
        harness.wait_until(lambda: harness.port_accepts(jg_port), 20, 0.05, "jitgate to restart")
        ok = psql(jg.conninfo(password="correct horse battery"), "-At", "-c", "SELECT 1")
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertEqual(ok.stdout.strip(), b"1")
        bad = psql(jg.conninfo(password="alice-it-secret"), "-At", "-c", "SELECT 1")
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn(b"password authentication failed", bad.stderr)


if __name__ == "__main__":
    harness.main()
