"""One written form per molecule before classification: ions, dative groups, salts.

Every spelling of a salt or of a charge-separated group must give the same features
(``docs/ligands.md``, section 2). :func:`standardize` runs three RDKit-based steps, each
only when the canonical SMILES shows it can apply, so most molecules pay one regex search.
"""

from __future__ import annotations

import re

from rdkit import Chem, rdBase
from rdkit.Chem.MolStandardize import rdMolStandardize

from pqdml.chem._anchors import METALS
from pqdml.exceptions import InvalidSmilesError

#: A metal atom with a bond (to be disconnected into ions).
BONDED_METAL = Chem.MolFromSmarts(f"[{','.join(f'#{z}' for z in sorted(METALS))};!D0]")
_METAL_SMARTS = f"[{','.join(f'#{z}' for z in sorted(METALS))}]"
#: RDKit's metal disconnector, told that every metal of :data:`METALS` (alkali metals, Pb, Sn,
#: In, Sr ... included; RDKit's default list leaves them out for halogens and S) forms ionic
#: bonds to N, O, F, B, Si, P, S, Se, Cl, Br and I. Metal-carbon bonds stay.
_DISCONNECTOR = rdMolStandardize.MetalDisconnector()
_DISCONNECTOR.SetMetalNof(Chem.MolFromSmarts(f"{_METAL_SMARTS}~[#7,#8,#9]"))
_DISCONNECTOR.SetMetalNon(Chem.MolFromSmarts(f"{_METAL_SMARTS}~[#5,#14,#15,#16,#34,#17,#35,#53]"))
#: Charge-separated dative groups and their one written form (RDKit's standardizer
#: ``Normalizer`` with these transforms): P/S/Se oxides and P sulfides/selenides become
#: neutral double bonds; a pyridine N-oxide written with N=O (hypervalent) becomes
#: n+-O- (an N-oxide has no neutral double-bond form).
_NORMALIZE_TRANSFORMS = """//\tname\ttransform
P oxide\t[P+1:1]-[O-1:2]>>[P+0:1]=[O+0:2]
P sulfide\t[P+1:1]-[S-1:2]>>[P+0:1]=[S+0:2]
P selenide\t[P+1:1]-[Se-1:2]>>[P+0:1]=[Se+0:2]
S oxide\t[S+1:1]-[O-1:2]>>[S+0:1]=[O+0:2]
S dioxide\t[S+2:1](-[O-1:2])-[O-1:3]>>[S+0:1](=[O+0:2])=[O+0:3]
Se oxide\t[Se+1:1]-[O-1:2]>>[Se+0:1]=[O+0:2]
aromatic N oxide\t[n+0:1]=[O+0:2]>>[n+1:1]-[O-1:2]
"""
_NORMALIZER = rdMolStandardize.NormalizerFromData(
    _NORMALIZE_TRANSFORMS, rdMolStandardize.CleanupParameters()
)
#: Canonical SMILES that may hold a group for :data:`_NORMALIZER` (a superset is fine).
_NORMALIZE_GATE = re.compile(r"\[\d*(?:P|S|Se)H?\+2?\]|=n|n\(=|O=n")
#: A lone neutral halogen atom (HX written as ``Br``) as one component of a SMILES.
_LONE_HX = re.compile(r"(?:^|\.)(?:F|Cl|Br|I)(?=\.|$)")
#: Bases that take the proton of an HX given in the same input, most basic first: neutral
#: amidine/guanidine imine N, aliphatic amine N, pyridine-type N, aryl amine N.
_BASES = [
    Chem.MolFromSmarts(s)
    for s in (
        "[NX2;+0;!a;$(N=C-[#7X3;+0]);!$(N~[#8])]",
        "[NX3;+0;!a;!$(N~[!#6;!#1]);!$(N-[#6]=[#7,#8,#16]);!$(N-a)]",
        "[nX2;+0;H0]",
        "[NX3;+0;!a;!$(N~[!#6;!#1]);!$(N-[#6]=[#7,#8,#16]);!$(N(-a)-a)]",
    )
]
_LONE_HALOGEN = Chem.MolFromSmarts("[F,Cl,Br,I;D0;+0]")


def _transfer_protons(mol: Chem.Mol) -> Chem.Mol | None:
    """Move the proton of each HX (a lone halogen atom) to a base of another component.

    A base plus a hydrohalic acid in one input is the salt: ``CCCCN.Br`` becomes
    ``CCCC[NH3+].[Br-]``. The strongest bases take the protons first (see ``_BASES``), one
    proton per N. Returns the new molecule, or ``None`` when nothing changed.
    """
    acids = [m[0] for m in mol.GetSubstructMatches(_LONE_HALOGEN)]
    if not acids:
        return None
    taken: list[int] = []
    for patt in _BASES:
        for (i,) in mol.GetSubstructMatches(patt):
            if i not in taken and len(taken) < len(acids):
                taken.append(i)
    if not taken:
        return None
    rw = Chem.RWMol(mol)
    for acid, base in zip(acids, taken, strict=False):
        x = rw.GetAtomWithIdx(acid)
        x.SetFormalCharge(-1)
        x.SetNumExplicitHs(0)
        x.SetNoImplicit(True)
        n = rw.GetAtomWithIdx(base)
        h = n.GetTotalNumHs()
        n.SetFormalCharge(1)
        n.SetNumExplicitHs(h + 1)
        n.SetNoImplicit(True)
    out = rw.GetMol()
    try:
        Chem.SanitizeMol(out)
    except Chem.rdchem.MolSanitizeException:  # an exotic base valence: leave the input as is
        return None
    return out


def standardize(mol: Chem.Mol, smiles: str, numset: set[int], text: str) -> tuple[Chem.Mol, str]:
    """Return the molecule every spelling of ``mol`` is classified as, and its SMILES.

    Three steps, each run only when the canonical SMILES shows it can apply: metal-bonded
    atoms are split into ions (``Br[Pb]Br`` -> Pb2+ + 2 Br-, ``[K]I`` -> K+ + I-);
    charge-separated dative groups are written one way (:data:`_NORMALIZE_TRANSFORMS`); the
    proton of a hydrohalic acid given beside a base moves to the base. ``mol`` itself is
    not changed.

    Raises
    ------
    InvalidSmilesError
        When the metal-bonded atoms cannot be split into ions.
    """
    if numset & METALS and mol.HasSubstructMatch(BONDED_METAL):
        try:
            with rdBase.BlockLogs():
                mol = _DISCONNECTOR.Disconnect(mol)
        except Chem.rdchem.MolSanitizeException as exc:
            raise InvalidSmilesError(
                f"ligand {text!r}: its metal-bonded atoms cannot be split into ions ({exc})"
            ) from exc
        smiles = Chem.MolToSmiles(mol)
    if _NORMALIZE_GATE.search(smiles):
        try:
            with rdBase.BlockLogs():
                normal = _NORMALIZER.normalize(mol)
        except (Chem.rdchem.MolSanitizeException, RuntimeError):  # keep the input as written
            normal = mol
        new = Chem.MolToSmiles(normal)
        if new != smiles:
            mol, smiles = normal, new
    if "." in smiles and _LONE_HX.search(smiles):
        salt = _transfer_protons(mol)
        if salt is not None:
            mol, smiles = salt, Chem.MolToSmiles(salt)
    return mol, smiles
