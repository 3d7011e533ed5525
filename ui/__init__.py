"""The PySide6 desktop interface (installed as cdi_workbench_gui). Reaches the core only through ui.operations."""
