#!/usr/bin/env bash
# Installs (or, with --uninstall, removes) NetDesigner's desktop integration for one user: the
# menu entry, the icon in every size, the AppStream metadata and the .ndproj file type, so
# project files open with NetDesigner from a file manager.
#
#   packaging/install_desktop_files.sh [--uninstall] [COMMAND]
#
# COMMAND is the program the menu entry starts, as an absolute path. Default: the bundle's
# program beside this script's folder (when it runs from a built bundle), else the
# `netdesigner` found on PATH (a pip install). Files go to ${XDG_DATA_HOME:-~/.local/share};
# set XDG_DATA_HOME=/usr/local/share (as root) to install for everyone.
set -euo pipefail

APP_ID=io.github.netdesigner.NetDesigner
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"

refresh() {  # the caches desktops read; each tool is optional (missing on minimal systems)
    if command -v update-mime-database >/dev/null; then update-mime-database "$DATA/mime"; fi
    if command -v update-desktop-database >/dev/null; then update-desktop-database -q "$DATA/applications"; fi
    if command -v gtk-update-icon-cache >/dev/null && [ -f "$DATA/icons/hicolor/index.theme" ]; then
        gtk-update-icon-cache -q -t -f "$DATA/icons/hicolor"
    fi
    return 0
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$DATA/applications/$APP_ID.desktop" "$DATA/metainfo/$APP_ID.metainfo.xml" \
          "$DATA/mime/packages/$APP_ID.xml"
    find "$DATA/icons/hicolor" -path "*/apps/$APP_ID.*" -delete 2>/dev/null || true
    mkdir -p "$DATA/mime/packages" "$DATA/applications"
    refresh
    echo "removed NetDesigner's desktop files from $DATA"
    exit 0
fi

COMMAND="${1:-}"
if [ -z "$COMMAND" ]; then
    if [ -x "$HERE/../netdesigner" ] && [ -f "$HERE/../netdesigner" ]; then
        COMMAND="$(cd "$HERE/.." && pwd)/netdesigner"
    else
        COMMAND="$(command -v netdesigner || true)"
    fi
fi
if [ -z "$COMMAND" ] || [ ! -x "$COMMAND" ]; then
    echo "install_desktop_files.sh: no netdesigner program found; give its absolute path:" >&2
    echo "  $0 /path/to/netdesigner" >&2
    exit 2
fi
COMMAND="$(cd "$(dirname "$COMMAND")" && pwd)/$(basename "$COMMAND")"
# Exec: the program in double quotes, " ` $ \ escaped inside them, then every backslash doubled
# (the string escape applies before the quoting) and % doubled (desktop entry spec, "Exec key")
QUOTED="$(printf '%s' "$COMMAND" | sed -e 's/[\\"`$]/\\&/g' -e 's/\\/\\\\/g' -e 's/%/%%/g')"

mkdir -p "$DATA/applications" "$DATA/metainfo" "$DATA/mime/packages"
while IFS= read -r line; do
    case "$line" in
        "Exec=netdesigner "*) line="Exec=\"$QUOTED\" ${line#Exec=netdesigner }" ;;
        "TryExec=netdesigner") line="TryExec=$COMMAND" ;;
    esac
    printf '%s\n' "$line"
done < "$HERE/$APP_ID.desktop" > "$DATA/applications/$APP_ID.desktop"
cp "$HERE/$APP_ID.metainfo.xml" "$DATA/metainfo/"
cp "$HERE/$APP_ID.xml" "$DATA/mime/packages/"
(cd "$HERE/icons" && find hicolor -path "*/apps/$APP_ID.*" -exec install -D -m 644 {} "$DATA/icons/{}" \;)
refresh
echo "installed NetDesigner's desktop files into $DATA (the menu entry starts $COMMAND)"
