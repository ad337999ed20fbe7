"""The anchoring-group table: SMARTS, L/X/Z class and donor geometry of each group.

Read by :mod:`pqdml.chem._anchors`, which counts the groups and applies the binding,
zwitterion and chelation rules; every group is described in ``docs/ligands.md``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    """One anchoring group.

    ``smarts``: patterns whose first atom is the anchor atom (a bidentate group's last
    atom is its second donor; one hit per donor pair). ``needs``: symbols that must occur
    in the canonical SMILES (see :func:`pqdml.chem._anchors._symbols`). ``offset``: bonds from the anchor atom
    to the atom that donates to a metal (the O of a carboxyl carbon is 1 away), ``None``
    for a group with no lone pair to give (cations, Lewis acids): it never chelates.
    ``bidentate``: one group that holds two donors able to close a chelate ring by itself.
    """

    name: str
    label: str
    cls: str
    smarts: tuple[str, ...]
    needs: tuple[str, ...]
    offset: int | None = 0
    bidentate: bool = False


AMINE_EXCL = "!$(N~[!#6;!#1]);!$(N-[#6]=[#7,#8,#16])"
# The groups whose features existed before the second chemistry pass (issue 14) come first,
# in their old order; the groups it added follow (their feature columns are appended at the
# end of LIGAND_NUMERIC_FEATURES, so the old columns keep their positions).
#: The organic anchoring groups (see the comment above for their order).
GROUPS: list[Group] = [
    Group("carboxylic_acid", "carboxylic acid", "X", ("[CX3;$([#6](=O)[OX2H1])]",), ("O", "="), 1),
    Group("carboxylate", "carboxylate", "X", ("[CX3;$([#6](=O)[OX1-])]",), ("O", "-"), 1),
    Group("amine_primary", "primary amine", "L", (f"[NX3;H2;+0;{AMINE_EXCL}]",), ("N0",)),
    Group(
        "amine_secondary",
        "secondary amine",
        "L",
        (f"[NX3;H1;+0;!a;{AMINE_EXCL};!$(N(-a)-a)]",),
        ("N0",),
    ),
    Group(
        "amine_tertiary",
        "tertiary amine",
        "L",
        (f"[NX3;H0;+0;!a;{AMINE_EXCL};!$(N(-a)-a)]",),
        ("N0",),
    ),
    Group("ammonium", "protonated ammonium", "X", ("[NX4+;!H0]",), ("N+",), None),
    Group(
        "quaternary_ammonium",
        "quaternary ammonium",
        "X",
        ("[NX4+;H0;!$(N-[OX1-])]",),
        ("N+",),
        None,
    ),
    Group(
        "onium",
        "phosphonium/sulfonium/azolium cation",
        "X",
        ("[$([PX4+;H0;!$(P-[OX1-])]),$([SX3+;!$(S-[OX1-])]),$([#7+;a;!$([#7]-[OX1-])])]",),
        ("+", "PSn"),
        None,
    ),
    Group(
        "amidinium",
        "amidinium/guanidinium cation",
        "X",
        ("[CX3;$(C(-[#7X3])=[#7X3+])]",),
        ("N2", "=", "N+"),
        None,
    ),
    Group("phosphine", "phosphine", "L", ("[PX3;+0;!$(P~[#7,#8,#16])]",), ("P",)),
    Group(
        "phosphine_oxide",
        "phosphine oxide",
        "L",
        ("[PX4;$(P(=O)([#6])[#6]);!$(P-[#7,#8,#16])]",),  # R3P=O and R2P(H)=O
        ("P", "O"),
        1,
    ),
    Group(
        "phosphonic_acid",
        "phosphonic acid/phosphonate",
        "X",
        ("[PX4;$(P(=O)([#6])([OX2,OX1-])[OX2,OX1-]);$(P-[OX2H1,OX1-])]",),
        ("P", "O"),
        1,
    ),
    Group(
        "phosphinic_acid",
        "phosphinic acid",
        "X",
        ("[PX4;$(P(=O)([#6])([#6])[OX2H1,OX1-])]",),
        ("P", "O"),
        1,
    ),
    Group(
        "phosphate",
        "phosphate/phosphocholine (P-OH/P-O-)",
        "X",
        ("[PX4;$(P(~[#8])(~[#8])(~[#8])~[#8]);$(P-[OX2H1,OX1-])]",),
        ("P", "O"),
        1,
    ),
    Group(
        "sulfonic_acid",
        "sulfonic acid/sulfonate",
        "X",
        ("[SX4;$(S(=O)(=O)([#6])[OX2H1,OX1-])]",),
        ("S", "O"),
        1,
    ),
    Group(
        "sulfate",
        "sulfate",
        "X",
        ("[SX4;$(S(=O)(=O)([OX2][#6])[OX2H1,OX1-]),$(S(=O)(=O)([OX2H1,OX1-])[OX2H1,OX1-])]",),
        ("S", "O"),
        1,
    ),
    Group(
        "thiol",
        "thiol R-SH (binds as thiolate)",
        "X",
        ("[SX2;H1;+0][#6;!$([#6]=[#8,#16])]",),
        ("S",),
    ),
    Group(
        "thioether",
        "thioether",
        "L",
        ("[SX2;H0;+0;!a;$(S([#6])[#6]);!$(S-[#6]=[#16])]",),
        ("S",),
    ),
    Group("pyridine_n", "pyridine-type N", "L", ("[nX2;H0;+0]",), ("n",)),
    # --- added in the second chemistry pass ---
    Group(
        "amidine",
        "neutral amidine/guanidine (imine N donor)",
        "L",
        ("[CX3;$(C(-[NX3;+0;!$(N-C=[O,S])])=[NX2;+0;!$(N~[#8])])]",),
        ("N2", "="),
        1,
    ),
    Group(
        "thiolate",
        "thiolate R-S-",
        "X",
        ("[SX1-][#6;!$([#6]#[#7]);!$([#6]=[#8,#16])]",),
        ("S", "-"),
    ),
    Group("selenol", "selenol R-SeH (binds as selenolate)", "X", ("[SeX2;H1;+0][#6]",), ("Se",)),
    Group("selenolate", "selenolate R-Se-", "X", ("[SeX1-][#6]",), ("Se", "-")),
    Group(
        "disulfide",
        "disulfide S (neutral S donor)",
        "L",
        ("[SX2;+0;$(S([#6])[SX2;+0][#6])]",),
        ("S",),
    ),
    Group("thiophene_s", "thiophene-type S", "L", ("[sX2;+0]",), ("s",)),
    Group(
        "thiocarbonyl",
        "C=S of thiourea/thioamide/thione",
        "L",
        ("[SX1;+0]=[#6X3;!$([#6]-[SX1-,SX2H1])]",),
        ("S", "="),
    ),
    Group(
        "dithiocarbamate",
        "dithiocarbamate/xanthate/dithioate (S,S-chelate)",
        "X",
        ("[SX1;+0]=[CX3]-[SX1-,SX2H1]",),
        ("S", "="),
        0,
        True,
    ),
    Group(
        "sulfoxide",
        "sulfoxide S=O",
        "L",
        ("[SX3;+0;$(S(=O)([#6])[#6])]",),
        ("S", "=O"),
        1,
    ),
    Group(
        "phosphine_chalcogenide",
        "phosphine sulfide/selenide",
        "L",
        ("[PX4;$(P(=[S,Se])([#6])([#6])[#6])]",),
        ("P", "S", "="),
        1,
    ),
    Group(
        "phosphoryl_ester",
        "phosphate/phosphonate ester or phosphoramide P=O (no P-OH)",
        "L",
        ("[PX4;$(P=O);$(P-[OX2,NX3]);!$(P-[OX2H1,OX1-]);!$(P(=O)([#6])([#6])[#6])]",),
        ("P", "=O"),
        1,
    ),
    Group(
        "phosphite",
        "phosphite P(OR)3",
        "L",
        ("[PX3;+0;$(P(-[OX2])(-[OX2])-[OX2,#6])]",),
        ("P", "O2"),
    ),
    Group(
        "n_oxide",
        "N-oxide O",
        "L",
        ("[OX1-]-[#7+;!$([#7]=[#8]);!$([#7]-[#8;X2])]",),
        ("O", "-", "+"),
    ),
    Group(
        "amide_carbonyl",
        "amide/urea/lactam C=O",
        "L",
        ("[OX1;+0]=[#6X3;$([#6]-,:[#7]);!$([#6]-[OX1-,OX2H1])]",),
        ("=O", "Nn"),
    ),
    Group(
        "catechol",
        "catechol/catecholate (O,O-chelate)",
        "X",
        ("[OX2H1,OX1-]-c:c-[OX2H1,OX1-]",),
        ("O2", "c"),
        0,
        True,
    ),
    Group(
        "beta_diketonate",
        "beta-diketone/diketonate (O,O-chelate)",
        "X",
        (
            "[OX1]=[#6X3;!$([#6]-[#7,#8])]-[CX4;H1,H2]-[#6X3;!$([#6]-[#7,#8])]=[OX1]",
            "[OX1]=[#6X3;!$([#6]-[#7,#8])]-[#6X3]=[#6X3;!$([#6]-[#7])]-[OX1-,OX2H1]",
        ),
        ("O2", "=O"),
        0,
        True,
    ),
    Group(
        "boronic_acid",
        "boronic acid (Lewis-acidic B)",
        "Z",
        ("[BX3;$(B(-[OX2])(-[OX2])-[#6])]",),
        ("B", "O"),
        None,
    ),
]
#: Crown ethers are found from the ring information, not by SMARTS (see :func:`_crowns`).
CROWN = Group("crown_ether", "crown ether (macrocyclic O donors)", "L", (), ("O",), 0, True)
#: Ion groups (name, label, class, SMARTS) are counted over the whole input (counter-ions included).
ION_GROUPS: list[tuple[str, str, str, str]] = [
    (
        "halide",
        "halide",
        "X",
        "[$([F-,Cl-,Br-,I-]),$([F,Cl,Br,I;D0;+0]),$([Cl,Br,I]-[Si])]",
    ),
    (
        "pseudohalide",
        "pseudohalide (SCN/OCN/BF4/PF6)",
        "X",
        "[$([CX2](#N)[S,O,Se;D1]),$([CX2](=[N-])=[S,O,Se]),$([BX4-](F)(F)(F)F),$([PX6-](F)(F)(F)(F)(F)F)]",
    ),
    ("sulfide", "sulfide S2-/HS-/H2S", "X", "[$([S-2]),$([SX1H1-]),$([SH2;D0;+0])]"),
]
