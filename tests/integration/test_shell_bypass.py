"""The shell classifier against bash itself (issue 10 items 1 and 6): through jitgate to a real sshd, as an
engineer whose only role is `reader`, each command below made bash run `rm -rf DIR` (or a read-table
program write a file) while the classifier called it read. bash evaluates an array subscript as arithmetic
wherever a builtin takes a variable name, arithmetic expands `$(...)` there and evaluates variable values
again, and some builtins run strings as code; some read-table programs write files. Each must now be
refused with exit 126 and leave the target as it was, while the benign forms of the same builtins and
programs still run."""
from pathlib import Path

import harness
from test_ssh import SshBase

POLICY = """
roles:
  reader: { allow: [read] }
access:
  - { users: [group:engineers], targets: [web-1], standing: reader }
"""

# {v} is a directory holding a file. Every command here runs `rm -rf {v}` under bash 5.2 (checked with bash
# -c); before the fix all but `(( ))`, `((NAME))` and `trap` (refused for what their text showed) reached
# the target and removed it.
BYPASSES = {
    "printf -v NAME": "printf -v 'a[$(rm -rf {v})]' x",
    "let": "let 'a[$(rm -rf {v})]=1'",
    "declare": "declare 'a[$(rm -rf {v})]=1'",
    "typeset": "typeset 'a[$(rm -rf {v})]=1'",
    "read NAME": "read 'a[$(rm -rf {v})]' <<< x",
    "unset an array element": "declare -a a; unset 'a[$(rm -rf {v})]'",
    "test -v": "test -v 'a[$(rm -rf {v})]'",
    "[ -v": "[ -v 'a[$(rm -rf {v})]' ]",
    "[[ -v": "[[ -v 'a[$(rm -rf {v})]' ]]",
    "[[ -eq through a value": "x='a[$(rm -rf {v})]'; [[ $x -eq 1 ]]",
    "[[ -lt through a name": "x='a[$(rm -rf {v})]'; [[ 1 -lt x ]]",
    "(( ))": "(( a[$(rm -rf {v})] ))",
    "((NAME)) through a value": "x='a[$(rm -rf {v})]'; ((x))",
    "$((NAME)) through a value": "x='a[$(rm -rf {v})]'; echo $((x))",
    "$[NAME] through a value": "x='a[$(rm -rf {v})]'; echo $[x]",
    "${a[NAME]} through a value": "x='a[$(rm -rf {v})]'; echo ${{a[x]}}",
    "${s:NAME} through a value": "x='a[$(rm -rf {v})]'; s=abc; echo ${{s:x}}",
    "${!NAME}": "x='a[$(rm -rf {v})]'; echo ${{!x}}",
    "${x@P}": "x='$(rm -rf {v})'; echo ${{x@P}}",
    "declare -i then assign": "declare -i n; n='a[$(rm -rf {v})]'",
    "declare -n then assign": "declare -n r='a[$(rm -rf {v})]'; r=1",
    "RANDOM=": "RANDOM='a[$(rm -rf {v})]'",
    "mapfile -C": "mapfile -C 'rm -rf {v} #' -c 1 arr <<< a",
    "readarray -C": "readarray -C 'rm -rf {v} #' -c 1 arr <<< a",
    "trap": "trap 'rm -rf {v}' EXIT",
    "wait -p": "sleep 0 & wait -p 'a[$(rm -rf {v})]' $!",
    "jobs -x": "jobs -x rm -rf {v}",
    "PS4 through ${:=} and set -x": "unset PS4; : ${{PS4:='$(rm -rf {v})'}}; set -x; :",
}

BENIGN = {
    "printf -v x %s hi; echo $x": b"hi\n",
    "declare x=1; echo $x": b"1\n",
    "read -r a b <<< 'p q'; echo $b": b"q\n",
    "[[ 1 -eq 1 ]] && echo y": b"y\n",
    "test -v HOME && echo y": b"y\n",
    "echo $((1+2)) $[2*3]": b"3 6\n",
    "((1 + 1)) && echo y": b"y\n",
    "let n=2+3; echo ok": b"ok\n",
    "s=abcd; echo ${s:1:2}": b"bc\n",
}


class ShellBypass(SshBase):
    policy = POLICY

    def victim(self, name: str) -> Path:
        path = self.files / name
        path.mkdir(exist_ok=True)
        (path / "data").write_text("keep me\n")
        return path

    def assert_refused(self, command: str):
        r = self.client().ssh("web-1", command)
        self.assertEqual(r.returncode, 126, f"{command!r} was not refused: {r}")
        self.assertIn(b"jitgate: blocked", r.stderr)
        self.assertEqual(r.stdout, b"")

    def test_every_name_and_arithmetic_context_is_refused_and_the_directory_stays(self):
        for i, (what, template) in enumerate(BYPASSES.items()):
            with self.subTest(what):
                victim = self.victim(f"victim-{i}")
                self.assert_refused(template.format(v=victim))
                self.assertTrue((victim / "data").exists(), f"{what}: the directory was removed")

    def test_sdiff_o_and_xxd_r_are_refused_and_write_nothing(self):
        a, b, dump = self.files / "a.txt", self.files / "b.txt", self.files / "dump.hex"
        a.write_text("one\n")
        b.write_text("two\n")
        dump.write_text("00000000: 6869 0a                                  hi.\n")
        for command, out in ((f"sdiff -o {{out}} {a} {b}", self.files / "sdiff.out"),
                             (f"xxd -r {dump} {{out}}", self.files / "xxd.out"),
                             (f"xxd {a} {{out}}", self.files / "xxd-dump.out"),
                             (f"sort -o {{out}} {a}", self.files / "sort.out"),
                             (f"shuf -o {{out}} {a}", self.files / "shuf.out")):
            with self.subTest(command):
                self.assert_refused(command.format(out=out))
                self.assertFalse(out.exists(), f"{command}: {out} was created")

    def test_benign_forms_still_run(self):
        c = self.client()
        for command, expected in BENIGN.items():
            with self.subTest(command):
                r = c.ssh("web-1", command)
                self.assertEqual((r.returncode, r.stdout), (0, expected), r.stderr)
        a, b = self.files / "sa.txt", self.files / "sb.txt"
        a.write_text("b\na\n")
        b.write_text("c\n")
        r = c.ssh("web-1", f"sort {a} {b}")
        self.assertEqual((r.returncode, r.stdout), (0, b"a\nb\nc\n"), r.stderr)
        r = c.ssh("web-1", f"xxd {b}")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"630a", r.stdout)
        r = c.ssh("web-1", f"sdiff {a} {b}")
        self.assertEqual(r.returncode, 1, r.stderr)  # the files differ


if __name__ == "__main__":
    harness.main()
