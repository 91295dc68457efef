#!/bin/sh
# run-scenario.sh BOOTCHECK ARGS…: run bootcheck as a meson TAP test.
# bootcheck exits 0 pass / 1 fail / 77 skip / 99 error, but meson (1.0) turns any
# non-zero exit of a `protocol: tap` test into ERROR, hiding the FAIL or SKIP the TAP
# already states: pass and fail exit 0 here and the TAP carries the verdict. A skip
# becomes a plain `1..0 # SKIP reason` (bootcheck's TAP of a skipped boot still shows
# the steps matched before the first DHCP request said "not this ROM" as `ok`, which
# meson would count as a pass); bootcheck's own TAP follows as comments. An error
# (99, or a crash) keeps its status.
out=$(mktemp "${TMPDIR:-/tmp}/bootcheck-tap.XXXXXX") || exit 99
trap 'rm -f "$out"' EXIT
"$@" > "$out"
rc=$?
case $rc in
    77)
        reason=$(sed -n -e 's/^1\.\.0 # SKIP //p' -e 's/^ok [0-9]* - verdict skip # SKIP //p' "$out" | head -n 1)
        echo "TAP version 14"
        echo "1..0 # SKIP ${reason:-skipped by bootcheck}"
        sed -e 's/^/# /' "$out"
        exit 0 ;;
    0|1)
        cat "$out"
        exit 0 ;;
    *)
        cat "$out"
        exit "$rc" ;;
esac
