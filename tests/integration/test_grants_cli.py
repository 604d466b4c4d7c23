"""`jitgate grant` against a real SQLite state store, as engineers and approvers meet it: request →
pending → self-approval refused → an approver approves → list --active → revoke; auto-approval inside
and outside its Europe/Berlin window (clock injected with JITGATE_TEST_NOW); concurrent requests on one
file; clear refusals with exit 1 and usage errors with exit 2. Needs no PostgreSQL."""
import json
import os
import re
import sqlite3
import subprocess
import tempfile
import textwrap
import unittest
from pathlib import Path

import harness
from harness import JITGATE_BIN

GRANT_ID = re.compile(r"\bg-[0-9a-f]{6}\b")

CONFIG = textwrap.dedent("""\
    listen: {{ postgres: 127.0.0.1:6432 }}
    state: {state}
    targets:
      - name: orders-db
        kind: postgres
        address: 127.0.0.1:5432
        database: orders
        user: orders_admin
        password_env: JG_GRANTS_TEST_PASSWORD
    users:
      - {{ name: alice, groups: [engineers] }}
      - {{ name: bob, groups: [dba] }}
      - {{ name: carol, groups: [dba] }}
      - {{ name: dave }}
    roles:
      reader: {{ allow: [read] }}
      writer: {{ allow: [read, write] }}
      operator: {{ allow: [read, write, ddl] }}
    access:
      - users: [group:engineers]
        targets: [orders-db]
        standing: reader
        requestable: [writer, operator]
        max_duration: 2h
        approvers: [group:dba]
        auto_approve:
          - roles: [writer]
            window: "Mon-Fri 09:00-18:00 Europe/Berlin"
            max_duration: 30m
    grants:
      - user: carol
        target: orders-db
        role: operator
        until: 2099-01-01T00:00:00Z
        approved_by: bob
        reason: "CHG-1234 schema migration"
    """)


class GrantCli(unittest.TestCase):
    def setUp(self):
        self._dir = tempfile.TemporaryDirectory()
        self.dir = Path(self._dir.name)
        self.db = self.dir / "state" / "nested" / "grants.db"
        self.config = self.write_config("sqlite:state/nested/grants.db")

    def tearDown(self):
        self._dir.cleanup()

    def write_config(self, state: str, name: str = "jitgate.yaml") -> Path:
        path = self.dir / name
        path.write_text(CONFIG.format(state=state))
        return path

    def env(self, **extra):
        return harness.clean_env(JG_GRANTS_TEST_PASSWORD="not-used", **extra)

    def jitgate(self, *args, env=None, config=None) -> subprocess.CompletedProcess:
        env = env or self.env()
        return subprocess.run([str(harness.jitgate_for(env)), *args, "-c", str(config or self.config)],
                              capture_output=True, text=True, timeout=30, env=env)

    def ok(self, *args, **kwargs) -> str:
        r = self.jitgate(*args, **kwargs)
        self.assertEqual(r.returncode, 0, (args, r.stdout, r.stderr))
        return r.stdout

    def refused(self, *args, **kwargs) -> str:
        r = self.jitgate(*args, **kwargs)
        self.assertEqual(r.returncode, 1, (args, r.stdout, r.stderr))
        self.assertEqual(r.stdout, "", args)
        return r.stderr

    def request(self, *extra, user="alice", role="writer", duration="1h", env=None) -> tuple[str, str]:
        out = self.ok("grant", "request", "orders-db", "--role", role, "--for", duration, "--reason", "INC-4711",
                      "--user", user, *extra, env=env)
        match = GRANT_ID.search(out)
        self.assertIsNotNone(match, out)
        return match.group(0), out

    def listed(self, *args) -> list[dict]:
        return json.loads(self.ok("grant", "list", "--json", *args))

    def test_request_approve_list_and_revoke(self):
        gid, out = self.request()   # 1h is above the 30m auto-approval limit: a human must approve
        self.assertIn("pending: ask one of: group:dba", out)
        self.assertTrue(self.db.exists(), "the store and its parent directories are created")

        err = self.refused("grant", "approve", gid, "--by", "alice")
        self.assertIn("self-approval is not allowed", err)
        err = self.refused("grant", "approve", gid, "--by", "dave")
        self.assertIn("dave may not approve", err)
        self.assertIn("group:dba", err)

        out = self.ok("grant", "approve", gid, "--by", "bob")
        self.assertIn(f"{gid} approved by bob", out)
        self.assertIn("alice may use writer on orders-db until", out)
        err = self.refused("grant", "approve", gid, "--by", "carol")
        self.assertIn("not pending", err)

        table = self.ok("grant", "list", "--active")
        self.assertRegex(table, rf"{gid}\s+alice\s+orders-db\s+writer\s+approved\s+\S+Z\s+store\s+INC-4711")
        self.assertRegex(table, r"config:1\s+carol\s+orders-db\s+operator\s+approved\s+2099-01-01T00:00:00Z\s+config\s+CHG-1234")
        self.assertEqual([g["id"] for g in self.listed("--active", "--user", "alice")], [gid])

        out = self.ok("grant", "revoke", gid, "--by", "bob")
        self.assertIn(f"{gid} revoked by bob", out)
        (grant,) = [g for g in self.listed() if g["id"] == gid]
        self.assertEqual((grant["status"], grant["active"], grant["decided_by"]), ("revoked", False, "bob"))
        self.assertNotIn(gid, self.ok("grant", "list", "--active"))
        self.assertRegex(self.ok("grant", "list", "--user", "alice"), rf"{gid}\s+alice\s+orders-db\s+writer\s+revoked")
        self.assertIn("already revoked", self.refused("grant", "revoke", gid, "--by", "bob"))

    def test_deny_and_config_grants_are_not_changed_from_the_cli(self):
        gid, _ = self.request(role="operator", duration="2h")
        self.assertIn(f"{gid} denied by carol", self.ok("grant", "deny", gid, "--by", "carol"))
        self.assertEqual([g["status"] for g in self.listed("--user", "alice")], ["denied"])
        self.assertIn("comes from the config file", self.refused("grant", "revoke", "config:1", "--by", "bob"))
        self.assertIn("no grant g-000000", self.refused("grant", "approve", "g-000000", "--by", "bob"))

    def test_auto_approval_inside_its_window_only(self):
        cases = [
            ("2025-01-15T08:30:00Z", "30m", True),    # Wed 09:30 CET
            ("2025-07-16T07:30:00Z", "30m", True),    # Wed 09:30 CEST: the window follows DST
            ("2025-01-15T07:30:00Z", "30m", False),   # Wed 08:30 CET
            ("2025-07-16T16:30:00Z", "30m", False),   # Wed 18:30 CEST
            ("2025-01-18T10:00:00Z", "30m", False),   # Saturday
            ("2025-01-15T08:30:00Z", "31m", False),   # above the auto-approval limit
        ]
        for now, duration, approved in cases:
            with self.subTest(now=now, duration=duration):
                gid, out = self.request(duration=duration, env=self.env(JITGATE_TEST_NOW=now))
                if approved:
                    self.assertIn(f"{gid} approved at once by auto-approval rule access[1].auto_approve[1]", out)
                else:
                    self.assertIn(f"{gid} pending: ask one of: group:dba", out)
                (grant,) = [g for g in self.listed() if g["id"] == gid]
                self.assertEqual(grant["decided_by"], "auto:access[1].auto_approve[1]" if approved else None)

    def test_the_shipped_jitgate_reads_no_test_clock(self):
        # issue 10 item 13: JITGATE_TEST_NOW once set the clock `grant request` reads, so a requester got
        # an auto-approval window's answer at any hour. Only the test-only executable has that hook now.
        r = subprocess.run([str(JITGATE_BIN), "grant", "request", "orders-db", "--role", "writer", "--for", "30m",
                            "--reason", "x", "-c", str(self.config)], capture_output=True, text=True, timeout=30,
                           env=self.env(JITGATE_USER="alice", JITGATE_TEST_NOW="2025-01-15T08:30:00Z"))
        self.assertEqual(r.returncode, 0, r.stderr)
        (grant,) = [g for g in self.listed() if g["user"] == "alice"]
        self.assertFalse(grant["requested_at"].startswith("2025-"), grant)
        strings = subprocess.run(["grep", "-c", "-a", "-E", "JITGATE_(TEST|BENCH)_", str(JITGATE_BIN)],
                                 capture_output=True, text=True)
        self.assertEqual(strings.stdout.strip(), "0", "the shipped binary names a test or bench switch")

    def test_only_root_may_act_as_someone_else(self):
        # issue 10 item 7: an OS user who may run the CLI cannot approve (or request) as another identity.
        os.chmod(self.dir, 0o755)
        for sub in (self.dir / "state", self.dir / "state" / "nested"):
            sub.mkdir(parents=True, exist_ok=True)
            os.chmod(sub, 0o777)
        self.config.chmod(0o644)
        gid, _ = self.request(role="operator", duration="10m")
        self.db.chmod(0o666)
        nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]
        for argv in (["grant", "approve", gid, "--by", "bob"], ["grant", "deny", gid],
                     ["grant", "request", "orders-db", "--role", "writer", "--for", "5m", "--reason", "x",
                      "--user", "alice"]):
            with self.subTest(argv=argv):
                env = self.env(JITGATE_USER="bob") if argv[1] == "deny" else self.env()
                r = subprocess.run([*nobody, str(JITGATE_BIN.resolve()), *argv, "-c", str(self.config)], capture_output=True,
                                   text=True, timeout=30, env=env, cwd="/")
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                self.assertIn("you are OS user nobody; only root may act as", r.stderr)
        (grant,) = [g for g in self.listed() if g["id"] == gid]
        self.assertEqual(grant["status"], "pending")

    def test_a_new_state_store_and_its_wal_are_readable_by_its_owner_only(self):
        # issue 10 item 12: the store holds every grant and the session index (was created 0644).
        self.request(role="operator", duration="10m")
        files = [p for p in self.db.parent.iterdir() if p.name.startswith(self.db.name)]
        self.assertIn(self.db, files)
        for path in files:
            with self.subTest(path=path.name):
                self.assertEqual(path.stat().st_mode & 0o777, 0o600, oct(path.stat().st_mode))

    def test_the_grant_cli_reads_no_target_secret(self):
        # issue 10 item 7: `grant list` loads the config without reading key files or password files.
        config = self.dir / "ssh.yaml"
        config.write_text(CONFIG.format(state="sqlite:state/nested/grants.db").replace(
            "    users:\n",
            "      - { name: web-1, kind: ssh, address: 127.0.0.1:22, user: deploy, key_file: /nonexistent/key,\n"
            "          host_key: \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\" }\n"
            "    users:\n", 1))
        out = self.ok("grant", "list", config=config)
        self.assertIn("carol", out)

    def test_the_requester_defaults_to_JITGATE_USER(self):
        out = self.ok("grant", "request", "orders-db", "--role", "operator", "--for", "10m", "--reason", "x",
                      env=self.env(JITGATE_USER="alice"))
        self.assertIn("pending", out)
        self.assertEqual([g["user"] for g in self.listed()], ["carol", "alice"])
        err = self.refused("grant", "request", "orders-db", "--role", "operator", "--for", "10m", "--reason", "x",
                           env=self.env(JITGATE_USER="mallory"))
        self.assertIn("mallory is not a user in the config", err)

    def test_concurrent_requests_all_succeed(self):
        # Several processes open a store that does not exist yet and write at once: WAL mode and the busy
        # timeout must serialise them without a "database is locked".
        env = self.env()
        procs = [subprocess.Popen([str(JITGATE_BIN), "grant", "request", "orders-db", "--role", "operator", "--for",
                                   "1h", "--reason", f"INC-{i}", "--user", "alice", "-c", str(self.config)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                 for i in range(6)]
        ids = []
        for p in procs:
            out, err = p.communicate(timeout=60)
            self.assertEqual(p.returncode, 0, (out, err))
            ids.append(GRANT_ID.search(out).group(0))
        self.assertEqual(len(set(ids)), 6)
        stored = {g["id"] for g in self.listed("--user", "alice")}
        self.assertEqual(stored, set(ids))
        with sqlite3.connect(self.db) as db:
            self.assertEqual(db.execute("PRAGMA journal_mode").fetchone()[0], "wal")
            self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0], 4)  # SqliteStore::schema_version
            self.assertEqual(db.execute("SELECT value FROM counters WHERE name = 'changes'").fetchone()[0], 6)

    def test_two_deciders_at_once_one_wins(self):
        # approve and deny of the same pending grant race; BEGIN IMMEDIATE around read-modify-write lets
        # exactly one decide, the other sees it is no longer pending.
        for _ in range(3):
            gid, _ = self.request(role="operator")
            env = self.env()
            procs = [subprocess.Popen([str(JITGATE_BIN), "grant", verb, gid, "--by", by, "-c", str(self.config)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                     for verb, by in (("approve", "bob"), ("deny", "carol"))]
            results = [(p.wait(60), p.stdout.read(), p.stderr.read()) for p in procs]
            for p in procs:
                p.stdout.close()
                p.stderr.close()
            self.assertEqual(sorted(rc for rc, _, _ in results), [0, 1], results)
            loser = next(err for rc, _, err in results if rc == 1)
            self.assertIn("not pending", loser)
            (grant,) = [g for g in self.listed() if g["id"] == gid]
            winner = next(out for rc, out, _ in results if rc == 0)
            self.assertIn(grant["status"], winner)

    def test_refusals_are_clear_and_exit_1(self):
        err = self.refused("grant", "request", "orders-db", "--role", "writer", "--for", "30x", "--reason", "x",
                           "--user", "alice")
        self.assertIn("--for `30x`", err)
        err = self.refused("grant", "request", "billing-db", "--role", "writer", "--for", "30m", "--reason", "x",
                           "--user", "alice")
        self.assertIn("billing-db is not a target in the config", err)
        err = self.refused("grant", "request", "orders-db", "--role", "reader", "--for", "30m", "--reason", "x",
                           "--user", "alice")
        self.assertIn("alice may not request reader on orders-db: no access rule lists it as requestable", err)
        err = self.refused("grant", "request", "orders-db", "--role", "writer", "--for", "3h", "--reason", "x",
                           "--user", "alice")
        self.assertIn("3h is longer than the 2h allowed", err)
        err = self.refused("grant", "request", "orders-db", "--role", "writer", "--for", "30m", "--reason", " ",
                           "--user", "alice")
        self.assertIn("a reason is required", err)

    def test_usage_errors_exit_2(self):
        for args in (["grant"], ["grant", "request", "orders-db", "--for", "1h", "--reason", "x"],
                     ["grant", "approve"], ["grant", "list", "--nope"]):
            with self.subTest(args=args):
                r = self.jitgate(*args)
                self.assertEqual(r.returncode, 2, (r.stdout, r.stderr))
        for sub in (["grant"], ["grant", "request"], ["grant", "list"]):
            r = subprocess.run([str(JITGATE_BIN), *sub, "--help"], capture_output=True, text=True, env=self.env())
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("Usage", r.stdout)

    def test_unusable_stores_are_refused_with_a_reason(self):
        postgres = self.write_config("postgres://jitgate@db.example/jitgate", "pg.yaml")
        self.assertIn("not supported yet", self.refused("grant", "list", config=postgres))

        junk = self.dir / "junk.db"
        junk.write_bytes(b"this is not an SQLite database, just text " * 100)
        corrupt = self.write_config(f"sqlite:{junk}", "corrupt.yaml")
        err = self.refused("grant", "list", config=corrupt)
        self.assertIn(str(junk), err)
        self.assertIn("not a database", err)

        foreign = self.dir / "foreign.db"
        with sqlite3.connect(foreign) as db:
            db.execute("CREATE TABLE t (x)")
        err = self.refused("grant", "list", config=self.write_config(f"sqlite:{foreign}", "foreign.yaml"))
        self.assertIn("not a jitgate state store", err)

        newer = self.dir / "newer.db"
        with sqlite3.connect(newer) as db:
            db.execute("PRAGMA user_version = 99")
        err = self.refused("grant", "list", config=self.write_config(f"sqlite:{newer}", "newer.yaml"))
        self.assertIn("schema version 99 is newer", err)


if __name__ == "__main__":
    harness.main()
