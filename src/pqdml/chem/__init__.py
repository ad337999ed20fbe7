"""Chemistry featurizers: ligands (:mod:`.ligand`) and perovskite compositions (:mod:`.composition`)."""
