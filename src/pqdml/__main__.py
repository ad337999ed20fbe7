"""``python -m pqdml`` runs the command line."""

from pqdml.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
