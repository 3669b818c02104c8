#!/bin/bash
# scripts/train-many on this machine: four tiny jobs train, each folder is
# complete, the table has their ESRs, a second run skips them, a failing
# job leaves no folder but its log, and a bad table is refused by line.
#
# Usage: test_train_many.sh TRAIN_MANY RECUR_TRAIN MAKE_CLIPPER_DATA
set -uo pipefail
train_many=$(readlink -f "$1") recur_train=$(readlink -f "$2") make_data=$(readlink -f "$3")
command -v parallel >/dev/null || { echo "GNU parallel is not installed: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

"$make_data" di.wav amp.wav 3 16000 >/dev/null 2>&1 || { echo "make-clipper-data failed"; exit 1; }
small="--hidden 4 --epochs 2 --segment 256 --warmup 64 --batch 4 --threads 1"
{
	printf '# four tiny jobs\n'
	printf 'lstm\tdi.wav\tamp.wav\t%s\n' "$small"
	printf 'gru\tdi.wav\tamp.wav\t%s --cell gru\n' "$small"
	printf '\n'
	printf 'rnn\tdi.wav\tamp.wav\t%s --cell rnn\n' "$small"
	printf 'lstm-seed2\tdi.wav\tamp.wav\t%s --seed 2\n' "$small"
} >jobs.tsv

"$train_many" --jobs 2 --recur-train "$recur_train" jobs.tsv out >run1.log 2>&1 ||
	fail "first run: exit $? $(cat run1.log)"
for job in lstm gru rnn lstm-seed2; do
	for f in model.json train.log log.jsonl result.tsv; do
		[ -s "out/$job/$f" ] || fail "out/$job/$f missing or empty"
	done
	grep -q '"capture"' "out/$job/model.json" || fail "$job: no data check in the metadata"
done
leftovers=$(find out -name '.*' | wc -l)
[ "$leftovers" -eq 0 ] || fail "temporary files left: $(find out -name '.*')"
# Wall seconds with one decimal: a job this small can take 0.0 on a fast machine.
rows=$(tail -n +2 out/results.tsv | awk -F'\t' '$5 == "done" && $6 > 0 && $6 < 10 && $9 ~ /^[0-9]+\.[0-9]$/' | wc -l)
[ "$rows" -eq 4 ] || fail "results.tsv has $rows good rows of 4: $(cat out/results.tsv)"
head -n 1 out/results.tsv | grep -q $'^job\tinput\ttarget\toptions\tstatus\ttest_esr' ||
	fail "results.tsv header: $(head -n 1 out/results.tsv)"
grep -q $'^gru\t.*--cell gru' out/results.tsv || fail "the gru row lacks its options"
cp out/results.tsv first-results.tsv

# Done jobs are skipped: the models stay as they were.
stamp=$(stat -c %Y.%s out/lstm/model.json)
cp out/lstm/model.json before.json
"$train_many" --jobs 2 --recur-train "$recur_train" jobs.tsv out >run2.log 2>&1 ||
	fail "second run: exit $?"
grep -q "lstm is done" run2.log || fail "the second run did not skip lstm: $(cat run2.log)"
cmp -s before.json out/lstm/model.json || fail "the second run changed lstm's model ($stamp)"

# A failing job: no folder, its log, and the table says so; exit status 1+.
printf 'broken\tdi.wav\tamp.wav\t--hidden 0\n' >bad.tsv
"$train_many" --recur-train "$recur_train" bad.tsv out >run3.log 2>&1 && fail "a failing job exited 0"
[ ! -e out/broken ] || fail "the failed job left a folder"
grep -q "hidden" out/broken.failed.log || fail "no failed log: $(ls out)"
grep -q $'^broken\t.*failed' out/results.tsv || fail "results.tsv: $(cat out/results.tsv)"

# A bad table is refused before anything runs, naming the line.
printf 'ok\tdi.wav\tamp.wav\nx y\tdi.wav\tamp.wav\n' >names.tsv
"$train_many" --recur-train "$recur_train" names.tsv out2 >run4.log 2>&1 && fail "bad name accepted"
grep -q "names.tsv:2" run4.log || fail "the bad line is not named: $(cat run4.log)"
printf 'ok\tdi.wav\tmissing.wav\n' >missing.tsv
"$train_many" --recur-train "$recur_train" missing.tsv out2 >run5.log 2>&1 && fail "missing file accepted"
grep -q "missing.tsv:1: cannot read the target" run5.log || fail "$(cat run5.log)"
[ ! -e out2/ok ] || fail "a job ran from a refused table"

if [ "$failures" -eq 0 ]; then
	echo "train-many: all checks passed"
	cat first-results.tsv
fi
exit $((failures > 0))
