"""The bundled model files: installed as the package data ``flywheel.models``."""
