"""The Vega JavaScript shipped with the site: vl-convert's bundle, generated once and cached on disk."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import vl_convert

from lifealm.atomic import chmod_no_follow, make_dirs, write_atomic
from lifealm.render.files import FileModes

# The snippet the bundle ends with: expose the three libraries as globals for the page's classic scripts.
_GLOBALS = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"


def bundle_name() -> str:
    """The bundle's file name carries the Vega-Lite version, so an upgrade never reuses a stale bundle."""
    versions = vl_convert.get_vegalite_versions()
    return f"vega-bundle-{versions[-1]}.js"


@lru_cache(maxsize=1)
def bundle_text() -> str:
    """vega, vega-lite and vega-embed as one classic script assigning window.vegaEmbed (takes ~1.5 s)."""
    return str(vl_convert.javascript_bundle(_GLOBALS))


def ensure_bundle(assets_dir: Path, modes: FileModes) -> Path:
    """Write the bundle under `assets_dir` unless an identical one is there; return its path."""
    path = assets_dir / bundle_name()
    if path.exists():
        # A bundle from an earlier private run must become readable when this run shares its output (and back).
        # A symlinked assets/ or bundle is the user's own arrangement: its target's mode is never changed.
        if not assets_dir.is_symlink():
            chmod_no_follow(assets_dir, modes.directory)
            chmod_no_follow(path, modes.file)
        return path
    make_dirs(assets_dir, modes.directory)
    write_atomic(path, bundle_text().encode("utf-8"), modes.file)
    return path
