#!/usr/bin/env bash
# Counts the machine instructions `ivtgen asm` executes on the 600k-instruction listing, under valgrind's callgrind,
# and prints them per source instruction, in all and per function. Timings on a shared 2-core virtual machine swing
# by a third from minute to minute; these counts do not (the same binary and input give the same total to within a
# few thousandths, whatever else the machine is doing), so they tell whether a change made the work smaller.
# They are not time: a cache miss or a page fault costs no more here than an add. asm-vs-gas.sh measures time.
#
#   bench/asm-ir.sh [TOP]      TOP functions listed (default 40)
#   IVTGEN=path/to/ivtgen bench/asm-ir.sh   counts a given native build (its ivtgen.dbg beside it gives the names)
#   N=60000 bench/asm-ir.sh    another listing size
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-600000}
TOP=${1:-40}
command -v valgrind >/dev/null || { echo "asm-ir.sh needs valgrind (apt-get install valgrind)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "${IVTGEN:-}" ]; then
  ivtgen="$IVTGEN"
else
  dotnet publish cli -c Release --use-current-runtime -p:IvtGenAot=true -o cli/bin/aot -v q -nologo >"$work/publish.log" 2>&1 \
    || { grep -m5 -E "error" "$work/publish.log" >&2; exit 1; }
  ivtgen="cli/bin/aot/ivtgen"
fi
dotnet run -c Release --project bench/IvtGen.Bench -- listing "$N" "$work/big.s" >/dev/null
# valgrind cannot read NativeAOT's separate debug file: it runs a copy without it, and names come from the symbol table.
cp "$ivtgen" "$work/ivtgen"
valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$work/ivtgen" asm "$work/big.s" -o "$work/out.bin" 2>"$work/vg.log" \
  || { tail -5 "$work/vg.log" >&2; exit 1; }
callgrind_annotate --threshold=100 "$work/cg.out" >"$work/cg.txt" 2>/dev/null
nm "${ivtgen%/*}/ivtgen.dbg" 2>/dev/null >"$work/syms.txt" || nm "$ivtgen" >"$work/syms.txt" 2>/dev/null || true
python3 - "$work/syms.txt" "$work/cg.txt" "$N" "$TOP" <<'EOF'
import sys, re, bisect
syms_file, cg_file, n, top = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
syms = []
for line in open(syms_file):
    p = line.split()
    if len(p) == 3 and p[1] in 'tTwW':
        syms.append((int(p[0], 16), p[2]))
syms.sort()
addrs = [a for a, _ in syms]
base = 0x108000  # where valgrind loads a position-independent executable
total, per = 0, {}
for line in open(cg_file):
    m = re.match(r'\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.+?)\s*$', line)
    if not m:
        continue
    ir, fn = int(m.group(1).replace(',', '')), m.group(2)
    if 'PROGRAM TOTALS' in fn:
        total = ir
        continue
    a = re.search(r'\?\?\?:0x([0-9a-f]+)', fn)
    if a and syms:
        addr = int(a.group(1), 16)
        # The runtime's assembly helpers (write barriers…) are reported at their own addresses.
        i = bisect.bisect_right(addrs, addr - base if addr >= base else addr) - 1
        fn = syms[i][1] if i >= 0 else fn
    fn = re.sub(r'^IvtGen_Runtime_IvtGen_Isa_', '', fn)
    per[fn] = per.get(fn, 0) + ir
print(f"{total:,} instructions executed, {total / n:,.0f} per source instruction ({n:,} instructions)")
for fn, ir in sorted(per.items(), key=lambda kv: -kv[1])[:top]:
    print(f"{ir / n:8.1f}  {fn[:120]}")
EOF
