"""The map's layers kept between runs: imported files and every layer's visibility, opacity
and order, in a folder of this workstation's data folder (no Qt).

An imported file is copied in when it is imported (the operator's original may be moved or
deleted later), and read again, with the same checks, when the map opens. ``layers.json``
lists the stack bottom first. It is written whole under a temporary name and renamed, so a
crash mid-write leaves the previous state. A copy that can no longer be read, or a state file
that is not ours, is reported with its path and skipped; the map opens without it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import LimesError
from maps.layers import LayerStack, LayerState

STATE_FILE = "layers.json"
VERSION = 1


class LayerFolderError(LimesError):
    pass


@dataclass
class SavedLayers:
    states: list[LayerState] = field(default_factory=list)  # bottom first
    files: dict[str, Path] = field(default_factory=dict)  # imported layer name -> its copy


class LayerFolder:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._files: dict[str, str] = {}  # imported layer name -> file name in the folder

    def load(self) -> SavedLayers:
        """What was saved; empty the first time. Raises LayerFolderError on a damaged file."""
        state = self.path / STATE_FILE
        if not state.is_file():
            return SavedLayers()
        try:
            saved = json.loads(state.read_text(encoding="utf-8"))
            if saved.get("version") != VERSION:
                raise ValueError(f"unknown version {saved.get('version')!r}")
            entries = saved["layers"]
            states, files = [], {}
            for entry in entries:
                layer = LayerState(
                    str(entry["name"]),
                    bool(entry["visible"]),
                    min(max(float(entry["opacity"]), 0.0), 1.0),
                    bool(entry.get("file")),
                )
                states.append(layer)
                if entry.get("file"):
                    files[layer.name] = Path(entry["file"]).name  # never outside the folder
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise LayerFolderError(
                f"{state}: the saved map layers cannot be read ({error}); the map opens "
                "with its default layers"
            ) from None
        self._files = files
        return SavedLayers(states, {name: self.path / file for name, file in files.items()})

    def keep(self, source: Path | str, name: str) -> Path:
        """Copy an imported file in, for the layer ``name``; returns the copy."""
        source = Path(source)
        self.path.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", name).strip("._") or "layer"
        target = self.path / f"{stem}{source.suffix.lower()}"
        number = 2
        while target.exists():
            target = self.path / f"{stem}-{number}{source.suffix.lower()}"
            number += 1
        try:
            shutil.copyfile(source, target)
        except OSError as error:
            raise LayerFolderError(
                f"{target}: the layer cannot be kept for the next run ({error.strerror})"
            ) from None
        self._files[name] = target.name
        return target

    def forget(self, name: str) -> None:
        """The layer was removed: its copy goes too."""
        file = self._files.pop(name, None)
        if file:
            (self.path / file).unlink(missing_ok=True)

    def save(self, stack: LayerStack) -> None:
        entries = [
            {
                "name": layer.name,
                "visible": layer.visible,
                "opacity": round(layer.opacity, 3),
                "file": self._files.get(layer.name) if layer.imported else None,
            }
            for layer in stack.layers
        ]
        self.path.mkdir(parents=True, exist_ok=True)
        target = self.path / STATE_FILE
        temporary = target.with_suffix(".json.tmp")
        temporary.write_text(
            json.dumps({"version": VERSION, "layers": entries}, indent=1), encoding="utf-8"
        )
        os.replace(temporary, target)
