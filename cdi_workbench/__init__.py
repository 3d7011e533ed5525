"""CDI Workbench core: crime data integrity audits without any GUI dependency."""

__version__ = "0.1.0"
