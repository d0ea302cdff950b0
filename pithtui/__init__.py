"""pithtui: who cites this paper, and how — a citation hub in the terminal."""

__version__ = "0.1.0"
