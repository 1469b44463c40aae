"""`compile` and `check` share the policy pass through commands/policies.py, so neither imports
the other (issue 11, 9a). pyproject.toml's acyclic_siblings contract keeps every command free of
cycles; this test names the one that was there, lazy imports included."""

from __future__ import annotations

import grimp


def test_compile_does_not_import_check() -> None:
    graph = grimp.build_graph("compiler", cache_dir=None)
    assert graph.find_shortest_chain("compiler.commands.compile", "compiler.commands.check") is None
    assert (
        graph.find_shortest_chain("compiler.commands.policies", "compiler.commands.check") is None
    )
    assert graph.direct_import_exists(
        importer="compiler.commands.compile", imported="compiler.commands.policies"
    )
