"""Editorial checks: the desk's second pair of eyes (`dateline check`).

`rules` names every rule; `story` reads a story's text with its lines; `prose`, `style` and
`spelling` are the per-story rules; `links` the rules that need the whole site; `run` runs
them through the engine (`gen.pipeline`), whose caches make a check after one edit look at
one story; `report` prints the findings as text, GitHub workflow commands, JSON or SARIF.
"""
