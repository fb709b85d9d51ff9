"""Renderers: neutral results and cards → terminal text, Block Kit, Adaptive Cards."""
