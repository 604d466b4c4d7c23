"""`scripts/bench ssh`: SSH throughput and connect time, direct vs jitgate vs OpenSSH ProxyJump, in one run.

One throwaway sshd on loopback (the integration fixture) is the target. For each path: N MiB through
`ssh … 'cat > /dev/null'` (upload) and `ssh … 'head -c N'` (download) with the real ssh client, and the
wall time of 20 sequential `ssh … true`. jitgate runs with its guardrails (every exec classified, decided,
audited and recorded); ProxyJump hops through the same sshd (`ssh -J`). Prints medians of the rounds and
the ratios to direct (goals, issue 5 item 8: jitgate >= 0.8x direct throughput, <= 1.3x connect time)."""
import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
import harness  # noqa: E402
from harness import ALICE, Jitgate, Sshd, SshClient, key_text, ssh_keygen, yaml_str  # noqa: E402

ap = argparse.ArgumentParser(prog="scripts/bench ssh")
ap.add_argument("--mib", type=int, default=256, help="MiB per transfer (default 256)")
ap.add_argument("--connects", type=int, default=20, help="sequential `ssh … true` per round (default 20)")
ap.add_argument("--rounds", type=int, default=3, help="rounds; the table shows the median (default 3)")
args = ap.parse_args()

POLICY = """
roles:
  operator: { allow: [read, write, ddl, admin, destructive, unknown], ssh: { pty: true, sftp: true } }
access:
  - { users: [group:engineers], targets: [web-1], standing: operator }
"""


def ssh_command(path: str, sshd: Sshd, jg: Jitgate, keys: dict, config: Path) -> list[str]:
    """The ssh client line for one path. ProxyJump reads `config` (the jump hop takes its identity from a
    config file, not from -i)."""
    common = ["-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
              "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"]
    direct = ["-i", str(keys["deploy"]), "-p", str(sshd.port), f"{sshd.user}@127.0.0.1"]
    if path == "jitgate":
        return ["ssh", *common, "-i", str(keys["alice"]), "-p", str(jg.ssh_port), "web-1@127.0.0.1"]
    if path == "direct":
        return ["ssh", *common, *direct]
    return ["ssh", "-F", str(config), "-o", "BatchMode=yes", "-J", f"{sshd.user}@localhost:{sshd.port}", *direct]


def timed(cmd: list[str], **kwargs) -> float:
    started = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, timeout=600, **kwargs)
    elapsed = time.perf_counter() - started
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd[-3:])} failed ({r.returncode}): {r.stderr.decode(errors='replace')[-500:]}")
    return elapsed


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="jitgate-bench-ssh-"))
    sshd = Sshd()
    jg = None
    try:
        sshd.start()
        keys = {name: tmp / name for name in ("alice", "deploy")}
        alice_pub = ssh_keygen(keys["alice"], "alice@bench")
        sshd.authorize(ssh_keygen(keys["deploy"], "jitgate-deploy"))
        target = (f"  - {{ name: web-1, kind: ssh, address: 127.0.0.1:{sshd.port}, user: {sshd.user},"
                  f" key_file: {yaml_str(str(keys['deploy']))}, host_key: {yaml_str(sshd.host_key)} }}")
        jg = Jitgate(None, ssh=True, ssh_keys={ALICE: [alice_pub]}, extra_targets=target, policy=POLICY)
        jg.start()
        payload = tmp / "payload"
        with open(payload, "wb") as f:
            f.write(bytes(1 << 20) * args.mib)
        size = args.mib << 20
        paths = ["direct", "jitgate", "proxyjump"]
        env = dict(harness._ssh_env(), SSH_AUTH_SOCK="")
        config = tmp / "ssh_config"
        config.write_text(f"Host *\n  IdentityFile {keys['deploy']}\n  IdentitiesOnly yes\n"
                          "  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n")
        results = {(p, m): [] for p in paths for m in ("upload", "download", "connect")}
        print(f"bench ssh: {args.mib} MiB per transfer, {args.connects} connects, {args.rounds} round(s); "
              f"OpenSSH target on loopback", flush=True)
        for rnd in range(1, args.rounds + 1):
            for p in paths:
                cmd = ssh_command(p, sshd, jg, keys, config)
                with open(payload, "rb") as stdin:
                    up = timed([*cmd, "cat > /dev/null"], stdin=stdin, env=env)
                down = timed([*cmd, f"head -c {size} /dev/zero"], stdin=subprocess.DEVNULL, env=env)
                started = time.perf_counter()
                for _ in range(args.connects):
                    timed([*cmd, "true"], stdin=subprocess.DEVNULL, env=env)
                connect = (time.perf_counter() - started) / args.connects
                results[(p, "upload")].append(size / up / 1e6)
                results[(p, "download")].append(size / down / 1e6)
                results[(p, "connect")].append(connect * 1e3)
                print(f"  round {rnd} {p:10} upload {size / up / 1e6:7.0f} MB/s  download {size / down / 1e6:7.0f} MB/s"
                      f"  connect {connect * 1e3:6.1f} ms", flush=True)
        med = {k: statistics.median(v) for k, v in results.items()}
        print()
        print(f"{'path':12}{'upload MB/s':>14}{'download MB/s':>16}{'connect ms':>12}{'up/direct':>12}"
              f"{'down/direct':>13}{'connect/direct':>16}")
        for p in paths:
            print(f"{p:12}{med[(p, 'upload')]:14.0f}{med[(p, 'download')]:16.0f}{med[(p, 'connect')]:12.1f}"
                  f"{med[(p, 'upload')] / med[('direct', 'upload')]:12.2f}"
                  f"{med[(p, 'download')] / med[('direct', 'download')]:13.2f}"
                  f"{med[(p, 'connect')] / med[('direct', 'connect')]:16.2f}")
        print("\ngoals (issue 5 item 8): jitgate >= 0.8x direct throughput, <= 1.3x direct connect time")
    finally:
        if jg:
            jg.cleanup()
        sshd.cleanup()
        harness.shutil.rmtree(tmp, ignore_errors=True)


main()
