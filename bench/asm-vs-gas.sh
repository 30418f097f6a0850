#!/usr/bin/env bash
# Whole-process comparison of `ivtgen asm` with `ia64-linux-gnu-as -x` on the same 600k-instruction listing,
# alternating runs so both see the same machine state. Prints each run and the medians.
# ivtgen is the Release build of cli/; NATIVE=1 publishes it with NativeAOT instead (-p:IvtGenAot=true, needs gcc or
# clang to link), whose start-up costs ~0.05 s instead of ~0.5 s. IVTGEN=path/to/ivtgen compares any other build.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-600000}
RUNS=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "${IVTGEN:-}" ]; then
  ivtgen="$IVTGEN"
elif [ "${NATIVE:-0}" = 1 ] && dotnet publish cli -c Release --use-current-runtime -p:IvtGenAot=true -o "$work/aot" -v q -nologo >"$work/publish.log" 2>&1; then
  ivtgen="$work/aot/ivtgen"
else
  # NATIVE=1 asks for the NativeAOT build; the CLI also hosts `ivtgen build` (Roslyn, the generator), which
  # NativeAOT cannot compile as it stands, so that fails after minutes of compiling and the JIT build is timed.
  if [ "${NATIVE:-0}" = 1 ]; then echo "note: native publish failed; timing the JIT build" >&2; grep -m3 -E "error" "$work/publish.log" >&2 || true; fi
  dotnet build -c Release cli -v q -nologo >/dev/null
  ivtgen="cli/bin/Release/net10.0/ivtgen"
fi
dotnet run -c Release --project bench/IvtGen.Bench -- listing "$N" "$work/big.s" >/dev/null
ours=() ; gas=()
now() { date +%s.%N; }
for i in $(seq "$RUNS"); do
  t0=$(now); "$ivtgen" asm "$work/big.s" -o "$work/ours.bin"; t1=$(now)
  ia64-linux-gnu-as -x -o "$work/gas.o" "$work/big.s"; t2=$(now)
  ours+=("$(echo "$t1 - $t0" | bc)"); gas+=("$(echo "$t2 - $t1" | bc)")
  echo "run $i: ivtgen ${ours[-1]} s, gas ${gas[-1]} s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mo=$(median "${ours[@]}"); mg=$(median "${gas[@]}")
ia64-linux-gnu-objcopy -O binary -j .text "$work/gas.o" "$work/gas.bin"
echo "bundles: ivtgen $(( $(stat -c %s "$work/ours.bin") / 16 )), gas $(( $(stat -c %s "$work/gas.bin") / 16 ))"
echo "median: ivtgen $mo s, gas $mg s, speed-up $(echo "scale=2; $mg / $mo" | bc)x"
