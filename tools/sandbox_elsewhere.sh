#!/usr/bin/env bash
# The sandbox tests (tests/test_sandbox*.py) as an ordinary user, then as root, in a fresh clone of
# this repository's HEAD under a private folder (mode 0700, as `mktemp -d` and many home folders are)
# whose path has a space and Chinese characters: where learners and instructors really clone the
# kit, unlike CI's root in its own folder. Run as root (.ci/run does): it makes the user when
# missing; where it cannot (not root, no useradd) it says so and skips.
# Usage: tools/sandbox_elsewhere.sh [pytest arguments]   (default: tests/test_sandbox*.py)
set -euo pipefail
KIT="$(cd "$(dirname "$0")/.." && pwd)"
LEARNER_USER="${NN_KIT_TEST_USER:-nn-kit-ci}"
OLDEST='import sys; sys.exit(sys.version_info < (3, 11))'

skip() {
    echo "sandbox_elsewhere: SKIPPED, the sandbox tests did not run as an ordinary user: $*"
    exit 0
}

[ "$(id -u)" = 0 ] || skip "run it as root to make and become the user (as yourself, make test already is one)"
command -v runuser > /dev/null || skip "no runuser (util-linux) to run as $LEARNER_USER"
if ! id -u "$LEARNER_USER" > /dev/null 2>&1; then
    command -v useradd > /dev/null || skip "no useradd to make the user $LEARNER_USER"
    useradd --system --no-create-home --shell /usr/sbin/nologin "$LEARNER_USER" \
        || skip "useradd $LEARNER_USER failed"
fi
as_user() { runuser -u "$LEARNER_USER" -- env HOME="$BASE" XDG_CACHE_HOME="$BASE/.cache" "$@"; }

BASE="$(mktemp -d "/tmp/nn-kit ci 用户 XXXXXX")"  # 0700
trap 'rm -rf "$BASE"' EXIT
chown "$LEARNER_USER" "$BASE"

# A Python the user can run (root's own, e.g. pyenv's under /root, may be out of its reach).
PYTHON_FOR_USER=""
for candidate in ${PYTHON:-} "$(readlink -f "$(command -v python3 || true)")" /usr/bin/python3; do
    if as_user "$candidate" -c "$OLDEST" 2> /dev/null; then
        PYTHON_FOR_USER="$candidate"
        break
    fi
done
[ -n "$PYTHON_FOR_USER" ] || skip "no Python 3.11+ that $LEARNER_USER can run"

CLONE="$BASE/clone"
git clone --quiet --no-hardlinks "$KIT" "$CLONE"
chown -R "$LEARNER_USER" "$CLONE"
echo "sandbox_elsewhere: as $LEARNER_USER (uid $(id -u "$LEARNER_USER")) with $PYTHON_FOR_USER in $CLONE (mode $(stat -c %a "$BASE"))"
as_user make -C "$CLONE" --no-print-directory PYTHON="$PYTHON_FOR_USER" .venv/.installed
if [ $# -eq 0 ]; then
    set -- "$KIT"/tests/test_sandbox*.py
    set -- "${@#"$KIT"/}"  # the same files, in the clone
fi
run_tests() {  # as $1, in the clone, with the venv the user built: pytest with the rest
    local who="$1"
    shift
    # shellcheck disable=SC2016  # expanded by that user's shell
    runuser -u "$who" -- env HOME="$BASE" XDG_CACHE_HOME="$BASE/.cache" bash -c \
        'cd "$1" && shift && exec .venv/bin/python -m pytest -p no:cacheprovider -q -n 2 --dist loadgroup "$@"' \
        _ "$CLONE" "$@"
}
failed=0
run_tests "$LEARNER_USER" "$@" || failed=1
# As root too: the worker's own uid cannot enter the private folder, so the sandbox hides it.
echo "sandbox_elsewhere: again as root, in the same folder"
run_tests root "$@" || failed=1
exit "$failed"
