"""The built-in suites, one package each; each exports one ``Suite`` as ``SUITE``."""
