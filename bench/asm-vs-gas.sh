#!/usr/bin/env bash
# Whole-process comparison of `ivtgen asm` with `ia64-linux-gnu-as -x` on the same 600k-instruction listing,
# alternating runs so both see the same machine state. Prints each run and the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-600000}
RUNS=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build -c Release cli -v q -nologo >/dev/null
dotnet run -c Release --project bench/IvtGen.Bench -- listing "$N" "$work/big.s" >/dev/null
ivtgen="cli/bin/Release/net10.0/ivtgen"
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
