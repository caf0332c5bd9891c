"""The README is generated from nbs/index.ipynb, opens with the two commands, and CI runs the test one."""
import re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'scripts'))
from readme import render


def test_readme_in_sync_with_index():
    assert (ROOT / 'README.md').read_text(encoding='utf-8') == render(ROOT / 'nbs' / 'index.ipynb'), \
        "README.md is out of date: run `bash scripts/readme.sh`"


def test_readme_opens_with_two_commands_and_ci_calls_the_test_one():
    text = (ROOT / 'README.md').read_text(encoding='utf-8')
    first_block = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    cmds = [l.split('#')[0].strip() for l in first_block.strip().splitlines()]
    assert cmds == ['bash scripts/run.sh', 'bash scripts/test.sh']
    # nothing but the title and the one-line summary before the commands
    head = text[:text.index('```bash')]
    assert head.count('\n#') == 0 and head.startswith('# facesleuth')
    ci = (ROOT / '.ci' / 'run').read_text()
    assert 'bash scripts/test.sh' in ci
    for s in ('run.sh', 'test.sh'):
        assert (ROOT / 'scripts' / s).exists()


def _readme_table(text, heading):
    "The first Markdown table after `heading`, as a list of row dicts (strings)."
    part = text[text.index(heading):]
    block = []
    for l in part[part.index('\n|') + 1:].splitlines():
        if not l.startswith('|'): break
        block.append(l)
    cols = [c.strip() for c in block[0].strip('|').split('|')]
    return [dict(zip(cols, (c.strip() for c in l.strip('|').split('|')))) for l in block[2:]]


def test_readme_table_is_the_regenerated_one():
    "The table the README shows is the one tables.ipynb wrote (figures/cpu/facesleuth_t4.csv), number for number."
    import pandas as pd
    text = (ROOT / 'README.md').read_text(encoding='utf-8')
    heading = '## One regenerated table and one figure (SYNTHETIC)'
    assert 'SYNTHETIC' in text[text.index(heading):text.index(heading) + 400]
    rows = _readme_table(text, heading)
    csv = pd.read_csv(ROOT / 'figures' / 'cpu' / 'facesleuth_t4.csv')
    assert [r['model'] for r in rows] == list(csv.model)
    for r, (_, c) in zip(rows, csv.iterrows()):
        for col, shown in r.items():
            if col in ('row', 'model'): assert shown == str(c[col]); continue
            digits = 2 if '%' in col else 4      # as facesleuth.experiments.to_markdown rounds them
            assert abs(float(shown) - float(c[col])) <= 0.5 * 10 ** -digits + 1e-9, (c.model, col, shown, c[col])
    # the figure it shows exists and is labelled synthetic in its caption
    assert (ROOT / 'figures' / 'cpu' / 'theta_trajectories.png').exists()
    assert '![SYNTHETIC' in text
