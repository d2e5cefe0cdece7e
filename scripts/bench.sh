#!/usr/bin/env bash
# Whole-process timings of `moat scan` against Checkov on generated corpora.
#
#   scripts/bench.sh                 # 100 and 1,000 files, everything
#   SIZES="100" scripts/bench.sh     # only 100 files
#   SKIP_CHECKOV=1 scripts/bench.sh  # moat only
#
# Needs: cargo, hyperfine, GNU time (/usr/bin/time), and checkov (CHECKOV=/path/to/checkov;
# default: `checkov` on PATH, else /tmp/ckv/bin/checkov). To install them on Debian:
#   apt-get install -y hyperfine time
#   python3 -m venv /tmp/ckv && /tmp/ckv/bin/pip install checkov
# Results go to $OUT (default /tmp/moat-bench): hyperfine JSON, /usr/bin/time logs, and a
# summary.md with the table that docs/PERFORMANCE.md quotes.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/moat-bench}
SIZES=${SIZES:-"100 1000"}
SEED=${SEED:-1}
MOAT_RUNS=${MOAT_RUNS:-10}
CHECKOV_RUNS_SMALL=${CHECKOV_RUNS_SMALL:-3}
CHECKOV_RUNS_LARGE=${CHECKOV_RUNS_LARGE:-1}
CHECKOV=${CHECKOV:-$(command -v checkov || echo /tmp/ckv/bin/checkov)}
mkdir -p "$OUT"

if [[ -z "${MOAT:-}" ]]; then
  cargo build --release -p moat -p moat-bench
  MOAT=target/release/moat
fi
GEN=${GEN:-target/release/gen-corpus}
[[ -x "$GEN" ]] || { cargo build --release -p moat-bench; GEN=target/release/gen-corpus; }

for tool in hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "error: \`$tool\` is not installed" >&2; exit 2; }
done
if [[ -z "${SKIP_CHECKOV:-}" && ! -x "$CHECKOV" ]]; then
  echo "error: checkov not found at \`$CHECKOV\` (set CHECKOV or SKIP_CHECKOV=1)" >&2
  exit 2
fi

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
"$MOAT" --version || true
[[ -n "${SKIP_CHECKOV:-}" ]] || "$CHECKOV" --version

for n in $SIZES; do
  corpus="$OUT/corpus-$n"
  rm -rf "$corpus"
  "$GEN" --files "$n" --out "$corpus" --seed "$SEED"

  # Both tools exit 1 when they find something: that is not a failure here.
  hyperfine --warmup 2 --runs "$MOAT_RUNS" -i \
    --export-json "$OUT/moat-$n.json" \
    "$MOAT scan $corpus --format json"
  /usr/bin/time -v "$MOAT" scan "$corpus" --format json > "$OUT/moat-$n.out" 2> "$OUT/moat-$n.time" || true

  if [[ -z "${SKIP_CHECKOV:-}" ]]; then
    runs=$CHECKOV_RUNS_SMALL
    (( n >= 1000 )) && runs=$CHECKOV_RUNS_LARGE
    hyperfine --runs "$runs" -i \
      --export-json "$OUT/checkov-$n.json" \
      "$CHECKOV -d $corpus --framework terraform -o json --quiet"
    /usr/bin/time -v "$CHECKOV" -d "$corpus" --framework terraform -o json --quiet \
      > "$OUT/checkov-$n.out" 2> "$OUT/checkov-$n.time" || true
  fi
done

OUT="$OUT" SIZES="$SIZES" python3 - <<'EOF'
import json, os, re
out, sizes = os.environ["OUT"], os.environ["SIZES"].split()

def mean(tool, n):
    p = f"{out}/{tool}-{n}.json"
    if not os.path.exists(p):
        return None
    r = json.load(open(p))["results"][0]
    return r["mean"], r["stddev"] or 0.0, len(r["times"])

def rss(tool, n):
    p = f"{out}/{tool}-{n}.time"
    if not os.path.exists(p):
        return None
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(p).read())
    return int(m.group(1)) / 1024 if m else None

def findings(tool, n):
    p = f"{out}/{tool}-{n}.out"
    try:
        d = json.load(open(p))
    except (OSError, ValueError):
        return None
    if tool == "moat":
        return len(d.get("findings", []))
    reps = d if isinstance(d, list) else [d]
    return sum(r.get("summary", {}).get("failed", 0) for r in reps)

rows = ["| files | tool | mean wall time | runs | peak RSS | findings / failed checks |",
        "|---:|---|---:|---:|---:|---:|"]
ratios = []
for n in sizes:
    for tool in ("moat", "checkov"):
        t = mean(tool, n)
        if t is None:
            continue
        m = rss(tool, n)
        f = findings(tool, n)
        rows.append(f"| {n} | {tool} | {t[0]*1000:.1f} ms ± {t[1]*1000:.1f} | {t[2]} | "
                    f"{m:.1f} MiB | {f if f is not None else '-'} |" if m is not None else
                    f"| {n} | {tool} | {t[0]*1000:.1f} ms ± {t[1]*1000:.1f} | {t[2]} | - | {f} |")
    a, b = mean("moat", n), mean("checkov", n)
    if a and b:
        ratios.append(f"- {n} files: moat is {b[0]/a[0]:.0f}x faster than checkov")
text = "\n".join(rows + [""] + ratios) + "\n"
open(f"{out}/summary.md", "w").write(text)
print(text)
EOF
