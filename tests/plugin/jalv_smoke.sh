#!/bin/sh
# Runs the plugin in jalv (console) on a dummy JACK server with a model loaded
# from a saved state, and checks it ran and answered commands.
# Usage: jalv_smoke.sh MODEL.json. Skips (77) if JACK cannot start here.
model=$1
# JACK registers its servers in /dev/shm; servers killed earlier (say, by a
# test time-out) leave entries there that can make a new one refuse to start
# ("Too many servers already active"). As root, the test runs in a mount
# namespace with a /dev/shm of its own, so leftovers cannot skip it.
if [ -z "${RECUR_JALV_PRIVATE_SHM:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
	unshare --mount true 2>/dev/null; then
	RECUR_JALV_PRIVATE_SHM=1 exec unshare --mount sh -c \
		'mount -t tmpfs -o mode=1777 tmpfs /dev/shm || echo "no private /dev/shm"; exec sh "$0" "$@"' "$0" "$@"
fi
uri=https://recur.dev/plugins/recur
for prog in jackd jalv; do
	command -v $prog >/dev/null || { echo "$prog not installed; skipping"; exit 77; }
done
work=$(mktemp -d)
server="recur-test-$$"
export JACK_DEFAULT_SERVER=$server
export JACK_NO_AUDIO_RESERVATION=1
jack_pid=
jalv_pid=
cleanup() {
	[ -n "$jalv_pid" ] && kill "$jalv_pid" 2>/dev/null
	[ -n "$jack_pid" ] && kill "$jack_pid" 2>/dev/null
	sleep 0.2
	[ -n "$jalv_pid" ] && kill -9 "$jalv_pid" 2>/dev/null
	[ -n "$jack_pid" ] && kill -9 "$jack_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

jackd -n "$server" -d dummy -r 48000 -p 256 >"$work/jackd.log" 2>&1 &
jack_pid=$!
started=no
for i in $(seq 1 30); do
	if grep -qi "jackdmp\|engine\|started" "$work/jackd.log" 2>/dev/null && kill -0 $jack_pid 2>/dev/null; then
		if command -v jack_lsp >/dev/null; then
			# Bounded: jack_lsp can hang on a server that is still starting.
			timeout 1 jack_lsp >/dev/null 2>&1 && { started=yes; break; }
		else
			sleep 0.5; started=yes; break
		fi
	fi
	kill -0 $jack_pid 2>/dev/null || break
	sleep 0.2
done
if [ $started != yes ]; then
	echo "jackd -d dummy could not start in this environment; skipping"
	cat "$work/jackd.log"
	exit 77
fi

# A jalv state folder whose state names the model: jalv restores it (-l).
mkdir -p "$work/state"
cp "$model" "$work/state/model.json"
cat >"$work/state/manifest.ttl" <<TTL
@prefix lv2: <http://lv2plug.in/ns/lv2core#> .
@prefix pset: <http://lv2plug.in/ns/ext/presets#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<state.ttl> a pset:Preset ; lv2:appliesTo <$uri> ; rdfs:seeAlso <state.ttl> .
TTL
cat >"$work/state/state.ttl" <<TTL
@prefix lv2: <http://lv2plug.in/ns/lv2core#> .
@prefix pset: <http://lv2plug.in/ns/ext/presets#> .
@prefix state: <http://lv2plug.in/ns/ext/state#> .
<> a pset:Preset ; lv2:appliesTo <$uri> ;
	state:state [ <$uri#model> <model.json> ] .
TTL

# Commands on stdin: read the controls, then quit by closing stdin later.
fifo="$work/in"
mkfifo "$fifo"
# A sanitizer build of the plugin needs its runtime loaded first in jalv.
preload=
so=$(ls "${LV2_PATH%%:*}"/recur.lv2/recur.so 2>/dev/null)
if [ -n "$so" ] && command -v ldd >/dev/null; then
	preload=$(ldd "$so" | awk '/libasan|libubsan/ { printf "%s%s", sep, $3; sep=":" }')
fi
if [ -n "$preload" ]; then
	echo "plugin built with sanitizers: preloading $preload into jalv"
	LD_PRELOAD=$preload ASAN_OPTIONS=detect_leaks=0 \
		jalv -p -l "$work/state" -n recur-smoke "$uri" <"$fifo" >"$work/jalv.log" 2>&1 &
else
	jalv -p -l "$work/state" -n recur-smoke "$uri" <"$fifo" >"$work/jalv.log" 2>&1 &
fi
jalv_pid=$!
exec 3>"$fifo"
trap '' PIPE
sleep 2
if ! kill -0 $jalv_pid 2>/dev/null && grep -q "ASan runtime does not come first" "$work/jalv.log"; then
	echo "this plugin build uses AddressSanitizer, which jalv cannot load; skipping"
	exit 77
fi
echo "controls" >&3
echo "mix = 0.5" >&3
sleep 1
echo "monitors" >&3
sleep 1
kill -0 $jalv_pid 2>/dev/null
alive=$?
# End of input makes jalv quit, which flushes its output.
exec 3>&-
for i in $(seq 1 25); do
	kill -0 $jalv_pid 2>/dev/null || break
	sleep 0.2
done
cat "$work/jalv.log" | grep -v 'lilv_world\|failed to open'
[ $alive -eq 0 ] || { echo "jalv exited early"; exit 1; }
grep -q "status = 1" "$work/jalv.log" || { echo "jalv did not report status = 1 (model running)"; exit 1; }
grep -q "mix = 0.5" "$work/jalv.log" || { echo "jalv did not take the mix command"; exit 1; }
echo "jalv ran the plugin with a model"
