"""The composition root: settings, wiring, the HTTP app and the ``orderflow`` CLI."""
