#!/bin/sh
# The record issue #10 asks for: `make test` many times on one commit, on a
# busy machine (docs/testing.md, "Running the suite under load"). Not part
# of `make test`.
#
#   tests/series.sh DIR NAME N COMMIT
#
# makes a clean clone of this repository at COMMIT in DIR/NAME (as CI: no
# ../shared beside it) and runs `make test` there N times in a row; each
# run's summary, failed tests, wall time and load average (sampled every
# 30 s) go to DIR/results.txt, its output to DIR/NAME.runI.log. A file
# DIR/STOP ends the series before the next run. Five of these side by side
# with N=2, and a busy loop beside them, is what sessions 9 and 10 ran:
#
#   runs=$HOME/nc-runs; mkdir -p "$runs"; rm -f "$runs/STOP"
#   while [ ! -e "$runs/STOP" ]; do timeout 60 yes >/dev/null; done &
#   for x in a b c d e; do
#       tests/series.sh "$runs" s$x 2 "$(git rev-parse HEAD)" &
#   done
#
# The first run of each clone installs what is missing and builds from
# scratch; run `scripts/install-deps.sh test` once before, so that five
# clones do not run apt-get at once.
set -u
[ $# -eq 4 ] || { sed -n '2,24p' "$0" >&2; exit 2; }
out=$1 name=$2 n=$3 commit=$4
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$out/$name
mkdir -p "$out" &&
	git clone -q "$repo" "$dir" && cd "$dir" && git checkout -q "$commit" ||
	exit 1
i=1
while [ "$i" -le "$n" ]; do
	[ -e "$out/STOP" ] && exit 0
	log=$out/$name.run$i.log loadf=$out/$name.run$i.load
	: >"$loadf"
	(while :; do cut -d' ' -f1 /proc/loadavg >>"$loadf"; sleep 30; done) &
	sampler=$!
	start=$(date +%s) st=$(date -u +%H:%M)
	make test >"$log" 2>&1
	rc=$?
	end=$(date +%s) et=$(date -u +%H:%M)
	kill "$sampler" 2>/dev/null
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	failed=$(grep '^failed:' "$log" | tail -1)
	load=$(awk '{ s += $1; if ($1 > m) m = $1; c++ }
		END { if (c) printf "mean %.1f max %.1f", s / c, m }' "$loadf")
	echo "$name run$i $commit rc=$rc [${summary:-no summary}] $failed" \
		"$((end - start))s $st-$et load $load" >>"$out/results.txt"
	i=$((i + 1))
done
