#!/usr/bin/env bash
# Build the one-folder frozen app into dist/dedupe-gui/ (PyInstaller, packaging/dedupe-gui.spec).
# Run from anywhere; uses the project's .venv (or $PY), installing PyInstaller there if missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "installing pyinstaller into $("$PY" -c 'import sys; print(sys.prefix)')"
  "$PY" -m pip install --quiet "pyinstaller>=6.0"
fi

"$PY" -m PyInstaller --noconfirm --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/dedupe-gui.spec

echo "built dist/dedupe-gui/ ($(du -sh dist/dedupe-gui | cut -f1))"
