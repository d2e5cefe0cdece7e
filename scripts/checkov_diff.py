#!/usr/bin/env python3
"""Differential check of moat against Checkov.

Runs `checkov -d DIR --framework terraform -o json` and `moat scan DIR --format json`, and for
every resource compares the Checkov checks that failed with the `equivalent.checkov` IDs of
moat's findings, restricted to the Checkov IDs moat claims equivalence for (from `moat rules
--format json` when that works, else from the findings themselves).

Resources are matched by (file, address without indexes and module prefixes): Checkov reports
`aws_instance.app` for every instance of a counted resource, moat `aws_instance.app[0]`; every
instance of a module collapses into one key. Checkov results on split S3 resources
(`aws_s3_bucket_versioning.x`) are moved to `aws_s3_bucket.x` of the same file, where moat
reports them (`--no-fold-split` turns that off).

Usage:
  scripts/checkov_diff.py DIR [--moat PATH] [--checkov PATH] [--json OUT]
                              [--moat-json FILE] [--checkov-json FILE] [--limit N]

Exit code 0 whatever the agreement (this is a report, not a test); 2 if a tool fails to run.
The test that enforces agreement on the rule fixtures is crates/moat-rules/tests/checkov_diff.rs
(`.ci/install-peers` installs checkov into ~/.cache/moat-peers/checkov).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict

INDEX = re.compile(r"\[[^\]]*\]")


def norm_address(addr):
    """`module.a["x"].aws_s3_bucket.b[0]` -> `aws_s3_bucket.b`."""
    addr = INDEX.sub("", addr)
    parts = addr.split(".")
    while len(parts) > 2 and parts[0] == "module":
        parts = parts[2:]
    if parts and parts[0] == "data" and len(parts) >= 3:
        return ".".join(parts[:3])
    return ".".join(parts[:2])


def norm_file(path):
    return path.lstrip("/").replace("\\", "/")


def run_json(cmd, ok_codes):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except FileNotFoundError:
        sys.exit(f"error: cannot run `{cmd[0]}`")
    if p.returncode not in ok_codes:
        sys.exit(f"error: `{' '.join(cmd)}` exited {p.returncode}: {p.stderr.strip()[:2000]}")
    try:
        return json.loads(p.stdout)
    except json.JSONDecodeError as e:
        sys.exit(f"error: `{' '.join(cmd)}` printed no JSON ({e}): {p.stdout[:500]}")


def load_checkov(args):
    if args.checkov_json:
        with open(args.checkov_json) as f:
            data = json.load(f)
    else:
        data = run_json(
            [args.checkov, "-d", args.dir, "--framework", "terraform", "-o", "json",
             "--skip-download"],
            ok_codes=(0, 1),
        )
    reports = data if isinstance(data, list) else [data]
    failed = defaultdict(set)
    passed = defaultdict(set)
    for rep in reports:
        if rep.get("check_type", "terraform") != "terraform":
            continue
        res = rep.get("results", {})
        for key, bucket in (("failed_checks", failed), ("passed_checks", passed)):
            for c in res.get(key, []):
                k = (norm_file(c["file_path"]), norm_address(c["resource"]))
                bucket[k].add(c["check_id"])
    if args.fold_split:
        failed, passed = fold_split(failed, passed)
    return failed, passed


def fold_split(failed, passed):
    """Checkov reports some S3 checks on the split resource (`aws_s3_bucket_public_access_block.x`),
    moat on the bucket it configures. Re-key a split resource's results to `aws_s3_bucket.<name>`
    when a bucket of that name is declared in the same file (the usual naming convention)."""
    buckets = {k for k in set(failed) | set(passed) if k[1].startswith("aws_s3_bucket.")}
    out = []
    for d in (failed, passed):
        nd = defaultdict(set)
        for (f, r), ids in d.items():
            rtype, _, name = r.partition(".")
            if rtype.startswith("aws_s3_bucket_") and (f, f"aws_s3_bucket.{name}") in buckets:
                nd[(f, f"aws_s3_bucket.{name}")] |= ids
            else:
                nd[(f, r)] |= ids
        out.append(nd)
    return out[0], out[1]


def load_moat(args):
    if args.moat_json:
        with open(args.moat_json) as f:
            data = json.load(f)
    else:
        data = run_json([args.moat, "scan", args.dir, "--format", "json"], ok_codes=(0, 1))
    fails = defaultdict(lambda: defaultdict(list))
    unknowns = defaultdict(lambda: defaultdict(list))
    ids_in_findings = set()
    for f in data.get("findings", []):
        ids = (f.get("equivalent") or {}).get("checkov") or []
        if not ids:
            continue
        ids_in_findings.update(ids)
        k = (norm_file(f["file"]), norm_address(f["resource"]))
        target = unknowns if f.get("status") == "unknown" else fails
        for i in ids:
            target[k][i].append(f"{f['rule_id']} {f['file']}:{f['line']}")
    return fails, unknowns, ids_in_findings, data.get("errors", [])


def claimed_ids(args, from_findings):
    if args.moat_json:
        return from_findings, "findings"
    try:
        p = subprocess.run([args.moat, "rules", "--format", "json"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
        data = json.loads(p.stdout)
        rules = data.get("rules", data) if isinstance(data, dict) else data
        ids = set()
        for r in rules:
            eq = r.get("checkov") or (r.get("equivalent") or {}).get("checkov") or []
            ids.update(eq)
        if ids:
            return ids, "moat rules"
    except (OSError, ValueError, AttributeError, TypeError):
        pass
    return from_findings, "findings"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("dir")
    ap.add_argument("--moat", default=shutil.which("moat") or "target/release/moat")
    ap.add_argument("--checkov", default=shutil.which("checkov") or os.path.expanduser(
        "~/.cache/moat-peers/checkov/bin/checkov"))
    ap.add_argument("--moat-json", help="use this moat JSON instead of running moat")
    ap.add_argument("--checkov-json", help="use this Checkov JSON instead of running checkov")
    ap.add_argument("--json", help="also write the comparison as JSON to this file")
    ap.add_argument("--no-fold-split", dest="fold_split", action="store_false",
                    help="keep Checkov results on split S3 resources instead of moving them to the bucket")
    ap.add_argument("--limit", type=int, default=40, help="rows printed per disagreement kind")
    args = ap.parse_args()
    if not os.path.isdir(args.dir):
        sys.exit(f"error: `{args.dir}` is not a directory")

    ck_failed, ck_passed = load_checkov(args)
    m_fail, m_unknown, from_findings, moat_errors = load_moat(args)
    claimed, claimed_from = claimed_ids(args, from_findings)

    agree = []          # both say fail
    checkov_only = []   # Checkov fails, moat silent (or unknown)
    moat_only = []      # moat fails, Checkov passed or did not evaluate
    keys = set(ck_failed) | set(m_fail) | set(m_unknown)
    for k in sorted(keys):
        ck = ck_failed.get(k, set()) & claimed
        mf = set(m_fail.get(k, {}))
        mu = set(m_unknown.get(k, {}))
        for cid in sorted(ck & mf):
            agree.append((k, cid))
        for cid in sorted(ck - mf):
            why = "moat unknown" if cid in mu else "moat silent"
            checkov_only.append((k, cid, why))
        for cid in sorted(mf - ck):
            if cid in ck_passed.get(k, set()):
                why = "checkov passed"
            else:
                why = "checkov did not evaluate"
            moat_only.append((k, cid, why, m_fail[k][cid][0]))

    by_id = defaultdict(lambda: [0, 0, 0])
    for _, cid in agree:
        by_id[cid][0] += 1
    for _, cid, _ in checkov_only:
        by_id[cid][1] += 1
    for _, cid, _, _ in moat_only:
        by_id[cid][2] += 1

    print(f"directory: {args.dir}")
    print(f"claimed Checkov IDs ({claimed_from}): {len(claimed)}")
    if moat_errors:
        print(f"moat reported {len(moat_errors)} input errors")
    total = len(agree) + len(checkov_only) + len(moat_only)
    rate = (100.0 * len(agree) / total) if total else 100.0
    print(f"agree: {len(agree)}  checkov only: {len(checkov_only)}  moat only: {len(moat_only)}"
          f"  agreement: {rate:.1f}%")
    print()
    print(f"{'checkov id':<14} {'agree':>6} {'ckv-only':>9} {'moat-only':>10}")
    for cid in sorted(by_id):
        a, c, m = by_id[cid]
        print(f"{cid:<14} {a:>6} {c:>9} {m:>10}")
    if checkov_only:
        print("\nCheckov fails, moat does not (possible misses in moat, or Checkov false positives):")
        for (f, r), cid, why in checkov_only[: args.limit]:
            print(f"  {cid:<13} {r}  ({f})  [{why}]")
        if len(checkov_only) > args.limit:
            print(f"  ... {len(checkov_only) - args.limit} more")
    if moat_only:
        print("\nmoat fails, Checkov does not (possible moat false positives, or Checkov misses):")
        for (f, r), cid, why, where in moat_only[: args.limit]:
            print(f"  {cid:<13} {r}  ({where})  [{why}]")
        if len(moat_only) > args.limit:
            print(f"  ... {len(moat_only) - args.limit} more")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({
                "dir": args.dir,
                "claimed": sorted(claimed),
                "agree": [{"file": k[0], "resource": k[1], "checkov": c} for k, c in agree],
                "checkov_only": [{"file": k[0], "resource": k[1], "checkov": c, "why": w}
                                 for k, c, w in checkov_only],
                "moat_only": [{"file": k[0], "resource": k[1], "checkov": c, "why": w,
                               "moat": m} for k, c, w, m in moat_only],
                "by_id": {c: {"agree": v[0], "checkov_only": v[1], "moat_only": v[2]}
                          for c, v in sorted(by_id.items())},
            }, f, indent=2, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
