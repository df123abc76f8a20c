#!/usr/bin/env bash
# The whole test suite, from a fresh clone on a fresh machine (Debian, Python 3.11, root):
# installs what it needs (venv, the package with its test extras, Debian's Chromium for the
# browser tests), then runs the JS unit tests and every Python test and notebook.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import bybit_widgets, pytest, playwright" # fail fast if the install did not work

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]} from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .

if [ -d js/tests ]; then
  node --test js/tests/
fi

exec .venv/bin/python -m pytest tests notebooks --nbval-lax -p no:cacheprovider "$@"
