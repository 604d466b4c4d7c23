"""File transfers with the real clients through jitgate (issue 11 item 3): rsync, git and legacy scp run a
server-side program on the target through an exec request, and the shell classifier judges it by direction
(DESIGN §4): `rsync --server --sender`, `git-upload-pack` and `scp -f` read; `rsync --server`,
`git-receive-pack` and `scp -t` write. So an engineer who may only read can download and clone, an upload or
a push is refused with the grant-request hint and changes nothing, and a writer's upload and push arrive
byte-identical. rsync and git are plain exec commands judged by class: they need no ssh.sftp; scp is the
legacy exception and still asks for it. Real sshd on loopback, real rsync, git and scp clients."""
import filecmp
import os
import shlex
import subprocess
from pathlib import Path

import harness
from test_ssh import SshBase, sha256

POLICY = """
roles:
  reader:      { allow: [read] }
  writer:      { allow: [read, write] }
  reader-sftp: { allow: [read], ssh: { sftp: true } }
  writer-sftp: { allow: [read, write], ssh: { sftp: true } }
access:
  - { users: [group:engineers], targets: [web-1], standing: reader, requestable: [writer], max_duration: 2h,
      approvers: [bob] }
  - { users: [group:engineers], targets: [web-2], standing: writer }
  - { users: [group:engineers], targets: [web-3], standing: reader-sftp, requestable: [writer-sftp],
      max_duration: 2h, approvers: [bob] }
  - { users: [group:engineers], targets: [web-4], standing: writer-sftp }
"""


def fill(directory: Path, seed: int) -> Path:
    """A small tree: a binary file, a text file and a nested directory with an empty file."""
    (directory / "nested").mkdir(parents=True, exist_ok=True)
    (directory / "blob.bin").write_bytes(os.urandom(3 << 20) + bytes([seed]))
    (directory / "notes.txt").write_text(f"line one\nline two {seed}\n")
    (directory / "nested" / "empty").touch()
    return directory


def same_tree(test, a: Path, b: Path):
    compared = filecmp.dircmp(a, b)
    test.assertEqual((compared.left_only, compared.right_only, compared.diff_files), ([], [], []))
    for name in ("blob.bin", "notes.txt", "nested/empty"):
        test.assertEqual(sha256(a / name), sha256(b / name), name)


class SshTransfers(SshBase):
    policy = POLICY

    def ssh_command(self) -> str:
        """The ssh command line rsync -e and GIT_SSH_COMMAND run: the harness's options without the port."""
        options = self.client().options()
        return shlex.join(["ssh", *options[:-2]])

    def rsync(self, *args) -> subprocess.CompletedProcess:
        return subprocess.run(["rsync", "-av", "-e", f"{self.ssh_command()} -p {self.jg.ssh_port}", *map(str, args)],
                              capture_output=True, timeout=120, stdin=subprocess.DEVNULL, env=harness._ssh_env())

    def git(self, *args, cwd=None) -> subprocess.CompletedProcess:
        env = dict(harness._ssh_env(), GIT_SSH_COMMAND=self.ssh_command(), GIT_TERMINAL_PROMPT="0",
                   GIT_AUTHOR_NAME="Alice", GIT_AUTHOR_EMAIL="alice@example.com", GIT_COMMITTER_NAME="Alice",
                   GIT_COMMITTER_EMAIL="alice@example.com", GIT_CONFIG_NOSYSTEM="1", HOME=str(self.tmp))
        return subprocess.run(["git", *map(str, args)], capture_output=True, timeout=120, cwd=cwd, env=env,
                              stdin=subprocess.DEVNULL)

    def url(self, target: str, repo: Path) -> str:
        return f"ssh://{target}@127.0.0.1:{self.jg.ssh_port}{repo}"

    def assert_refused_with_the_hint(self, r: subprocess.CompletedProcess, target: str, role: str):
        self.assertNotEqual(r.returncode, 0, r)
        self.assertIn(b"jitgate: blocked", r.stderr)
        self.assertIn(f"jitgate grant request {target} --role {role}".encode(), r.stderr)

    def bare_repo(self, name: str) -> tuple[Path, str]:
        """A bare repository on the target with one commit; returns it and that commit."""
        repo, work = self.files / f"{name}.git", self.tmp / f"{name}-seed"
        self.assertEqual(self.git("init", "-q", "--bare", "-b", "main", repo).returncode, 0)
        self.assertEqual(self.git("init", "-q", "-b", "main", work).returncode, 0)
        fill(work, 1)
        self.assertEqual(self.git("add", ".", cwd=work).returncode, 0)
        self.assertEqual(self.git("commit", "-q", "-m", "first", cwd=work).returncode, 0)
        r = self.git("push", "-q", str(repo), "main", cwd=work)
        self.assertEqual(r.returncode, 0, r.stderr)
        return repo, self.head(repo)

    def head(self, repo: Path) -> str:
        return self.git("--git-dir", repo, "rev-parse", "main").stdout.decode().strip()

    # rsync ----------------------------------------------------------------------------------------------
    def test_a_reader_downloads_with_rsync_byte_identical(self):
        source = fill(self.files / "rsync-down", 2)
        local = self.tmp / "rsync-down-local"
        r = self.rsync(f"web-1@127.0.0.1:{source}/", f"{local}/")
        self.assertEqual(r.returncode, 0, r.stderr)
        same_tree(self, source, local)

    def test_a_readers_rsync_upload_is_refused_with_the_hint_and_writes_nothing(self):
        local = fill(self.tmp / "rsync-up-refused", 3)
        destination = self.files / "rsync-up-refused"
        r = self.rsync(f"{local}/", f"web-1@127.0.0.1:{destination}/")
        self.assert_refused_with_the_hint(r, "web-1", "writer")
        self.assertFalse(destination.exists(), "the refused upload created its destination")

    def test_a_writer_uploads_with_rsync_byte_identical_without_ssh_sftp(self):
        local = fill(self.tmp / "rsync-up", 4)
        destination = self.files / "rsync-up"
        r = self.rsync(f"{local}/", f"web-2@127.0.0.1:{destination}/")
        self.assertEqual(r.returncode, 0, r.stderr)
        same_tree(self, local, destination)

    def test_rsync_delete_needs_destructive_even_for_a_writer(self):
        local = fill(self.tmp / "rsync-delete", 5)
        destination = fill(self.files / "rsync-delete", 6)
        (destination / "extra.txt").write_text("stays\n")
        r = self.rsync("--delete", f"{local}/", f"web-2@127.0.0.1:{destination}/")
        self.assertNotEqual(r.returncode, 0, r)
        self.assertIn(b"jitgate: blocked", r.stderr)
        self.assertTrue((destination / "extra.txt").exists(), "the refused --delete removed a file")

    # git ------------------------------------------------------------------------------------------------
    def test_a_reader_clones_over_ssh_and_a_push_is_refused_with_the_hint(self):
        repo, first = self.bare_repo("reader-repo")
        clone = self.tmp / "reader-clone"
        r = self.git("clone", "-q", self.url("web-1", repo), clone)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.git("rev-parse", "HEAD", cwd=clone).stdout.decode().strip(), first)
        same_tree(self, self.tmp / "reader-repo-seed", clone)
        (clone / "notes.txt").write_text("changed by a reader\n")
        self.assertEqual(self.git("commit", "-q", "-am", "second", cwd=clone).returncode, 0)
        r = self.git("push", "-q", "origin", "main", cwd=clone)
        self.assert_refused_with_the_hint(r, "web-1", "writer")
        self.assertEqual(self.head(repo), first, "the refused push moved the branch")

    def test_a_writer_pushes_over_ssh_and_the_commit_arrives(self):
        repo, first = self.bare_repo("writer-repo")
        clone = self.tmp / "writer-clone"
        r = self.git("clone", "-q", self.url("web-2", repo), clone)
        self.assertEqual(r.returncode, 0, r.stderr)
        (clone / "blob.bin").write_bytes(os.urandom(1 << 20))
        self.assertEqual(self.git("commit", "-q", "-am", "second", cwd=clone).returncode, 0)
        pushed = self.git("rev-parse", "HEAD", cwd=clone).stdout.decode().strip()
        r = self.git("push", "-q", "origin", "main", cwd=clone)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.head(repo), pushed)
        self.assertNotEqual(pushed, first)
        shown = self.git("--git-dir", repo, "show", "main:blob.bin").stdout
        self.assertEqual(shown, (clone / "blob.bin").read_bytes())

    # scp (legacy protocol: an exec of scp -f / scp -t, still behind ssh.sftp) ----------------------------
    def test_legacy_scp_download_reads_and_upload_writes(self):
        source = self.files / "scp-down.bin"
        source.write_bytes(os.urandom(2 << 20))
        c = self.client()
        back = self.tmp / "scp-down.bin"
        r = c.scp(c.destination("web-3", str(source)), back, options=("-O",))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sha256(source), sha256(back))
        refused = self.files / "scp-up-refused.bin"
        r = c.scp(back, c.destination("web-3", str(refused)), options=("-O",))
        self.assert_refused_with_the_hint(r, "web-3", "writer-sftp")
        self.assertFalse(refused.exists())
        uploaded = self.files / "scp-up.bin"
        r = c.scp(back, c.destination("web-4", str(uploaded)), options=("-O",))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sha256(back), sha256(uploaded))

    def test_legacy_scp_still_needs_ssh_sftp_though_rsync_does_not(self):
        source = self.files / "scp-no-sftp.bin"
        source.write_bytes(b"x" * 1000)
        c = self.client()
        r = c.scp(c.destination("web-1", str(source)), self.tmp / "scp-no-sftp.bin", options=("-O",))
        self.assertNotEqual(r.returncode, 0, r)
        self.assertIn(b"needs a role with ssh.sftp", r.stderr)


if __name__ == "__main__":
    harness.main()
