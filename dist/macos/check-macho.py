#!/usr/bin/env python3
"""Checks the Mach-O programs `make macos` built (dist/macos/check-macho.py).

usage: check-macho.py SDK LLVM_BIN DEPS ARCH:DIR...

Every header the build read (DIR/obj/**/*.d) is the tree's, the SDK's,
clang's own or the cross-built libraries' (DEPS): nothing of the Linux
system. For every program in each DIR: it is a Mach-O executable for ARCH;
it loads no library but
/usr/lib/libSystem.B.dylib (llvm-otool -L); every symbol it leaves undefined
(llvm-nm -u) is exported, for ARCH, by libSystem or one of the libraries
libSystem re-exports, according to the SDK's libSystem.B.tbd (text-based
stubs, tbd-version 4); an arm64 program carries a code signature (the arm64
kernel kills unsigned programs). Any failure is printed and makes the exit
status 1.
"""
import glob
import os
import re
import subprocess
import sys

PROGRAMS = ("isatap-datapath", "isatap-control", "isatapctl")
LIBSYSTEM = "/usr/lib/libSystem.B.dylib"


def flow_list(text, key):
    """The items of `key: [ a, 'b', ... ]` (a YAML flow list) in text."""
    out = []
    for m in re.finditer(r"(?m)^\s*-?\s*" + re.escape(key) + r":\s*\[(.*?)\]", text, re.S):
        out += [x.strip().strip("'\"") for x in m.group(1).split(",") if x.strip()]
    return out


def tbd_exports(path, arch):
    """Symbols libSystem and what it re-exports export for arch-macos."""
    docs = re.split(r"(?m)^--- ", open(path).read())
    by_name = {}
    for d in docs:
        m = re.search(r"(?m)^install-name:\s*'?([^'\n]+)'?", d)
        if m:
            by_name[m.group(1).strip()] = d
    target = arch + "-macos"
    top = by_name[LIBSYSTEM]
    want = [LIBSYSTEM]
    for chunk in re.split(r"(?m)^  - targets:", top.split("reexported-libraries:", 1)[1].split("\nexports:")[0])[1:]:
        if target in chunk.split("]", 1)[0]:
            want += flow_list(chunk, "libraries")
    syms = set()
    for name in want:
        doc = by_name.get(name)
        if doc is None:
            raise SystemExit(f"check-macho: {path} has no stubs for {name}")
        for section in ("exports", "reexports"):
            m = re.search(r"(?ms)^" + section + r":\n(.*?)(?=^\S|\Z)", doc)
            if not m:
                continue
            for chunk in re.split(r"(?m)^  - targets:", m.group(1))[1:]:
                if target not in chunk.split("]", 1)[0]:
                    continue
                for key in ("symbols", "weak-symbols", "thread-local-symbols"):
                    syms.update(flow_list(chunk, key))
                for key in ("objc-classes",):
                    syms.update("_OBJC_CLASS_$_" + c for c in flow_list(chunk, key))
    return syms


def check_headers(d, allowed):
    """The absolute paths in the dependency files of d outside allowed."""
    bad = set()
    for dep in glob.glob(f"{d}/obj/**/*.d", recursive=True):
        for tok in open(dep).read().replace("\\\n", " ").split():
            if tok.endswith(":") or not tok.startswith("/"):
                continue
            path = os.path.realpath(tok)
            if not any(path.startswith(a + "/") for a in allowed):
                bad.add(tok)
    return sorted(bad)


def run(*argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def main():
    if len(sys.argv) < 5:
        raise SystemExit(__doc__)
    sdk, llvm, deps = sys.argv[1], sys.argv[2], sys.argv[3]
    resource = run(f"{llvm}/clang", "-print-resource-dir").strip()
    allowed = [os.path.realpath(x) for x in (sdk, resource, deps, os.getcwd())]
    failed = 0
    checked = 0
    for spec in sys.argv[4:]:
        arch, d = spec.split(":", 1)
        foreign = check_headers(d, allowed)
        if foreign:
            print(f"check-macho: {d}: headers from outside the SDK: " + " ".join(foreign), file=sys.stderr)
            failed += 1
        elif not glob.glob(f"{d}/obj/**/*.d", recursive=True):
            print(f"check-macho: {d}: no dependency files to check the headers with", file=sys.stderr)
            failed += 1
        exported = tbd_exports(sdk + "/usr/lib/libSystem.B.tbd", arch)
        for prog in PROGRAMS:
            path = f"{d}/{prog}"
            problems = []
            hdr = run(f"{llvm}/llvm-otool", "-hv", path)
            cpu = {"arm64": "ARM64", "x86_64": "X86_64"}[arch]
            if cpu not in hdr or "EXECUTE" not in hdr:
                problems.append(f"not a {arch} Mach-O executable:\n{hdr}")
            libs = [l.split(" (")[0].strip() for l in run(f"{llvm}/llvm-otool", "-L", path).splitlines()[1:]]
            if libs != [LIBSYSTEM]:
                problems.append("loads " + ", ".join(libs) + f", not {LIBSYSTEM} alone")
            undef = run(f"{llvm}/llvm-nm", "-u", path).split()
            missing = sorted(s for s in undef if s not in exported)
            if missing:
                problems.append("undefined symbols libSystem does not export: " + " ".join(missing))
            loads = run(f"{llvm}/llvm-otool", "-l", path)
            if arch == "arm64" and "LC_CODE_SIGNATURE" not in loads:
                problems.append("no code signature (arm64 macOS kills unsigned programs)")
            for p in problems:
                print(f"check-macho: {path}: {p}", file=sys.stderr)
            failed += bool(problems)
            checked += 1
            if not problems:
                print(f"  MACHO   {path}: {arch}, libSystem only ({len(undef)} symbols), SDK headers only")
    if failed:
        raise SystemExit(f"check-macho: {failed} of {checked} programs failed")


main()
