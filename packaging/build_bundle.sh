#!/usr/bin/env bash
# Builds NetDesigner as a stand-alone one-folder Linux application with PyInstaller:
#
#   packaging/build_bundle.sh          ->  dist/netdesigner/netdesigner   (run it: gui, train, ...)
#
# It uses the project's environment (PYTHON, default .venv/bin/python), which must have the
# project and PyInstaller installed:  .venv/bin/pip install -e . pyinstaller
# The bundle carries that environment's torch (the CPU or the CUDA build). It takes several
# minutes and about 1.5 GB of disk; build/ and dist/ are git-ignored. The folder also holds
# desktop/: run dist/netdesigner/desktop/install_desktop_files.sh to add it to the menu.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
APP_ID=io.github.netdesigner.NetDesigner

if ! "$PYTHON" -c "import PyInstaller, netdesigner" 2>/dev/null; then
    echo "build_bundle.sh: $PYTHON needs NetDesigner and PyInstaller: $PYTHON -m pip install -e '$ROOT' pyinstaller" >&2
    exit 2
fi
cd "$ROOT"
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" packaging/netdesigner.spec

BUNDLE="$ROOT/dist/netdesigner"
mkdir -p "$BUNDLE/desktop"
cp -r packaging/icons packaging/install_desktop_files.sh packaging/$APP_ID.desktop \
      packaging/$APP_ID.metainfo.xml packaging/$APP_ID.xml "$BUNDLE/desktop/"

"$BUNDLE/netdesigner" --version  # it starts
du -sh "$BUNDLE"
