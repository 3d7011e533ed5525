"""The PySide6 desktop interface. Reaches the core only through ui.operations."""
