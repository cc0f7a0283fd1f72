"""The map's layers as a model: their order, visibility and opacity (no Qt).

The view observes :attr:`LayerStack.changed` and applies the state to its graphics; the layer
panel edits the stack. Layers are listed bottom first (drawn first, under the others).
"""

from __future__ import annotations

from dataclasses import dataclass

from psygnal import Signal


@dataclass
class LayerState:
    name: str
    visible: bool = True
    opacity: float = 1.0
    imported: bool = False  # a file the operator added (may be removed again)


class LayerStack:
    changed = Signal()

    def __init__(self, names: list[str]) -> None:
        self.layers = [LayerState(name) for name in names]

    def names(self) -> list[str]:
        return [layer.name for layer in self.layers]

    def __getitem__(self, name: str) -> LayerState:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return any(layer.name == name for layer in self.layers)

    def position(self, name: str) -> int:
        """0 for the bottom layer."""
        return self.names().index(name)

    def set_visible(self, name: str, visible: bool) -> None:
        self[name].visible = visible
        self.changed.emit()

    def set_opacity(self, name: str, opacity: float) -> None:
        self[name].opacity = min(max(float(opacity), 0.0), 1.0)
        self.changed.emit()

    def move(self, name: str, steps: int) -> None:
        """Up (positive: drawn over more layers) or down, within the stack."""
        index = self.position(name)
        target = min(max(index + steps, 0), len(self.layers) - 1)
        self.layers.insert(target, self.layers.pop(index))
        self.changed.emit()

    def unique_name(self, name: str) -> str:
        """``name``, or with a number if a layer has it already."""
        unique, number = name, 2
        while unique in self:
            unique, number = f"{name} ({number})", number + 1
        return unique

    def add(self, name: str, *, below: str | None = None, imported: bool = True) -> str:
        """Add a layer (under ``below``, else on top); a taken name gets a number."""
        unique = self.unique_name(name)
        index = self.position(below) if below in self else len(self.layers)
        self.layers.insert(index, LayerState(unique, imported=imported))
        self.changed.emit()
        return unique

    def remove(self, name: str) -> None:
        if not self[name].imported:
            raise ValueError(f"layer {name!r} is part of the map and cannot be removed")
        self.layers = [layer for layer in self.layers if layer.name != name]
        self.changed.emit()

    def restore(self, saved: list[LayerState]) -> None:
        """Visibility, opacity and order as saved, for the layers there are now.

        A layer the saved state does not know (new in this version, a basemap configured
        since) keeps its place just above the layer it was above.
        """
        known = {state.name: state for state in saved}
        rank = {state.name: number for number, state in enumerate(saved)}
        keys, last = [], -1.0
        for number, layer in enumerate(self.layers):
            if layer.name in known:
                layer.visible = known[layer.name].visible
                layer.opacity = known[layer.name].opacity
                last = float(rank[layer.name])
                keys.append((last, number))
            else:
                keys.append((last + 0.5, number))
        order = sorted(range(len(self.layers)), key=lambda k: keys[k])
        self.layers = [self.layers[k] for k in order]
        self.changed.emit()
