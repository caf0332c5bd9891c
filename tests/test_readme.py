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
    "The first Markdown table after `heading` (its lines, verbatim) and the prose between the two."
    part = text[text.index(heading) + len(heading):]
    prose, rest = part.split('\n|', 1)
    block = []
    for l in ('|' + rest).splitlines():
        if not l.startswith('|'): break
        block.append(l)
    return prose, '\n'.join(block)


def test_readme_table_is_the_regenerated_one():
    "The table the README shows is the one tables.ipynb wrote (figures/cpu/facesleuth_t4.csv), as to_markdown renders it."
    import pandas as pd
    from facesleuth.experiments import to_markdown
    text = (ROOT / 'README.md').read_text(encoding='utf-8')
    prose, table = _readme_table(text, '## One regenerated table and one figure (SYNTHETIC)')
    assert 'SYNTHETIC (SynthME) - not comparable' in prose
    cols = [c.strip() for c in table.splitlines()[0].strip('|').split('|')]
    csv = pd.read_csv(ROOT / 'figures' / 'cpu' / 'facesleuth_t4.csv')
    assert table == to_markdown(csv[cols]).strip()
    # the figure it shows exists and is labelled synthetic in its caption
    assert (ROOT / 'figures' / 'cpu' / 'theta_trajectories.png').exists()
    assert '![SYNTHETIC' in text
