"""Alkyl-chain features of a ligand: chain length, tails, C=C count, branching.

The rule (see ``docs/ligands.md``): take the carbons that are in no ring
("acyclic carbons") and the C–C bonds between them. That graph is a forest (a
cycle would make its atoms ring atoms). ``chain_length`` is the number of carbons
on the longest path in it; a lone acyclic carbon (a methyl, a carboxyl carbon on a
ring) is not a chain and gives 0. Oleic acid 18, octylamine 8, DDAB 12 (the path
cannot pass through N), phenethylammonium 2, benzoic acid 0.
"""

from __future__ import annotations

from collections import defaultdict

from rdkit import Chem

CHAIN_FEATURES = ["chain_length", "n_alkyl_tails", "n_chain_double_bonds", "n_branch_points"]

#: Minimum carbons on the longest path of one acyclic-carbon tree to count as a tail.
TAIL_MIN_CARBONS = 4


_CC_BOND = Chem.MolFromSmarts("[#6;!R]~[#6;!R]")
_CC_DOUBLE = Chem.MolFromSmarts("[#6;!R]=[#6;!R]")


def _farthest(start: int, adj: Adjacency) -> tuple[int, int, set[int]]:
    """Return (farthest node, its distance in bonds, nodes reached) from ``start`` in a tree."""
    dist = {start: 0}
    stack = [start]
    far, far_d = start, 0
    while stack:
        node = stack.pop()
        d = dist[node]
        if d > far_d:
            far, far_d = node, d
        for nb in adj[node]:
            if nb not in dist:
                dist[nb] = d + 1
                stack.append(nb)
    return far, far_d, set(dist)


Adjacency = dict[int, list[int]]


def acyclic_adjacency(mol: Chem.Mol) -> Adjacency:
    """Return the C-C bonds between acyclic carbons of ``mol`` as neighbour lists."""
    adj: defaultdict[int, list[int]] = defaultdict(list)
    for i, j in mol.GetSubstructMatches(_CC_BOND, maxMatches=100_000):
        adj[i].append(j)
        adj[j].append(i)
    return dict(adj)


def chain_features(
    mol: Chem.Mol, smiles: str | None = None, adj: Adjacency | None = None
) -> dict[str, float]:
    r"""Chain features of ``mol`` (one organic component, or any molecule).

    Parameters
    ----------
    mol
        An RDKit molecule with ring information (any sanitized molecule).
    smiles
        Optional canonical SMILES of ``mol`` (or of a molecule containing it); when it
        has no ``=`` the C=C search is skipped.
    adj
        :func:`acyclic_adjacency` of ``mol``, when already computed.

    Returns
    -------
    dict
        ``chain_length`` (carbons on the longest acyclic-carbon path, 0 if < 2),
        ``n_alkyl_tails`` (acyclic-carbon trees whose longest path has >= 4 carbons),
        ``n_chain_double_bonds`` (C=C between acyclic carbons) and
        ``n_branch_points`` (acyclic carbons bonded to >= 3 acyclic carbons).

    Examples
    --------
    >>> chain_features(Chem.MolFromSmiles("CCCCCCCC/C=C\\CCCCCCCC(=O)O"))["chain_length"]
    18.0
    """
    # Only carbons bonded to another acyclic carbon matter: a lone acyclic carbon is no
    # chain, no tail, no branch point and carries no C=C.
    if adj is None:
        adj = acyclic_adjacency(mol)
    n_bonds = sum(map(len, adj.values())) // 2
    n_double = 0
    if adj and (smiles is None or "=" in smiles):
        n_double = len(mol.GetSubstructMatches(_CC_DOUBLE, maxMatches=100_000))
    branches = sum(1 for nbs in adj.values() if len(nbs) >= 3)
    if not branches and len(adj) == n_bonds + 1:
        # one unbranched tree (a forest has nodes - edges trees): a single linear chain
        longest = len(adj)
        tails = int(longest >= TAIL_MIN_CARBONS)
    else:
        seen: set[int] = set()
        longest = 0
        tails = 0
        for node in adj:
            if node in seen:
                continue
            end, _, comp = _farthest(node, adj)
            seen |= comp
            carbons = _farthest(end, adj)[1] + 1
            longest = max(longest, carbons)
            if carbons >= TAIL_MIN_CARBONS:
                tails += 1
    return {
        "chain_length": float(longest if longest >= 2 else 0),
        "n_alkyl_tails": float(tails),
        "n_chain_double_bonds": float(n_double),
        "n_branch_points": float(branches),
    }


#: Tail features: measured from the anchoring atoms (``docs/ligands.md``).
TAIL_FEATURES = ["tail_length", "n_tails_from_anchor"]


def _tail_starts(mol: Chem.Mol, anchor: int) -> set[int]:
    """Acyclic carbons where a tail from ``anchor`` begins.

    The anchor atom itself when it is an acyclic carbon (a carboxyl C), else the acyclic
    carbons bonded to it, directly or through one O/N/S of the group (P-O-C of a phosphate
    ester, S-O-C of a sulfate).
    """
    atom = mol.GetAtomWithIdx(anchor)
    if atom.GetAtomicNum() == 6 and not atom.IsInRing():
        return {anchor}
    starts: set[int] = set()
    for nb in atom.GetNeighbors():
        z = nb.GetAtomicNum()
        if z == 6:
            if not nb.IsInRing():
                starts.add(nb.GetIdx())
        elif z in (7, 8, 16) and nb.GetDegree() == 2:
            for nb2 in nb.GetNeighbors():
                if nb2.GetIdx() != anchor and nb2.GetAtomicNum() == 6 and not nb2.IsInRing():
                    starts.add(nb2.GetIdx())
    return starts


def anchor_tails(
    mol: Chem.Mol, anchors: dict[str, list[int]], adj: Adjacency | None = None
) -> dict[str, float]:
    """Tails that start at the anchoring atoms of ``mol``.

    ``tail_length``: carbons on the longest path of acyclic carbons that starts at a
    carbon of an anchoring group (see :func:`_tail_starts`); 0 when shorter than 2, as
    for ``chain_length``. ``n_tails_from_anchor``: start carbons whose longest such path
    has >= 4 carbons (DDAB 2, TOP 3). Unlike ``chain_length``, a branch that does not
    lead away from the anchor does not lengthen the tail: 2-hexyldecanoic acid has
    ``chain_length`` 15 but ``tail_length`` 10. ``adj``: :func:`acyclic_adjacency` of
    ``mol``, when already computed.

    Examples
    --------
    >>> mol = Chem.MolFromSmiles("CCCCC(CC)CN")
    >>> anchor_tails(mol, {"amine_primary": [7]})
    {'tail_length': 6.0, 'n_tails_from_anchor': 1.0}
    """
    starts: set[int] = set()
    for idxs in anchors.values():
        for i in idxs:
            starts |= _tail_starts(mol, i)
    if not starts:
        return {"tail_length": 0.0, "n_tails_from_anchor": 0.0}
    if adj is None:
        adj = acyclic_adjacency(mol)
    # one unbranched chain (a forest has nodes - edges trees): from either end it is all
    # of its carbons, as for chain_length, without a walk
    linear = len(adj) == sum(map(len, adj.values())) // 2 + 1 and max(map(len, adj.values())) <= 2
    longest = 0
    tails = 0
    for start in starts:
        nbs = adj.get(start)
        if nbs is None:
            carbons = 1
        elif linear and len(nbs) == 1:
            carbons = len(adj)
        else:
            carbons = _farthest(start, adj)[1] + 1
        longest = max(longest, carbons)
        tails += carbons >= TAIL_MIN_CARBONS
    return {
        "tail_length": float(longest if longest >= 2 else 0),
        "n_tails_from_anchor": float(tails),
    }
