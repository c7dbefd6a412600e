"""Live plots of the window (pyqtgraph)."""
