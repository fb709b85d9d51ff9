"""vetbot: persona-consistency vetting of remote IT candidates, as decision support."""

__version__ = "0.1.0"
