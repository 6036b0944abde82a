#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (its spec); the
# bundle is unpacked in /autograder/source. It installs the grader's Python and its pinned
# requirements into a venv beside the bundle. The grader needs Python 3.11+: choose one of
# Gradescope's Ubuntu 24.04 base images (Python 3.12).
set -euo pipefail
SOURCE="$(cd "$(dirname "$0")" && pwd)"
export DEBIAN_FRONTEND=noninteractive
# A fresh image has no package lists: install alone finds nothing ("Unable to locate package").
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3 python3-venv
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "setup.sh: the grader needs Python 3.11 or newer; pick an Ubuntu 24.04 base image" >&2
    exit 1
fi
python3 -m venv "$SOURCE/.venv"
"$SOURCE/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$SOURCE/requirements.txt"
