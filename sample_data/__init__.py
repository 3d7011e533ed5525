"""The bundled sample audit database: a deterministic generator with an answer key (see generate.py)."""
