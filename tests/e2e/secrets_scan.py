#!/usr/bin/python3
"""The suite's secret scan (docs/reliability.md, "Secrets").

Every end-to-end program leaves, under DIR/pid-N/, a transcript of its children's stdout and stderr
and every file hfrun wrote in its scratch folders (tests/support/secret_collection.hpp). This
searches all of it, byte for byte, for every token the suite uses (by value: the emulator worlds'
tokens and every "hf_..." literal of the test sources), and every request log for a request that
carried a token outside the credential headers (the emulator's `token_in`). Findings never print a
token, only which one (by number) and where.

    secrets_scan.py --dir DIR --tokens-from FILE... [--min-programs N] [--remove-when-clean]
    secrets_scan.py --self-test     # plants tokens in a scratch collection; the scan must find each
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

LITERAL = re.compile(rb'"(hf_[A-Za-z0-9_]{6,})"')


def tokens_from(paths):
    found = set()
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        found.update(m.group(1) for m in LITERAL.finditer(data))
    return sorted(found)


def scan_request_log(path, findings):
    checked = 0
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            try:
                entry = json.loads(line)
            except ValueError:
                findings.append(f"{path}:{number}: not JSON (the request log is unreadable)")
                continue
            checked += 1
            where = entry.get("token_in") or []
            if where:
                findings.append(f"{path}:{number}: {entry.get('method')} {entry.get('role')} "
                                f"{entry.get('path')} carried a token in {', '.join(where)}")
    return checked


def self_test():
    """The scan fails on a token in a transcript, in a written file and in a request, and passes on
    the same collection without them: so a green scan means something."""
    planted = "hf_" + "selftest" + "0123456789abcdef"

    def collection(root, transcript, written, token_in):
        program = os.path.join(root, "pid-1", "emulator-dir", "hf-home")
        os.makedirs(program)
        with open(os.path.join(root, "pid-1", "transcript.log"), "w") as f:
            f.write(transcript)
        with open(os.path.join(program, "result.json"), "w") as f:
            f.write(written)
        with open(os.path.join(root, "pid-1", "emulator-dir", "requests.jsonl"), "w") as f:
            f.write(json.dumps({"method": "GET", "role": "hub", "path": "/api/whoami-v2",
                                "token_in": token_in}) + "\n")

    cases = [("clean", ("ok", "{}", []), 0),
             ("transcript", (f"token {planted}", "{}", []), 1),
             ("file", ("ok", f'{{"t": "{planted}"}}', []), 1),
             ("request", ("ok", "{}", ["url"]), 1)]
    work = tempfile.mkdtemp(prefix="secrets-scan-self-test-")
    try:
        source = os.path.join(work, "tokens.cpp")
        with open(source, "w") as f:
            f.write(f'const char* k = "{planted}";\n')
        failed = 0
        for name, parts, expected in cases:
            root = os.path.join(work, name)
            collection(root, *parts)
            run = subprocess.run([sys.executable, __file__, "--dir", root, "--tokens-from", source],
                                 capture_output=True, text=True)
            leaked = planted in run.stdout or planted in run.stderr
            if run.returncode != expected or leaked:
                failed += 1
                print(f"secrets_scan self-test: {name}: exit {run.returncode}, expected {expected}"
                      f"{' (and it printed the token)' if leaked else ''}\n{run.stdout}")
        print(f"secrets_scan self-test: {len(cases) - failed} of {len(cases)} cases as expected")
        return 1 if failed else 0
    finally:
        shutil.rmtree(work)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--self-test", action="store_true")
    parser.add_argument("--dir")
    parser.add_argument("--tokens-from", nargs="+")
    parser.add_argument("--min-programs", type=int, default=1)
    parser.add_argument("--remove-when-clean", action="store_true",
                        help="delete DIR after a scan with no finding (it holds copies of every "
                             "file the suite wrote)")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    if not args.dir or not args.tokens_from:
        parser.error("--dir and --tokens-from are required")

    tokens = tokens_from(args.tokens_from)
    if not tokens:
        print("secrets_scan: no token found in --tokens-from; nothing could be checked")
        return 1
    programs = sorted(d for d in os.listdir(args.dir) if d.startswith("pid-")) \
        if os.path.isdir(args.dir) else []
    if not programs:
        # A run of only non-e2e entries (`ctest -L local` pulls this cleanup in): nothing to scan.
        # ctest shows it as skipped (SKIP_RETURN_CODE 77), not passed.
        print(f"secrets_scan: no e2e program left anything in {args.dir}: skipped")
        return 77
    findings = []
    files = total = transcript = requests = request_logs = 0
    for program in programs:
        for folder, _, names in os.walk(os.path.join(args.dir, program)):
            for name in names:
                path = os.path.join(folder, name)
                with open(path, "rb") as f:
                    data = f.read()
                files += 1
                total += len(data)
                if name == "transcript.log":
                    transcript += len(data)
                for number, token in enumerate(tokens, 1):
                    if token in data:
                        findings.append(f"{path}: holds token #{number} of {len(tokens)}")
                if name == "requests.jsonl":
                    request_logs += 1
                    requests += scan_request_log(path, findings)

    print(f"secrets_scan: {len(programs)} test programs, {files} files, {total} bytes "
          f"({transcript} of hfrun's stdout and stderr), {requests} requests, "
          f"{len(tokens)} tokens")
    # A request log may be empty (a run of tests that never reach the emulator) but must be there.
    if len(programs) < args.min_programs or transcript == 0 or request_logs == 0:
        print(f"secrets_scan: too little was collected (at least {args.min_programs} programs, "
              "a transcript and a request log expected): is HFRUN_SECRETS_DIR set for the e2e tests?")
        return 1
    for finding in findings:
        print(f"secrets_scan: {finding}")
    if findings:
        return 1
    if args.remove_when_clean:
        shutil.rmtree(args.dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
