"""pqdml: machine learning for perovskite quantum-dot surface ligands.

Data flows one way: records → featurizers → model → predictions → explanations.

- :mod:`pqdml.chem.ligand` — ligand name/SMILES → descriptors, anchors, L/X/Z type.
- :mod:`pqdml.chem.composition` — perovskite formula → site fractions, radii, factors.
- :mod:`pqdml.data` — the canonical record schema, validation, dataset adapters.
- :mod:`pqdml.datasets` — registered public datasets, loaded in the canonical schema.
"""

from pqdml._version import __version__

__all__ = ["__version__"]
